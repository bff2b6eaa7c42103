"""The second start is served from the cache (papers by column): the app must work the same."""

from __future__ import annotations

from pathlib import Path

from reader.parsing.table import PaperTable
from reader.ui.app import ReaderApp
from tests.ui_support import (
    TITLES_NEWEST_FIRST,
    FakeClipboard,
    app_test,
    list_lines,
    main_screen,
    settle,
    stored,
    write_corpus,
)

SIZE = (150, 40)


@app_test
async def test_warm_start_from_cache_shows_searches_and_annotates(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    db = tmp_path / "reading_list.json"

    cold = ReaderApp(corpus, db, clipboard=FakeClipboard())
    async with cold.run_test(size=SIZE) as pilot:
        cold_rows = list_lines(await main_screen(pilot))

    warm = ReaderApp(corpus, db, clipboard=(clipboard := FakeClipboard()))
    async with warm.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        assert warm.session is not None
        assert isinstance(warm.session.papers, PaperTable)  # really the cached form
        assert list_lines(screen) == cold_rows
        paper = screen.paper_list.current_paper
        assert paper is not None and paper.title == TITLES_NEWEST_FIRST[0]

        await pilot.press("s", "y")
        assert stored(db)[paper.id]["starred"] is True
        assert clipboard.copied[-1].startswith("@misc{lovelace2022graph,")

        await pilot.press("slash", *"transformers", "enter")
        await settle(pilot)
        assert screen.paper_list.row_count == 2  # a title match and an abstract match
