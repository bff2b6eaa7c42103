"""The search index is built in two processes for large corpora (issue 12): the result must
be the very same index, and a helper process that cannot start or dies costs only time."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

import reader.search.index as index_module
from reader.parsing.corpus import load_corpus
from reader.search import SearchEngine
from reader.search.index import SearchIndex

SAMPLE = Path(__file__).resolve().parent.parent / "sample_corpus"


@pytest.fixture(scope="module")
def papers() -> list[Any]:
    return list(load_corpus([SAMPLE], use_cache=False).papers)


def _force_a_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second process even for the sample corpus, whatever the machine's load."""
    monkeypatch.setattr(index_module, "PARALLEL_ABOVE", 10)
    monkeypatch.setattr(index_module, "usable_cores", lambda: 2)


def _serial(papers: list[Any], monkeypatch: pytest.MonkeyPatch) -> bytes:
    with monkeypatch.context() as patch:
        patch.setattr(index_module, "PARALLEL_ABOVE", 10**9)
        return pickle.dumps(SearchIndex.build(papers))


def test_two_processes_build_the_same_index_as_one(
    papers: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _serial(papers, monkeypatch)
    _force_a_helper(monkeypatch)
    started: list[int] = []
    real_start = index_module._Helper.start.__func__  # type: ignore[attr-defined]

    def recording_start(cls: Any, papers: Any, order: Any, count: int) -> Any:
        helper = real_start(cls, papers, order, count)
        started.append(count if helper.process is not None else 0)
        return helper

    monkeypatch.setattr(index_module._Helper, "start", classmethod(recording_start))
    parallel = SearchIndex.build(papers)
    assert started == [len(papers) // 2]  # a real second process did half
    assert pickle.dumps(parallel) == serial
    engine = SearchEngine.from_state(parallel, papers)
    assert engine.search("bayesian optimization", {}).total > 0


def _dies(conn: Any, texts: Any, first: int) -> None:
    import os

    os._exit(3)  # a helper process that crashes before answering


class _NoProcesses:
    def Pipe(self, *_: Any, **__: Any) -> Any:
        raise OSError("no processes left")


def test_a_helper_process_that_dies_costs_only_time(
    papers: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _serial(papers, monkeypatch)
    _force_a_helper(monkeypatch)
    monkeypatch.setattr(index_module, "_serve_postings", _dies)  # pickled by reference
    assert pickle.dumps(SearchIndex.build(papers)) == serial


def test_a_helper_that_cannot_start_costs_only_time(
    papers: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _serial(papers, monkeypatch)
    _force_a_helper(monkeypatch)
    monkeypatch.setattr(index_module, "process_context", _NoProcesses)
    assert pickle.dumps(SearchIndex.build(papers)) == serial


def test_an_abandoned_build_ends_its_helper_at_once(
    papers: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app quitting mid-build (progress raises) must not wait for the helper."""
    _force_a_helper(monkeypatch)
    helpers: list[Any] = []
    real_start = index_module._Helper.start.__func__  # type: ignore[attr-defined]

    def keep(cls: Any, *args: Any) -> Any:
        helpers.append(real_start(cls, *args))
        return helpers[-1]

    monkeypatch.setattr(index_module._Helper, "start", classmethod(keep))

    class Quit(Exception):
        pass

    def quitting(done: int, total: int) -> None:
        raise Quit

    with pytest.raises(Quit):
        SearchIndex.build(papers, quitting)
    assert helpers and helpers[0].process is None  # stopped, not left running


def test_one_core_or_a_small_corpus_stays_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "usable_cores", lambda: 1)
    assert index_module._helper_share(10**6) == 0
    monkeypatch.setattr(index_module, "usable_cores", lambda: 2)
    assert index_module._helper_share(index_module.PARALLEL_ABOVE - 1) == 0
    assert index_module._helper_share(10**6) == 5 * 10**5
