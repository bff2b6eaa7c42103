"""A corpus grown by a day's file is searched through the old cached index plus a small one
over what changed (reader.search.segments). Every answer must equal one index built over
the whole grown corpus: same papers, same order, same totals, for every sort (issue 12)."""

from __future__ import annotations

import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.model.annotation import Annotation
from reader.parsing.corpus import Corpus, load_corpus
from reader.search import SearchEngine, SegmentedEngine, SortKey
from reader.search.cached import engine_for
from reader.search.index import SearchIndex

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import DATED, file_text, generate

SAMPLE = Path(__file__).resolve().parent.parent / "sample_corpus"
QUERIES = [
    "",
    "bayesian",
    "bayesian optimization",
    "optimz",
    "gauss",
    '"neural network"',
    "-learning",
    "title:diffusion",
    "author:wang",
    "year:2023..2025",
    "has:code",
    "is:starred",
    "tag:later",
    "is:unread graph",
    "zzzznotaword",
    "ti",
    "cat:cs.LG",
    "a",
]
ANNOTATIONS: dict[str, Annotation] = {}


def _grown(tmp_path: Path, added: str) -> tuple[Corpus, SegmentedEngine]:
    """The sample corpus cached without its last file, then that file plus ``added``."""
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    sample_files = sorted(SAMPLE.iterdir())
    for path in sample_files[:-1]:
        shutil.copy(path, corpus_dir / path.name)
    engine_for(load_corpus([corpus_dir]))  # the cached corpus and index of the old files
    shutil.copy(sample_files[-1], corpus_dir / sample_files[-1].name)
    (corpus_dir / "zzz_day.txt").write_text(added, encoding="utf-8")
    corpus = load_corpus([corpus_dir], link=False)
    assert corpus.growth is not None, "the new files should have been added, not reloaded"
    engine = engine_for(corpus, compact=False)
    assert isinstance(engine, SegmentedEngine)
    return corpus, engine


def _a_day(seed: int, count: int = 30) -> str:
    dated = [paper for paper in generate(4 * count, seed) if paper.date and paper.category]
    return file_text(DATED, dated[:count])


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> tuple[Corpus, SegmentedEngine]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        # A record of an old paper again, with a longer abstract and a word of its own: the
        # merged paper must be found by that word, once, and the old index must not list it.
        old = next(
            paper
            for paper in load_corpus([SAMPLE], use_cache=False).papers[:400]
            if paper.title and paper.authors and paper.date and paper.category
        )
        again = file_text(DATED, [replace(old, abstract=old.abstract + " Quokkamagnet.")])
        return _grown(tmp_path_factory.mktemp("grown"), _a_day(5) + "\n" + again)


def _annotations(corpus: Corpus) -> dict[str, Annotation]:
    ids = [paper.id for paper in corpus.papers]
    return {
        ids[0]: Annotation(ids[0], starred=True, tags=["later"]),
        ids[-1]: Annotation(ids[-1], starred=True, status="read"),
        ids[len(ids) // 2]: Annotation(ids[len(ids) // 2], tags=["later"]),
    }


@pytest.mark.parametrize("sort", list(SortKey))
@pytest.mark.parametrize("query", QUERIES)
def test_a_grown_corpus_answers_like_one_index(
    grown: tuple[Corpus, SegmentedEngine], query: str, sort: SortKey
) -> None:
    corpus, segmented = grown
    whole = SearchEngine(corpus.papers)
    annotations = _annotations(corpus)
    expected = whole.search(query, annotations, sort)
    found = segmented.search(query, annotations, sort)
    assert found.indices == expected.indices
    assert found.total == expected.total
    assert found.hint == expected.hint
    limited = segmented.search(query, annotations, sort, limit=7)
    assert limited.indices == whole.search(query, annotations, sort, limit=7).indices


def test_the_merged_paper_is_found_by_its_new_words_once(
    grown: tuple[Corpus, SegmentedEngine],
) -> None:
    corpus, segmented = grown
    found = segmented.search("quokkamagnet", {})
    assert len(found.indices) == 1
    assert "Quokkamagnet" in corpus.papers[found.indices[0]].abstract
    assert found.indices[0] < len(load_corpus([SAMPLE], use_cache=False).papers)  # an old row
    everything = segmented.search("", {})
    assert len(everything.indices) == len(set(everything.indices)) == len(corpus.papers)


def test_narrowing_within_a_previous_result_matches_a_fresh_search(
    grown: tuple[Corpus, SegmentedEngine],
) -> None:
    corpus, segmented = grown
    first = segmented.search("learning ", {})
    narrowed = segmented.search("learning model", {}, within=first.indices)
    assert narrowed.indices == SearchEngine(corpus.papers).search("learning model", {}).indices


def test_the_new_papers_are_searchable_without_rebuilding_the_old_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    real_build = SearchIndex.build.__func__  # type: ignore[attr-defined]

    def counting_build(cls, papers, progress=None):  # type: ignore[no-untyped-def]
        built.append(len(papers))
        return real_build(cls, papers, progress)

    monkeypatch.setattr(SearchIndex, "build", classmethod(counting_build))
    corpus, engine = _grown(tmp_path, _a_day(7, 20))
    old_size = corpus.growth.base_size if corpus.growth else 0
    assert built[0] == old_size  # the first start indexed the old corpus
    assert max(built[1:]) < old_size  # the day's start indexed only what changed
    day = corpus.papers[-1]
    assert day.title is not None
    assert len(corpus.papers) - 1 in engine.search(f'"{day.title}"', {}).indices
    # The grown state is cached: the next start reads it, building nothing.
    built.clear()
    again = engine_for(load_corpus([tmp_path / "corpus"], link=False), compact=False)
    assert built == [] and again.search("", {}).indices == engine.search("", {}).indices


def test_a_large_addition_is_compacted_into_one_index(tmp_path: Path) -> None:
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    (corpus_dir / "a.txt").write_text(_a_day(1, 40), encoding="utf-8")
    engine_for(load_corpus([corpus_dir]))
    (corpus_dir / "b.txt").write_text(_a_day(2, 40), encoding="utf-8")  # doubles it
    corpus = load_corpus([corpus_dir], link=False)
    assert corpus.growth is not None
    assert isinstance(engine_for(corpus, compact=False), SegmentedEngine)
    corpus = load_corpus([corpus_dir], link=False)
    assert isinstance(engine_for(corpus), SearchEngine)


HOSTILE = st.text(
    alphabet=st.sampled_from(list('{}%\\$~\x00\x1b[]\u202e"-:ab ')) | st.characters(),
    max_size=30,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=HOSTILE, sort=st.sampled_from(list(SortKey)))
def test_any_query_text_answers_like_one_index(
    grown: tuple[Corpus, SegmentedEngine], query: str, sort: SortKey
) -> None:
    _answers_like_one_index(grown, query, sort)


WORDS = sorted(
    {
        word.lower()
        for paper in load_corpus([SAMPLE], use_cache=False).papers[:200]
        for word in (paper.title or "").split()
        if word.isalpha() and len(word) > 2
    }
)


@st.composite
def typed_queries(draw: st.DrawFn) -> str:
    """Queries as people type them: real words, cut short (a prefix), or with one typo."""
    words = []
    for _ in range(draw(st.integers(1, 3))):
        word = draw(st.sampled_from(WORDS))
        cut = draw(st.integers(1, len(word)))
        typo = draw(st.integers(0, len(word) - 1))
        shape = draw(st.sampled_from(["whole", "prefix", "typo", "negated"]))
        words.append(
            {
                "whole": word,
                "prefix": word[:cut],
                "typo": word[:typo] + word[typo + 1 :],
                "negated": "-" + word,
            }[shape]
        )
    return " ".join(words)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=typed_queries(), sort=st.sampled_from(list(SortKey)))
def test_typed_words_prefixes_and_typos_answer_like_one_index(
    grown: tuple[Corpus, SegmentedEngine], query: str, sort: SortKey
) -> None:
    _answers_like_one_index(grown, query, sort)


def _answers_like_one_index(
    grown: tuple[Corpus, SegmentedEngine], query: str, sort: SortKey
) -> None:
    corpus, segmented = grown
    expected = SearchEngine(corpus.papers).search(query, {}, sort)
    found = segmented.search(query, {}, sort)
    assert (found.indices, found.total, found.hint) == (
        expected.indices,
        expected.total,
        expected.hint,
    )


def test_a_second_days_file_grows_the_small_index_and_answers_like_one_index(
    tmp_path: Path,
) -> None:
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus_dir)
    engine_for(load_corpus([corpus_dir]))  # the old corpus and its index
    (corpus_dir / "zzz_1.txt").write_text(_a_day(21, 8), encoding="utf-8")
    first = load_corpus([corpus_dir])  # linked and cached, as after a day's session
    assert first.growth is not None
    assert isinstance(engine_for(first), SegmentedEngine)  # cached segmented
    (corpus_dir / "zzz_2.txt").write_text(_a_day(22, 8), encoding="utf-8")
    second = load_corpus([corpus_dir], link=False)
    assert second.growth is not None and second.growth.base_size == len(first.papers)
    grown = engine_for(second)
    assert isinstance(grown, SegmentedEngine)
    whole = SearchEngine(second.papers)
    for query in ("", "bayesian", "learning model", "optimz", "year:2024.."):
        for sort in SortKey:
            expected = whole.search(query, {}, sort)
            found = grown.search(query, {}, sort)
            assert (found.indices, found.total) == (expected.indices, expected.total)
