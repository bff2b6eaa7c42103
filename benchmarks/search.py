"""Search latency on a synthetic corpus: build time, memory, per-query p50/p95 by category.

    python benchmarks/search.py --papers 100000
    python benchmarks/search.py --papers 10000 --corpus /tmp/corpus   # parse files instead

By default the papers come straight from ``synthetic.generate`` (parsing 10^6 papers from
files measures the parser, not search); ``--corpus DIR`` loads a directory written by
synthetic.py through the real corpus loader instead.

Two regimes are measured for every query: *cold* (word cache cleared, as for a query
pasted or picked from history) and *typed* (each query reached one keystroke at a time, the
figure being the last keystroke, as in the search box). Both are measured materialising
every match (``limit=None``) and with ``limit=1000``, the way a UI asking only for the first
screenfuls would (``--limits`` changes the list).
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import generate
from reader.model.annotation import Annotation
from reader.model.paper import Paper
from reader.search import SearchEngine

QUERIES: dict[str, list[str]] = {
    "single word": ["learning", "bayesian", "transformer", "memorization", "kernel", "sareformer"],
    "multi-word": [
        "neural network",
        "bayesian optimisation",
        "contrastive self supervised learning",
        "diffusion models for images",
    ],
    "misspelt": ["bayesain optimzation", "transfomer", "contrastiv lerning", "disentanglment"],
    "field-scoped": [
        "author:vincent",
        "title:flow",
        'abstract:"normalizing flow"',
        "cat:LG year:>=2022",
        "org:mila has:code",
        "-title:learning kernel",
        "is:unread bayesian",
        "tag:toread",
        "year:2018..2020 author:garcia",
    ],
    "phrase": ['"normalizing flow"', '"neural network"', '"optimal transport"'],
    "one-letter prefix": ["t", "b", "m", "s", "a"],
    "typing": [
        "t", "tr", "tra", "tran", "trans", "transf", "transfo", "transfor", "transform",
        "transforme", "transformer", "transformer a", "transformer at", "transformer att",
        "b", "ba", "bay", "baye", "bayes", "bayesi", "bayesia", "bayesian", "bayesian o",
        "bayesian op", "bayesian opt", "bayesian opti",
    ],
}  # fmt: skip


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _annotations(papers: list[Paper], seed: int) -> dict[str, Annotation]:
    """About 1% of papers annotated, as a busy reading list would be."""
    rng = random.Random(seed)
    chosen = rng.sample(papers, max(1, len(papers) // 100))
    statuses = ("read", "skipped", "unread")
    return {
        paper.id: Annotation(
            paper.id,
            starred=rng.random() < 0.3,
            tags=("toread",) if rng.random() < 0.5 else ("ml", "later"),
            note="interesting" if rng.random() < 0.2 else "",
            status=statuses[rng.randrange(3)],
        )
        for paper in chosen
    }


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _measure(
    engine: SearchEngine, annotations: dict[str, Annotation], limit: int | None, repeat: int
) -> None:
    latencies: dict[str, list[float]] = defaultdict(list)
    worst: dict[str, tuple[float, str]] = {}

    def timed(category: str, text: str) -> None:
        started = time.perf_counter()
        result = engine.search(text, annotations, limit=limit)
        elapsed = (time.perf_counter() - started) * 1000
        latencies[category].append(elapsed)
        if elapsed > worst.get(category, (0.0, ""))[0]:
            worst[category] = (elapsed, f"{text!r} ({result.total:,} matches)")

    for _ in range(repeat):
        for category, queries in QUERIES.items():
            if category == "typing":
                continue
            for text in queries:
                engine.clear_caches()  # cold: nothing cached from earlier keystrokes
                timed(category, text)
        engine.clear_caches()
        for text in QUERIES["typing"]:
            timed("typing (per keystroke)", text)

    shown = "all matches" if limit is None else f"limit={limit}"
    print(f"\nlatency per search, ms ({shown}, {repeat} repeats)")
    print(f"{'category':26} {'n':>4} {'p50':>8} {'p95':>8} {'max':>8}  slowest")
    everything: list[float] = []
    for category, values in latencies.items():
        everything += values
        print(
            f"{category:26} {len(values):4} {statistics.median(values):8.1f} "
            f"{_percentile(values, 0.95):8.1f} {max(values):8.1f}  {worst[category][1]}"
        )
    print(
        f"{'overall':26} {len(everything):4} {statistics.median(everything):8.1f} "
        f"{_percentile(everything, 0.95):8.1f} {max(everything):8.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, help="load this directory instead of generating")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--limits",
        type=lambda text: [None if part == "all" else int(part) for part in text.split(",")],
        default=[None, 1000],
        help="comma-separated result limits to measure, 'all' for no limit (default all,1000)",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if args.corpus:
        from reader.parsing.corpus import load_corpus

        papers = load_corpus([args.corpus]).papers
        source = f"loaded from {args.corpus}"
    else:
        papers = generate(args.papers, args.seed)
        source = "generated"
    print(f"corpus: {len(papers):,} papers {source} in {time.perf_counter() - started:.1f} s")
    print(f"rss after corpus: {_rss_mb():,.0f} MB")

    gc.collect()
    started = time.perf_counter()
    engine = SearchEngine(papers)
    build = time.perf_counter() - started
    index = engine.to_state()
    print(f"index: built in {build:.1f} s, vocabulary {len(index.vocab):,} tokens")
    print(f"rss after index: {_rss_mb():,.0f} MB (peak {_peak_rss_mb():,.0f} MB)")
    annotations = _annotations(papers, args.seed)

    for limit in args.limits:
        _measure(engine, annotations, limit, args.repeat)
    print(f"\npeak rss: {_peak_rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
