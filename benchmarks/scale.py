"""Cold, warm and add-one-file timings of the engine at scale, with peak RSS (issue 12).

    python benchmarks/scale.py --papers 100000 [--add 1000] [--corpus DIR] [--cli]

Each measurement runs in a fresh process with its own cache directory (the cold run starts
from an empty one; later runs reuse it), exactly as a user's successive starts would:

1. cold: parse + merge (searchable list possible), index (searchable), link + cache write
   (everything done);
2. warm: the same paths again, served from the cache;
3. add: one new ``--add``-paper file (sorting after the others, as a daily file named by date
   does) is written into the corpus directory, then the same paths are loaded again.

With ``--cli`` the real ``reader search`` command is also timed cold (fresh cache) and warm.
The corpus comes from benchmarks/synthetic.py (LaTeX share and abstract lengths of the seeds).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _child(corpus: Path) -> None:
    """Runs in the measured process: prints one JSON line of phase times (seconds)."""
    started = time.perf_counter()
    from reader.parsing.corpus import finish_loading, load_corpus
    from reader.search.cached import engine_for
    from reader.search.engine import SortKey

    corpus_obj = load_corpus([corpus], link=False)
    merged = time.perf_counter()
    engine = engine_for(corpus_obj)
    indexed = time.perf_counter()
    result = engine.search("bayesian optimization", {}, sort=SortKey.RELEVANCE, limit=20)
    searched = time.perf_counter()
    finish_loading(corpus_obj)
    linked = time.perf_counter()
    print(
        json.dumps(
            {
                "papers": len(corpus_obj.papers),
                "merged": merged - started,
                "searchable": indexed - started,
                "first_search": searched - indexed,
                "hits": result.total,
                "done": linked - started,
                "linked_papers": sum(1 for p in corpus_obj.papers if p.possible_duplicates)
                if isinstance(corpus_obj.papers, list)
                else None,
            }
        )
    )


def _run(args: list[str], cache: Path) -> tuple[dict[str, float], float, float]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    launched = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - launched
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"measured run failed: {args}")
    lines = output.strip().splitlines()
    data = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    return data, wall, usage.ru_maxrss / 1024


def _report(label: str, data: dict[str, float], wall: float, rss: float) -> None:
    phases = ", ".join(
        f"{name} {data[name]:.2f} s"
        for name in ("merged", "searchable", "first_search", "done")
        if name in data
    )
    print(f"{label}: wall {wall:.2f} s ({phases}), peak RSS {rss:,.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--add", type=int, default=1000)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cli", action="store_true")
    parser.add_argument("--cli-only", action="store_true", help="only the reader search runs")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    from benchmarks.synthetic import write_corpus, write_day_file

    source = args.corpus or REPO / "benchmarks" / "data" / f"corpus-{args.papers}-{args.seed}"
    if not source.exists():
        print(f"writing a synthetic corpus of {args.papers:,} papers to {source}", flush=True)
        write_corpus(source, args.papers, args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "corpus"
        shutil.copytree(source, corpus)  # the add step writes into it
        cache = Path(scratch) / "cache"
        me = [sys.executable, __file__, "--child", str(corpus)]
        if args.cli_only:
            _cli(corpus, Path(scratch))
            return
        _report("cold", *_run(me, cache))
        _report("warm", *_run(me, cache))
        write_day_file(corpus / "zz-2026-12-01.txt", args.add, args.seed + 1000)
        _report(f"add {args.add:,}", *_run(me, cache))
        _report("warm after add", *_run(me, cache))
        if args.cli:
            _cli(corpus, Path(scratch))


def _cli(corpus: Path, scratch: Path) -> None:
    reader = [sys.executable, "-m", "reader", "search", "bayesian", "--limit", "20", str(corpus)]
    cli_cache = scratch / "cli-cache"
    _report("reader search, cold", *_run(reader, cli_cache))
    _report("reader search, warm", *_run(reader, cli_cache))


if __name__ == "__main__":
    main()
