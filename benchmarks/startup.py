"""Time from launch to an interactive screen, cold (no cache) and warm, with peak RSS.

    python benchmarks/startup.py --papers 100000 [--corpus DIR] [--runs 3]

"Interactive" means the headless app (``App.run_test``) shows the main screen with the first
rows of the paper list rendered. Each measurement runs in a fresh Python process so the warm
figure includes interpreter start, imports and reading the cache, as a user would see it.
The cold run gets an empty cache directory; warm runs reuse the cache the cold run wrote.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


async def _time_to_interactive(corpus: Path, db: Path) -> float:
    from reader.ui.app import ReaderApp
    from reader.ui.screens.main import MainScreen
    from reader.ui.widgets.paper_list import PaperList

    started = time.perf_counter()
    app = ReaderApp([corpus], db)
    async with app.run_test(size=(160, 45)) as pilot:
        while True:
            screen = app.screen
            lists = list(screen.query(PaperList)) if isinstance(screen, MainScreen) else []
            if lists and lists[0].row_count and lists[0].render_line(0).cell_length:
                break
            await pilot.pause(0.01)
        interactive = time.perf_counter() - started
        # Let the background stage (linking, cache write) finish, as it would in a session
        # that lasts longer than a benchmark; not counted in the start-up time.
        await app.workers.wait_for_complete()
        return interactive


def _child(corpus: Path, db: Path) -> None:
    """Runs in the measured process: prints one JSON line with seconds and peak RSS."""
    seconds = asyncio.run(_time_to_interactive(corpus, db))
    print(json.dumps({"app_seconds": seconds}))


def _measure(corpus: Path, cache: Path, db: Path) -> dict[str, float]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    launched = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", str(corpus), "--db", str(db)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    # wait4 gives this child's own peak RSS (RUSAGE_CHILDREN would be the peak of all).
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"the measured run failed ({child.returncode})")
    result = json.loads(output.strip().splitlines()[-1])
    result["wall_seconds"] = time.perf_counter() - launched
    result["peak_rss"] = usage.ru_maxrss * 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, help="existing corpus directory to use")
    parser.add_argument("--runs", type=int, default=3, help="warm runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.db)
        return

    corpus = args.corpus or REPO / "benchmarks" / "data" / f"corpus-{args.papers}-{args.seed}"
    if not corpus.exists():
        from benchmarks.synthetic import write_corpus

        print(f"writing a synthetic corpus of {args.papers:,} papers to {corpus}")
        write_corpus(corpus, args.papers, args.seed)
    size = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
    print(f"corpus: {corpus} ({size / 1e6:.0f} MB)")
    with tempfile.TemporaryDirectory() as scratch:
        cache, db = Path(scratch) / "cache", Path(scratch) / "reading_list.json"
        cold = _measure(corpus, cache, db)
        print(
            f"cold (parse + index + cache write): {cold['wall_seconds']:.2f} s to interactive, "
            f"peak RSS {cold['peak_rss'] / 2**20:,.0f} MB"
        )
        warm = [_measure(corpus, cache, db) for _ in range(args.runs)]
    seconds = [w["wall_seconds"] for w in warm]
    print(
        f"warm (from cache, {args.runs} runs): median {statistics.median(seconds):.2f} s, "
        f"best {min(seconds):.2f} s to interactive (process launch included), "
        f"peak RSS {max(w['peak_rss'] for w in warm) / 2**20:,.0f} MB"
    )


if __name__ == "__main__":
    main()
