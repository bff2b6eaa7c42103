"""The stand-in engine while the index is built behind the shown list (issue 12)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from reader.parsing.corpus import load_corpus
from reader.search import DeferredEngine, SearchEngine, SortKey

SAMPLE = Path(__file__).resolve().parent.parent / "sample_corpus"


@pytest.fixture(scope="module")
def papers() -> list[object]:
    return list(load_corpus([SAMPLE], use_cache=False).papers)


@pytest.mark.parametrize("sort", list(SortKey))
def test_everything_is_listed_as_the_index_lists_it(papers: list, sort: SortKey) -> None:  # type: ignore[type-arg]
    waiting = DeferredEngine(papers)
    expected = SearchEngine(papers).search("", {}, sort)
    found = waiting.search("", {}, sort)
    assert not waiting.ready
    assert (found.indices, found.total) == (expected.indices, expected.total)
    assert waiting.search("", {}, sort, limit=5).indices == expected.indices[:5]


def test_a_query_waits_for_the_index_and_a_newer_one_cancels_it(papers: list) -> None:  # type: ignore[type-arg]
    waiting = DeferredEngine(papers)
    superseded = threading.Event()
    superseded.set()
    assert waiting.search("bayesian", {}, should_stop=superseded.is_set).cancelled

    answers: list[object] = []
    searching = threading.Thread(target=lambda: answers.append(waiting.search("bayesian", {})))
    searching.start()
    engine = SearchEngine(papers)
    waiting.provide(engine)
    searching.join(30)
    assert not searching.is_alive()
    assert answers[0].indices == engine.search("bayesian", {}).indices  # type: ignore[attr-defined]
    assert waiting.ready and waiting.search("gauss", {}).total == engine.search("gauss", {}).total


def test_an_index_that_cannot_be_built_is_said_not_waited_for(papers: list) -> None:  # type: ignore[type-arg]
    waiting = DeferredEngine(papers)
    waiting.give_up("[bold]out of memory{0}")
    result = waiting.search("bayesian", {})
    assert result.indices == [] and not result.cancelled
    assert result.hint == "Search is unavailable: [bold]out of memory{0}"
    assert waiting.search("", {}).total == len(papers)  # the list itself still works


def test_a_cached_corpus_is_listed_newest_first_without_building_papers() -> None:
    """At 10^6 papers building every paper costs gigabytes: the list shown while the
    index loads comes from the dates column; title order waits for the index."""
    from reader.parsing.table import PaperTable

    load_corpus([SAMPLE])  # fills the cache
    table = load_corpus([SAMPLE]).papers
    assert isinstance(table, PaperTable)
    waiting = DeferredEngine(table)
    expected = SearchEngine(list(load_corpus([SAMPLE], use_cache=False).papers)).search("", {})
    assert waiting.search("", {}, SortKey.DATE).indices == expected.indices
    assert all(made is None for made in table._made)
    stop = threading.Event()
    stop.set()
    assert waiting.search("", {}, SortKey.TITLE, should_stop=stop.is_set).cancelled
