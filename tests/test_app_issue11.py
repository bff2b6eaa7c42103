"""The app as people use it (issue 11): typed search, tag completion, small terminals,
dialogs, the problems view, the mouse. Every test drives the real app key by key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input, Label, Static
from ui_support import REPO, FakeClipboard, app_test, main_screen, make_app, settle, stored

from reader.ui.app import ReaderApp
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.main import MainScreen
from reader.ui.screens.problems import ProblemsScreen
from reader.ui.screens.tags import AddTagsScreen

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
        await settle(pilot)


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
    app = sample_app(tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("slash")
        await type_slowly(pilot, "author:")
        assert "651 / 651 shown" in counts_text(screen)
        assert "author: needs a value" in hint_text(screen)
        for _ in "author:":
            await pilot.press("backspace")
        await type_slowly(pilot, "tag:")
        assert "651 / 651 shown" in counts_text(screen)  # not the papers with the word "tag"
        assert "tag: needs a value" in hint_text(screen)
        await type_slowly(pilot, "toread")
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
        app.push_screen(HelpScreen([("w", "open the paper [bold]x[/]", "Papers")]))
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
