"""The app as people use it (issue 11): typed search, tag completion, small terminals,
dialogs, the problems view, the mouse. Every test drives the real app key by key."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual import events
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static
from ui_support import (
    REPO,
    FakeClipboard,
    app_test,
    list_lines,
    main_screen,
    make_app,
    settle,
    stored,
)

from reader.ui.app import ReaderApp
from reader.ui.screens.export import ExportScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.main import MainScreen
from reader.ui.screens.problems import ProblemsScreen
from reader.ui.screens.tags import AddTagsScreen
from reader.ui.widgets.paper_detail import PaperDetail
from reader.ui.widgets.paper_list import PaperList
from reader.ui.widgets.sidebar import Sidebar

SMALL = (80, 24)


def sample_app(tmp_path: Path, **kwargs: Any) -> ReaderApp:
    kwargs.setdefault("theme_dirs", [REPO / "themes"])
    kwargs.setdefault("export_dir", tmp_path)
    return ReaderApp(
        [REPO / "sample_corpus"],
        tmp_path / "reading_list.json",
        clipboard=FakeClipboard(),
        **kwargs,
    )


def counts_text(screen: MainScreen) -> str:
    return str(screen.query_one("#counts", Static).render())


def hint_text(screen: MainScreen) -> str:
    hint = screen.query_one("#search-hint", Static)
    return str(hint.render()) if hint.display else ""


async def type_slowly(pilot: Any, text: str) -> None:
    """One key at a time, letting each search land, as a person typing at human speed."""
    for key in text:
        await pilot.press(key)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.mark.slow
@app_test
async def test_typed_readme_example_keeps_typo_tolerance_at_80x24(tmp_path: Path) -> None:
    app = sample_app(tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("slash")
        await type_slowly(pilot, "bayesain optimzation")
        assert screen.query_one("#search", Input).value == "bayesain optimzation"
        assert "18 / 651 shown" in counts_text(screen)
        current = screen.paper_list.current_paper
        assert current is not None and "Bayesian" in current.display_title


@app_test
async def test_typed_empty_field_filters_hint_instead_of_searching(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("slash")
        await type_slowly(pilot, "author:")
        assert "6 / 6 shown" in counts_text(screen)  # not 0: nothing to filter on yet
        assert "author: needs a value, e.g. author:vincent" in hint_text(screen)
        for _ in "author:":
            await pilot.press("backspace")
        await type_slowly(pilot, "tag:")
        assert "6 / 6 shown" in counts_text(screen)  # not the papers with the word "tag"
        assert "tag: needs a value, e.g. tag:toread" in hint_text(screen)
        await type_slowly(pilot, "ml")
        assert hint_text(screen) == ""


@app_test
async def test_tab_accepts_the_tag_completion(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    db = tmp_path / "reading_list.json"
    async with app.run_test(size=SMALL) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("t", *"toread", "enter")
        await settle(pilot)
        await pilot.press("j", "t", "t", "o")
        await pilot.press("tab", "enter")  # no pause: tab must not wait for the suggestion
        second = screen.paper_list.current_paper
        assert second is not None
        assert stored(db)[second.id]["tags"] == ["toread"]


@app_test
async def test_tag_dialog_offers_suggested_tags_that_tab_accepts(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    chosen: list[list[str] | None] = []
    async with app.run_test(size=SMALL) as pilot:
        await main_screen(pilot)
        app.push_screen(
            AddTagsScreen(["theory"], "this paper", suggested=["diffusion", "to read"]),
            chosen.append,
        )
        await pilot.pause()
        shown = str(app.screen.query_one("#tags-suggested", Label).render())
        assert "#diffusion #to read" in shown
        await pilot.press("tab", *", t", "tab", "enter")
        assert chosen == [["diffusion", "to read"]]


def screen_text(app: Any) -> str:
    """Every character on the terminal, as the user sees it."""
    return "\n".join(line.text for line in app.screen._compositor.render_strips())


@app_test
async def test_help_lists_the_query_language_and_views_and_says_it_scrolls(
    tmp_path: Path,
) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await main_screen(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        first_page = screen_text(app)
        assert "more ↓" in first_page  # the 80x24 user can tell there is more
        pages = [first_page]
        for _ in range(8):  # scroll to the end, reading every screenful
            await pilot.press("pagedown")
            await settle(pilot)
            pages.append(screen_text(app))
        text = "\n".join(pages)
        for syntax in (
            "author:",
            "title:",
            "abstract:",
            "year:",
            "cat:",
            "org:",
            "tag:",
            "is:",
            "has:",
            "-term",
            '"exact phrase"',
            "is:duplicate",
            "has:authors",
            "sidebar",
        ):
            assert syntax in text, syntax
        assert "more ↓" not in pages[-1]
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


@app_test
async def test_help_renders_the_key_rows_it_is_given(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await main_screen(pilot)
        app.push_screen(HelpScreen([("Papers", "w", "open the paper [bold]x[/]")]))
        await settle(pilot)
        shown = screen_text(app)
        assert "Papers" in shown and "open the paper [bold]x[/]" in shown
        assert "j / k" not in shown  # only the rows passed in


@app_test
async def test_problems_view_shows_data_quality_counts_as_filters(tmp_path: Path) -> None:
    app = sample_app(tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        shown = screen_text(app)
        assert "601 papers without authors" in shown
        assert "601 papers without a date" in shown
        assert "10 papers without a title" in shown
        assert "possible duplicate" in shown
        await pilot.press("down", "down", "enter")  # the third: without a title
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert screen.search_input.value == "-has:title"
        assert "10 / 651 shown" in counts_text(screen)


async def replace_input(pilot: Any, text: str) -> None:
    """Clear the focused input and type ``text``, as a person would (keep it short: each
    key costs a Pilot round trip)."""
    await pilot.press("end", "shift+home", "backspace", *text)


@pytest.mark.slow
@app_test
async def test_export_dialog_fits_80x24_says_abstracts_and_titles_with_the_query(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = make_app(tmp_path)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "exports"
    out.mkdir()
    async with app.run_test(size=SMALL) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("slash", *"graph", "enter")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        shown = screen_text(app)
        assert "Export" in shown and "Cancel" in shown  # the buttons are on screen
        assert "BibTeX entries always include the abstract" in shown
        # Format: Markdown, chosen with the keyboard.
        await pilot.press("enter", "down", "enter")
        await settle(pilot)
        assert "Abstracts: not included" in screen_text(app)
        await pilot.press("tab", "tab", "space")  # format -> papers -> abstracts: tick it
        await settle(pilot)
        assert "Abstracts: included" in screen_text(app)
        await pilot.press("tab")
        await replace_input(pilot, "exports/graph.md")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert screen.search_input.value == "graph"
    written = (out / "graph.md").read_text(encoding="utf-8")
    assert written.startswith("# Search: graph — ")
    assert "Reading list" not in written.splitlines()[0]
    assert "We study graph neural networks" in written  # abstracts included


@pytest.mark.slow
@app_test
async def test_export_offers_selected_papers_and_remembers_directory_and_scope(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = make_app(tmp_path)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "elsewhere"
    out.mkdir()
    async with app.run_test(size=SMALL) as pilot:
        await main_screen(pilot)
        await pilot.press("space", "j", "j", "space", "e")  # select the first and third
        await settle(pilot)
        await pilot.press("tab", "enter")  # the papers list
        await settle(pilot)
        assert "Selected papers (2)" in screen_text(app)
        await pilot.press("down", "enter", "tab")  # "Selected papers", then the path
        await replace_input(pilot, "elsewhere/chosen.bib")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        written = (out / "chosen.bib").read_text(encoding="utf-8")
        assert written.count("@") == 2 and "Transformers for Tiny Data" in written

        await pilot.press("e")  # reopened: same directory, same scope
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        assert Path(dialog.query_one("#export-path", Input).value).parent == out
        assert dialog.query_one("#export-scope", Select).value == "selected"
        await pilot.press("escape")
    state = json.loads((Path(os.environ["XDG_STATE_HOME"]) / "reader" / "state.json").read_text())
    assert state["export.directory"] == str(out) and state["export.scope"] == "selected"


@app_test
async def test_detail_pane_shows_readable_math_short_source_and_highlights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # as after `pip install .`: the corpus is not under cwd
    app = sample_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("slash", *"secretary", "enter")
        await settle(pilot)
        body = screen.query_one("#detail-body", Static)
        content = body.content
        assert isinstance(content, Text)
        plain = content.plain
        assert "k-secretary" in plain and "$k$" not in plain
        assert "Source    sample_corpus/001_00bc72dca980dd80.txt:" in plain
        match = screen.query_one(PaperDetail).get_component_rich_style(
            "paper-detail--match", partial=True
        )
        abstract_at = plain.index("\nAbstract\n")
        marked = [
            (span.start, plain[span.start : span.end].casefold())
            for span in content.spans
            if span.style == match
        ]
        assert any(at > abstract_at and word == "secretary" for at, word in marked), marked


async def wheel_down(pilot: Any, widget: type[Widget], offset: tuple[int, int]) -> bool:
    """One notch of the mouse wheel over ``widget``. Pilot has click and hover but no wheel;
    its mouse-event helper routes the event to the widget under the pointer, as a real
    terminal's event would be."""
    return bool(await pilot._post_mouse_events([events.MouseScrollDown], widget, offset=offset))


@app_test
async def test_mouse_click_selects_a_row_opens_a_view_and_the_wheel_scrolls(
    tmp_path: Path,
) -> None:
    app = sample_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await main_screen(pilot)
        paper_list = screen.paper_list
        assert await pilot.click(PaperList, offset=(10, 4))
        await settle(pilot)
        assert paper_list.cursor == 4
        detail = screen.query_one("#detail-body", Static).content
        current = paper_list.current_paper
        assert current is not None and isinstance(detail, Text)
        assert detail.plain.startswith(current.display_title[:20])

        for _ in range(3):  # the wheel scrolls the list, not the cursor
            assert await wheel_down(pilot, PaperList, (10, 5))
        await settle(pilot)
        scrolled = int(paper_list.scroll_offset.y)
        assert scrolled > 0
        assert await pilot.click(PaperList, offset=(10, 2))  # a row scrolled into view
        await settle(pilot)
        assert paper_list.cursor == scrolled + 2

        inbox_row = [view.key for view in screen.session.views()].index("inbox")
        assert await pilot.click(Sidebar, offset=(3, inbox_row))
        await settle(pilot)
        assert screen.search_input.value == "is:unread"


@app_test
async def test_narrow_terminal_stacks_the_panes_and_hides_the_sidebar(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await main_screen(pilot)
        sidebar, paper_list = screen.query_one(Sidebar), screen.paper_list
        detail = screen.query_one(PaperDetail)
        assert sidebar.region.width > 0
        assert detail.region.x > paper_list.region.x  # side by side
        wide_list = paper_list.region.width
        assert wide_list >= 160 - 22 - 64 - 2  # the detail pane is capped: the list gets the rest

        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert screen.has_class("-narrow")
        assert sidebar.region.width == 0  # hidden
        assert detail.region.y > paper_list.region.y  # under the list
        assert paper_list.region.width >= 78
        first = list_lines(screen)[0]
        assert "Graph Neural Networks for Everything" in first and first.rstrip().endswith("2022")

        await pilot.press("b")  # still reachable on demand
        await settle(pilot)
        assert sidebar.region.width > 0
