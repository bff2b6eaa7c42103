"""The parsed-corpus cache: served when inputs are unchanged, rebuilt when they change."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import reader.parsing.corpus as corpus_module
from reader.parsing.corpus import load_corpus
from reader.paths import cache_dir


def _copy_sample(sample_corpus_dir: Path, target: Path) -> Path:
    shutil.copytree(sample_corpus_dir, target)
    return target


def test_second_load_is_served_from_cache(
    sample_corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus_dir = _copy_sample(sample_corpus_dir, tmp_path / "corpus")
    first = load_corpus([corpus_dir])
    assert list(cache_dir().glob("corpus-*.pickle"))

    def fail(path: Path) -> None:
        raise AssertionError(f"parsed {path} although the cache was valid")

    monkeypatch.setattr(corpus_module, "parse_file", fail)
    second = load_corpus([corpus_dir])
    assert [p.to_json() for p in second.papers] == [p.to_json() for p in first.papers]


def test_changed_file_invalidates_cache(sample_corpus_dir: Path, tmp_path: Path) -> None:
    corpus_dir = _copy_sample(sample_corpus_dir, tmp_path / "corpus")
    assert len(load_corpus([corpus_dir]).papers) == 651
    listing = corpus_dir / "001_00bc72dca980dd80.txt"
    listing.write_text(
        listing.read_text(encoding="utf-8")
        + "\nLGJan 2, 2026\nA Brand New PaperAnn Lee, Bob Smith\nNew abstract.\n",
        encoding="utf-8",
    )
    stat = listing.stat()
    os.utime(listing, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    titles = {p.title for p in load_corpus([corpus_dir]).papers}
    assert "A Brand New Paper" in titles


def test_damaged_cache_entry_is_rebuilt(sample_corpus_dir: Path, tmp_path: Path) -> None:
    corpus_dir = _copy_sample(sample_corpus_dir, tmp_path / "corpus")
    load_corpus([corpus_dir])
    for entry in cache_dir().glob("corpus-*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert len(load_corpus([corpus_dir]).papers) == 651


def test_cache_can_be_bypassed(sample_corpus_dir: Path, tmp_path: Path) -> None:
    corpus_dir = _copy_sample(sample_corpus_dir, tmp_path / "corpus")
    load_corpus([corpus_dir], use_cache=False)
    assert not list(cache_dir().glob("corpus-*.pickle"))


def test_search_index_is_cached_beside_the_corpus(
    sample_corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.search import cached
    from reader.search.index import SearchIndex

    corpus_dir = _copy_sample(sample_corpus_dir, tmp_path / "corpus")
    first = cached.engine_for(load_corpus([corpus_dir]))
    expected = first.search("bayesian optimisation", {}).indices

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("rebuilt the index although the cache was valid")

    monkeypatch.setattr(SearchIndex, "build", fail)
    second = cached.engine_for(load_corpus([corpus_dir]))
    assert second.search("bayesian optimisation", {}).indices == expected


def test_stale_search_index_is_rebuilt(sample_corpus_dir: Path, tmp_path: Path) -> None:
    from reader.search import cached

    corpus_dir = _copy_sample(sample_corpus_dir, tmp_path / "corpus")
    corpus = load_corpus([corpus_dir])
    cached.engine_for(corpus)
    for entry in cache_dir().glob("search-*.pickle"):
        entry.write_bytes(b"garbage")
    engine = cached.engine_for(corpus)
    assert len(engine.search("", {}).indices) == 651


def test_problems_are_reported_once_from_cache(sample_corpus_dir: Path, tmp_path: Path) -> None:
    corpus_dir = _copy_sample(sample_corpus_dir, tmp_path / "corpus")
    (corpus_dir / "bad.bin").write_bytes(b"\x00")
    inputs = [corpus_dir, tmp_path / "missing.txt"]
    first = [str(p) for p in load_corpus(inputs).problems]
    second = [str(p) for p in load_corpus(inputs).problems]
    assert len(first) == 2
    assert second == first


@pytest.mark.parametrize("damage", ["delete", "truncate"])
def test_missing_or_short_abstracts_file_is_a_cache_miss(
    sample_corpus_dir: Path, tmp_path: Path, damage: str
) -> None:
    corpus_dir = _copy_sample(sample_corpus_dir, tmp_path / "corpus")
    expected = [p.abstract for p in load_corpus([corpus_dir]).papers]
    [blob] = cache_dir().glob("abstracts-*.bin")
    if damage == "delete":
        blob.unlink()
    else:
        blob.write_bytes(blob.read_bytes()[:1000])
    assert [p.abstract for p in load_corpus([corpus_dir]).papers] == expected
