"""A cold start shows the list before the search index exists (issue 12): the papers can be
read and triaged at once, a typed search waits for the index with its progress shown in the
counts line, and lands with exactly the engine's answer. A day's new file is searchable at
the first frame, through the old index plus a small one (reader.search.segments)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

import reader.ui.app as app_module
from reader.model.paper import Paper
from reader.parsing.corpus import load_corpus
from reader.search import DeferredEngine, SearchEngine, SegmentedEngine
from reader.search.cached import engine_for
from reader.ui.app import ReaderApp
from tests.ui_support import (
    REPO,
    FakeClipboard,
    app_test,
    list_lines,
    settle,
    stored,
    wait_until,
)
from tests.ui_support import main_screen as settled_main_screen

SMALL = (80, 24)


def _app(corpus: Path, tmp_path: Path) -> ReaderApp:
    return ReaderApp(
        [corpus], tmp_path / "reading_list.json", clipboard=FakeClipboard(), theme_dirs=[]
    )


def _counts(app: ReaderApp) -> str:
    return str(app.screen.query_one("#counts", Static).render())


class GatedIndex:
    """Builds the real index only when the test opens the gate, after reporting progress."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.started = threading.Event()

    def __call__(self, papers: Any, progress: Any = None) -> SearchEngine:
        if progress is not None:
            progress(len(papers) // 2, len(papers))
        self.started.set()
        self.gate.wait(60)  # released by the test; bounded so a broken test cannot hang CI
        return SearchEngine(papers, progress=progress)


@app_test
async def test_the_list_is_usable_while_the_index_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gated = GatedIndex()
    monkeypatch.setattr(app_module, "SearchEngine", gated)
    app = _app(REPO / "sample_corpus", tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "MainScreen")
        await wait_until(pilot, gated.started.is_set)
        assert app.session is not None
        assert isinstance(app.session.engine, DeferredEngine)
        assert not app.session.engine.ready
        screen = app.screen
        # Listed newest first at once, like the index would list them.
        papers = app.session.papers
        expected_first = papers[SearchEngine(papers).search("", {}).indices[0]]
        await wait_until(pilot, lambda: bool(list_lines(screen)))  # type: ignore[arg-type]
        current = screen.paper_list.current_paper  # type: ignore[attr-defined]
        assert current is not None and current.id == expected_first.id
        # Triage works: star the first paper, and it is on disk.
        await pilot.press("s")
        await wait_until(pilot, lambda: stored(tmp_path / "reading_list.json") != {})
        assert stored(tmp_path / "reading_list.json")[current.id]["starred"] is True
        # The counts line says the index is still being built, with its progress.
        half = len(papers) // 2 * 100 // len(papers)  # what GatedIndex reported
        await wait_until(pilot, lambda: f"indexing for search {half}%" in _counts(app))
        # Learning waits for the index: both are work in this process, search comes first.
        assert not screen.learner._started  # type: ignore[attr-defined]
        # A search typed now waits for the index, then shows the engine's answer.
        await pilot.press("slash", *"bayesain optimzation")
        gated.gate.set()
        await wait_until(pilot, lambda: app.session.engine.ready)  # type: ignore[union-attr]
        await settle(pilot)
        expected = SearchEngine(papers).search("bayesain optimzation", {})
        assert screen.paper_list.row_count == len(expected.indices)  # type: ignore[attr-defined]
        shown = screen.paper_list.current_paper  # type: ignore[attr-defined]
        assert shown is not None and shown.id == papers[expected.indices[0]].id
        await wait_until(pilot, lambda: "indexing" not in _counts(app))
        assert screen.learner._started  # type: ignore[attr-defined]


def _dated_day(count: int, seed: int) -> str:
    from benchmarks.synthetic import DATED, file_text, generate

    dated = [paper for paper in generate(4 * count, seed) if paper.date and paper.category]
    return file_text(DATED, dated[:count])


@app_test
async def test_a_days_new_file_is_searchable_at_the_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "sample_corpus", corpus)
    engine_for(load_corpus([corpus]))  # yesterday's start: cached corpus and index
    (corpus / "zzz_today.txt").write_text(_dated_day(10, 3), encoding="utf-8")
    today: Paper = load_corpus([corpus], use_cache=False).papers[-1]

    def no_full_build(*_: Any, **__: Any) -> None:
        raise AssertionError("rebuilt the whole index for a day's file")

    monkeypatch.setattr(app_module, "SearchEngine", no_full_build)
    app = _app(corpus, tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        screen = await settled_main_screen(pilot)
        assert app.session is not None
        assert isinstance(app.session.engine, DeferredEngine)  # the list came first
        assert isinstance(app.session.engine.engine, SegmentedEngine)
        assert today.title is not None
        await pilot.press("slash", *today.title[:40])
        await settle(pilot)
        current = screen.paper_list.current_paper
        assert current is not None and current.id == today.id
