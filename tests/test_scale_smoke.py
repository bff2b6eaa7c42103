"""CI smoke benchmark (issue 12): a 20k-paper cold load and a 1k-paper incremental add, each
up to a searchable corpus (parse, merge, link, cache, search index), as ``reader search`` does.

Absolute times mean nothing on a shared CI machine, so each is measured as a ratio to a plain
Python pass over the corpus's bytes in the same run (read, decode, split into lines, hash
each line), and the test fails when a ratio exceeds three times the ratio measured when this test
was written (benchmarks/README.md has the figures). Loaded machines slow both sides alike.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import pytest

from reader.parsing.corpus import load_corpus
from reader.search import SegmentedEngine
from reader.search.cached import engine_for

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import write_corpus, write_day_file

PAPERS, ADDED = 20_000, 1_000
# Ratios to the plain pass, measured on the 2-core development machine (see the README).
# With the search index included (three runs, load ~4.3): cold 23.6x-30.7x, add 5.7x-13.1x.
REFERENCE_COLD = 30.0
REFERENCE_ADD = 10.0
REGRESSION = 3.0


def _plain_pass(files: list[Path]) -> float:
    """Best of three: read, decode, split lines, hash every line."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for path in files:
            for line in path.read_bytes().decode("utf-8").splitlines():
                hashlib.blake2b(line.encode("utf-8")).digest()
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.slow
def test_cold_load_and_incremental_add_stay_within_3x_of_their_reference(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, PAPERS, seed=3)
    files = sorted(corpus.iterdir())
    baseline = _plain_pass(files)

    started = time.perf_counter()
    cold = load_corpus([corpus])
    engine_for(cold)
    cold_ratio = (time.perf_counter() - started) / baseline

    write_day_file(corpus / "zz-2026-12-01.txt", ADDED, seed=4)
    added = sorted(set(corpus.iterdir()) - set(files))
    started = time.perf_counter()
    grown = load_corpus([corpus])
    engine = engine_for(grown)
    add_seconds = time.perf_counter() - started
    # The same bytes as the cold load: an add that re-parsed everything would show here.
    add_ratio = add_seconds / baseline

    print(f"cold {cold_ratio:.1f}x the plain pass, add {add_ratio:.1f}x")
    assert added and len(added) == 1
    assert len(grown.papers) >= len(cold.papers) + ADDED * 0.95
    newest = grown.papers[-1]
    assert newest.title is not None
    assert len(grown.papers) - 1 in engine.search(f'"{newest.title}"', {}).indices
    # Searchable without rebuilding the old papers' index (a rebuild costs about half the
    # cold ratio, which the ratio alone would not catch).
    assert isinstance(engine, SegmentedEngine)
    assert cold_ratio <= REGRESSION * REFERENCE_COLD, cold_ratio
    assert add_ratio <= REGRESSION * REFERENCE_ADD, add_ratio
