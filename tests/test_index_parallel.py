"""The search index is built in two processes for large corpora (issue 12): the result must
be the very same index, and a helper process that cannot start or dies costs only time."""

from __future__ import annotations

import pickle
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
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


def _serial(papers: list[Any], monkeypatch: pytest.MonkeyPatch) -> bytes:
    with monkeypatch.context() as patch:
        patch.setattr(index_module, "PARALLEL_ABOVE", 10**9)
        return pickle.dumps(SearchIndex.build(papers))


def test_two_processes_build_the_same_index_as_one(
    papers: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _serial(papers, monkeypatch)
    monkeypatch.setattr(index_module, "PARALLEL_ABOVE", 10)
    monkeypatch.setattr(index_module, "_usable_cores", lambda: 2)
    started: list[int] = []
    real_start = index_module._Helper.start.__func__  # type: ignore[attr-defined]

    def recording_start(cls: Any, papers: Any, order: Any, count: int) -> Any:
        helper = real_start(cls, papers, order, count)
        started.append(count if helper.future is not None else 0)
        return helper

    monkeypatch.setattr(index_module._Helper, "start", classmethod(recording_start))
    parallel = SearchIndex.build(papers)
    assert started == [len(papers) // 2]  # a real second process did half
    assert pickle.dumps(parallel) == serial
    engine = SearchEngine.from_state(parallel, papers)
    assert engine.search("bayesian optimization", {}).total > 0


class _BrokenPool:
    def __init__(self, *_: Any, **__: Any) -> None:
        pass

    def submit(self, *_: Any, **__: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_exception(BrokenProcessPool("the helper died"))
        return future

    def shutdown(self, *_: Any, **__: Any) -> None:
        pass


class _NoProcesses:
    def __init__(self, *_: Any, **__: Any) -> None:
        raise OSError("no processes left")


@pytest.mark.parametrize("pool", [_BrokenPool, _NoProcesses])
def test_a_helper_that_dies_or_cannot_start_costs_only_time(
    papers: list[Any], monkeypatch: pytest.MonkeyPatch, pool: type
) -> None:
    serial = _serial(papers, monkeypatch)
    monkeypatch.setattr(index_module, "PARALLEL_ABOVE", 10)
    monkeypatch.setattr(index_module, "_usable_cores", lambda: 2)
    monkeypatch.setattr(index_module, "ProcessPoolExecutor", pool)
    assert pickle.dumps(SearchIndex.build(papers)) == serial


def test_one_core_or_a_small_corpus_stays_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "_usable_cores", lambda: 1)
    assert index_module._helper_share(10**6) == 0
    monkeypatch.setattr(index_module, "_usable_cores", lambda: 2)
    assert index_module._helper_share(index_module.PARALLEL_ABOVE - 1) == 0
    assert index_module._helper_share(10**6) == 5 * 10**5
