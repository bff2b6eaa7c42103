"""CPU time, candidate pairs, links and memory of near-duplicate linking alone (issue 12).

    python benchmarks/linking.py --corpus /work/bench-scale/c100k --seed 1 [--links-out F]

The corpus is parsed and merged first (not measured), then ``Linker.add`` links every paper
from scratch, measured in CPU time (``time.process_time``: the machine is shared, wall clock
is noise). Printed: papers, candidate pairs scored, linked pairs, CPU seconds, the pickled
size of the ``Linker`` (what the cache stores as the ``links`` entry) and the peak RSS before
and after linking (so whether linking raises the process's peak).

With ``--seed`` (the seed the corpus was written with by ``benchmarks/synthetic.py``) the
generator is replayed to list the renamed near duplicates it planted, and the script checks
that every one of them is linked. ``--incremental`` also links the corpus in two batches (all
but the last 5% of papers, then the rest, as a new day's file is) and checks the links equal
the from-scratch ones. ``--links-out`` writes the linked pairs (ids, one pair a line) to
compare two versions of the linker with ``diff``.
"""

from __future__ import annotations

import argparse
import importlib
import pickle
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reader.model.paper import Paper  # noqa: E402
from reader.parsing import merge  # noqa: E402

try:
    blocking: Any = importlib.import_module("reader.parsing.blocking")
except ImportError:  # the linker before issue 12, measured for comparison
    blocking = merge


def planted_pairs(papers: int, seed: int) -> set[tuple[str, str]]:
    """The (earlier id, renamed id) pairs ``synthetic.py`` planted in its first ``papers``."""
    from benchmarks import synthetic

    planted: set[tuple[str, str]] = set()
    real = synthetic._renamed

    def recording(gen: object, earlier: synthetic.Synthetic, coined: str) -> object:
        item = real(gen, earlier, coined)  # type: ignore[arg-type]
        planted.add(_pair(earlier.paper.id, item.paper.id))
        return item

    synthetic._renamed = recording  # type: ignore[assignment]
    try:
        for _ in synthetic._papers(papers, seed):
            pass
    finally:
        synthetic._renamed = real
    return {pair for pair in planted if pair[0] != pair[1]}


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _links(papers: list[Paper], linker: merge.Linker) -> set[tuple[str, str]]:
    return {_pair(papers[a].id, papers[b].id) for a, others in linker.links.items() for b in others}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--seed", type=int, help="the synthetic corpus's seed: check planted")
    parser.add_argument("--incremental", action="store_true")
    parser.add_argument("--links-out", type=Path)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the linking here")
    args = parser.parse_args()

    from reader.parsing.corpus import load_corpus

    corpus = load_corpus([args.corpus], link=False, use_cache=False)
    papers = list(corpus.papers)
    before_mb = _peak_mb()

    scored = 0
    hooks: Any = blocking  # patched by name: this script also measures the linker before it
    if hasattr(hooks, "linked_pairs"):
        real_score = hooks.linked_pairs

        def counting(papers: Any, titles: Any, openings: Any, progress: Any) -> Any:
            nonlocal scored
            scored += len(np.union1d(titles, openings))
            return real_score(papers, titles, openings, progress)

        hooks.linked_pairs = counting
    else:  # the linker before issue 12 scored one pair a call
        hooks = merge
        real_pair = hooks._near_duplicates

        def counting_pair(*call: Any) -> Any:
            nonlocal scored
            scored += 1
            return real_pair(*call)

        hooks._near_duplicates = counting_pair
    linker = merge.Linker()
    started = time.process_time()
    if args.profile is not None:
        import cProfile

        cProfile.runctx(
            "linker.add(papers, range(len(papers)))", globals(), locals(), str(args.profile)
        )
    else:
        linker.add(papers, range(len(papers)))
    cpu = time.process_time() - started
    after_mb = _peak_mb()
    links = _links(papers, linker)
    size = len(pickle.dumps(linker, protocol=pickle.HIGHEST_PROTOCOL))
    print(
        f"{len(papers):,} papers: {scored:,} candidate pairs scored, {len(links):,} links, "
        f"linking {cpu:.2f} s CPU, Linker pickle {size / 1e6:.1f} MB, "
        f"peak RSS {before_mb:,.0f} MB before linking, {after_mb:,.0f} MB after",
        flush=True,
    )
    if args.links_out is not None:
        args.links_out.write_text("".join(f"{a} {b}\n" for a, b in sorted(links)))

    if args.seed is not None:
        ids = {paper.id for paper in papers}
        planted = {
            p
            for p in planted_pairs(sum(f.records for f in corpus.files), args.seed)
            if set(p) <= ids
        }
        missed = planted - links
        print(f"planted renamed duplicates: {len(planted):,}, linked: {len(planted) - len(missed)}")
        for a, b in sorted(missed)[:20]:
            print(f"  MISSED {a} {b}")

    if args.incremental:
        cut = len(papers) * 95 // 100
        old = merge.Linker()
        old.add(papers, range(cut))
        old = pickle.loads(pickle.dumps(old))  # as read back from the cache
        old.add(papers, range(cut, len(papers)))
        same = _links(papers, old) == links
        print(f"incremental (first {cut:,}, then the rest) == full: {same}")
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
