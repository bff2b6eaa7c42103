"""The synthetic benchmark corpus: deterministic, and read back by the real parser as generated."""

from __future__ import annotations

import sys
from pathlib import Path

from reader.parsing.corpus import load_corpus

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import generate, main


def fields(paper: object) -> tuple[object, ...]:
    names = ("id", "title", "authors", "abstract", "date", "category", "has_code", "orgs")
    return tuple(getattr(paper, name) for name in names)


def test_generation_is_deterministic_per_seed() -> None:
    assert [fields(p) for p in generate(40, 7)] == [fields(p) for p in generate(40, 7)]
    assert [p.id for p in generate(40, 7)] != [p.id for p in generate(40, 8)]


def test_papers_have_the_promised_shape() -> None:
    papers = generate(300, 1)
    authored = [p for p in papers if p.authors]
    assert authored and all(3 <= len(p.authors) <= 8 for p in authored)
    assert all(150 <= len(p.abstract.split()) <= 250 for p in papers)
    assert any(p.title is None for p in papers) and any(p.date for p in papers)


def test_written_files_parse_back_to_the_generated_papers(tmp_path: Path) -> None:
    assert main(["--papers", "300", "--out", str(tmp_path), "--seed", "5", "--per-file", "80"]) == 0
    formats = {path.name.split("_", 1)[1] for path in tmp_path.iterdir()}
    assert formats == {"dated-listing.txt", "trending-list.txt", "abstract-list.txt"}
    corpus = load_corpus([tmp_path], use_cache=False)
    assert corpus.problems == []
    assert sorted(map(fields, corpus.papers)) == sorted(map(fields, generate(300, 5)))
