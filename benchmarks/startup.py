"""Launch to an interactive app, cold, warm and after a day's new file, with peak RSS.

    python benchmarks/startup.py --papers 100000 [--corpus DIR] [--runs 3] [--add 1000]

Each measurement runs the real app headless (``App.run_test``) in a fresh Python process, so
every figure includes interpreter start, imports and reading the cache, as a user would see
it. Three moments are timed from the launch of that process (wall clock):

- **interactive**: the main screen shows the first rows of the paper list (they can be read,
  starred, tagged; a cold start gets here before the index is built);
- **searchable**: the search index is ready (``Session.search_ready``): a typed query is
  answered from here on (before, it waits, with indexing progress in the counts line);
- **done**: every background stage (index, duplicate linking, cache writes) has finished.

The cold run gets an empty cache directory; warm runs reuse it. With ``--add N`` a day's
file of N new papers is then written into a copy of the corpus and the app started again.
Peak RSS is the app process's own (``wait4``); helper processes (parallel parsing, the
second index process) are reported separately as the largest child's peak.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


async def _moments(corpus: Path, db: Path) -> dict[str, float]:
    from reader.ui.app import ReaderApp
    from reader.ui.screens.main import MainScreen
    from reader.ui.widgets.paper_list import PaperList

    app = ReaderApp([corpus], db)
    moments: dict[str, float] = {}
    async with app.run_test(size=(160, 45)) as pilot:
        while True:
            screen = app.screen
            lists = list(screen.query(PaperList)) if isinstance(screen, MainScreen) else []
            if lists and lists[0].row_count and lists[0].render_line(0).cell_length:
                break
            await pilot.pause(0.01)
        moments["interactive"] = time.time()
        while app.session is None or not app.session.search_ready:
            await pilot.pause(0.01)
        moments["searchable"] = time.time()
        # The background stage (linking, cache write) as a session longer than a benchmark
        # would let it finish.
        await app.workers.wait_for_complete()
        moments["done"] = time.time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {**moments, "children_peak_rss": children}


def _child(corpus: Path, db: Path) -> None:
    """Runs in the measured process: prints one JSON line of moments (epoch seconds)."""
    print(json.dumps(asyncio.run(_moments(corpus, db))))


def _measure(corpus: Path, cache: Path, db: Path) -> dict[str, float]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    launched = time.time()
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
    moments = json.loads(output.strip().splitlines()[-1])
    result = {name: moments[name] - launched for name in ("interactive", "searchable", "done")}
    result["peak_rss"] = usage.ru_maxrss * 1024
    result["children_peak_rss"] = moments["children_peak_rss"]
    return result


def _line(label: str, runs: list[dict[str, float]]) -> str:
    def median(name: str) -> float:
        return statistics.median(run[name] for run in runs)

    rss = max(run["peak_rss"] for run in runs) / 2**20
    children = max(run["children_peak_rss"] for run in runs) / 2**20
    return (
        f"{label}: interactive {median('interactive'):.2f} s, searchable "
        f"{median('searchable'):.2f} s, done {median('done'):.2f} s; peak RSS {rss:,.0f} MB"
        f" (largest helper process {children:,.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, help="existing corpus directory to use")
    parser.add_argument("--runs", type=int, default=3, help="warm runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--add", type=int, default=0, help="then add a day's file of N papers")
    parser.add_argument(
        "--cache", type=Path, help="keep the cache here; if it is filled, skip the cold run"
    )
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
    print(f"corpus: {corpus} ({size / 1e6:.0f} MB); load {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        cache, db = Path(scratch) / "cache", Path(scratch) / "reading_list.json"
        if args.add:  # the add step writes into the corpus: work on a copy
            corpus = Path(shutil.copytree(corpus, Path(scratch) / "corpus"))
        warm_already = False
        if args.cache is not None:
            cache = args.cache
            warm_already = cache.exists() and not args.add
        if not warm_already:
            print(_line("cold", [_measure(corpus, cache, db)]), flush=True)
        warm = [_measure(corpus, cache, db) for _ in range(args.runs)]
        print(_line(f"warm (median of {args.runs})", warm), flush=True)
        if args.add:
            from benchmarks.synthetic import write_day_file

            write_day_file(corpus / "zz-2026-12-01.txt", args.add, args.seed + 1000)
            print(_line(f"add {args.add:,}", [_measure(corpus, cache, db)]), flush=True)
            print(_line("warm after add", [_measure(corpus, cache, db)]), flush=True)
    print(f"load afterwards {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
