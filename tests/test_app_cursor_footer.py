"""Cursor and footer (issue 11, item 5): first result after a query, visible after a resize,
and the triage keys in the footer from the first frame."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Footer
from ui_support import FakeClipboard, app_test, main_screen, settle

from reader.paths import sample_corpus_dir
from reader.ui.app import ReaderApp


def sample_app(tmp_path: Path) -> ReaderApp:
    return ReaderApp(
        [sample_corpus_dir()], tmp_path / "reading_list.json", clipboard=FakeClipboard()
    )


@app_test
async def test_the_footer_shows_the_triage_keys_from_the_first_frame(tmp_path: Path) -> None:
    app = sample_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await main_screen(pilot)
        await settle(pilot)  # no key pressed yet
        footer = screen.query_one(Footer)
        shown = {
            binding.description
            for (_, binding, enabled, _) in screen.active_bindings.values()
            if binding.show
        }
        assert {"Star", "Read", "Skip", "Tag"} <= shown
        assert screen.focused is screen.paper_list
        assert footer.display


@app_test
async def test_a_new_query_puts_the_cursor_on_the_best_result(tmp_path: Path) -> None:
    app = sample_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("j", "j", "j", "j", "j")
        assert screen.paper_list.cursor == 5
        await pilot.press("slash", *"bayesian")
        await settle(pilot)
        assert screen.paper_list.cursor == 0
        best = screen.paper_list.current_paper
        assert best is not None and "Bayesian" in best.display_title


@app_test
async def test_after_a_resize_the_current_row_stays_visible(tmp_path: Path) -> None:
    app = sample_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await main_screen(pilot)
        for _ in range(30):
            await pilot.press("j")
        await settle(pilot)
        paper_list = screen.paper_list
        assert paper_list.cursor == 30
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await pilot.pause()
        top = int(paper_list.scroll_offset.y)
        height = paper_list.scrollable_content_region.height
        assert top <= paper_list.cursor < top + height


@app_test
async def test_j_and_k_move_in_the_sidebar_and_enter_opens_the_view(tmp_path: Path) -> None:
    app = sample_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("b", "b")  # hide, then show: showing it gives it focus
        await settle(pilot)
        sidebar = screen.query_one("#sidebar")
        assert screen.focused is sidebar
        await pilot.press("j")
        start = sidebar.highlighted
        assert start is not None
        await pilot.press("j", "j", "k")
        assert sidebar.highlighted == start + 1
        await pilot.press("enter")
        await settle(pilot)
        assert screen.search_input.value == sidebar.views[start + 1].query
        assert screen.focused is screen.paper_list
