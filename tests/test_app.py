"""The real app driven key by key (Pilot), checked on screen and in the JSON file on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, ProgressBar, Static, TextArea
from ui_support import (
    LONG_WORD,
    TITLES_NEWEST_FIRST,
    FakeClipboard,
    app_test,
    list_lines,
    main_screen,
    make_app,
    notices,
    settle,
    stored,
    wait_until,
)

from reader.config import Settings
from reader.model.paper import Paper
from reader.storage.errors import SaveError
from reader.storage.reading_list import ReadingList
from reader.ui.actions import ACTIONS
from reader.ui.app import ReaderApp
from reader.ui.screens.export import ExportScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.main import MainScreen
from reader.ui.screens.note import ConfirmLeaveScreen, NoteScreen
from reader.ui.screens.orphans import OrphansScreen
from reader.ui.screens.problems import ProblemsScreen
from reader.ui.screens.tags import AddTagsScreen, RemoveTagScreen
from reader.ui.widgets.paper_detail import PaperDetail
from reader.ui.widgets.paper_list import PaperList
from reader.ui.widgets.sidebar import Sidebar

SIZE = (150, 40)


def counts_text(screen: MainScreen) -> str:
    return str(screen.query_one("#counts", Static).render())


def current_title(screen: MainScreen) -> str:
    paper = screen.paper_list.current_paper
    assert paper is not None
    return paper.display_title


@app_test
async def test_start_up_lists_papers_newest_first_and_reports_problems(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, with_problem=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        assert screen.paper_list.row_count == 6
        lines = list_lines(screen)
        for line, title in zip(lines, TITLES_NEWEST_FIRST[:1], strict=False):
            assert title in line
        assert "Ada Lovelace et" in lines[0] and lines[0].endswith("2022")
        assert "6 / 6 shown" in counts_text(screen)
        assert any("1 problem reading the input files" in text for text in notices(app))

        await pilot.press("P")
        assert isinstance(app.screen, ProblemsScreen)
        problems = app.screen.query_one("#problems-list", OptionList)
        # Data-quality counts come first; the parser's problem is listed after them.
        shown = "\n".join(
            str(problems.get_option_at_index(i).prompt) for i in range(problems.option_count)
        )
        assert "notes.txt" in shown and "not a recognised listing" in shown
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


@app_test
async def test_moving_around_never_marks_read(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        paper_list = screen.paper_list
        assert app.focused is paper_list
        await pilot.press("j", "j")
        assert paper_list.cursor == 2
        assert current_title(screen) == "Transformers for Tiny Data"
        await pilot.press("k")
        assert paper_list.cursor == 1
        await pilot.press("down", "down", "up")
        assert paper_list.cursor == 2
        await pilot.press("G")
        assert paper_list.cursor == 5
        await pilot.press("g")
        assert paper_list.cursor == 0
        await settle(pilot)
        detail = str(screen.query_one("#detail-body", Static).render())
        assert "Graph Neural Networks for Everything" in detail
        assert "Ada Lovelace, Alan Turing" in detail
        assert "listing.txt:1" in detail
    db = tmp_path / "reading_list.json"
    assert not db.exists() or all(doc["status"] == "unread" for doc in stored(db).values())


@app_test
async def test_star_read_skip_and_undo_are_saved_and_shown(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    db = tmp_path / "reading_list.json"
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        paper = screen.paper_list.current_paper
        assert paper is not None

        await pilot.press("s")
        assert stored(db)[paper.id]["starred"] is True
        assert list_lines(screen)[0].startswith(" ★•")
        assert "★ 1 starred" in counts_text(screen)

        await pilot.press("r")
        assert stored(db)[paper.id]["status"] == "read"
        await settle(pilot)
        assert "5 unread" in counts_text(screen)
        assert "Status    read · ★ starred" in str(
            screen.query_one("#detail-body", Static).render()
        )

        await pilot.press("x")
        assert stored(db)[paper.id]["status"] == "skipped"
        assert list_lines(screen)[0].startswith(" ★×")

        await pilot.press("u")
        assert stored(db)[paper.id]["status"] == "read"
        await pilot.press("u", "u")
        # Undoing everything may drop the annotation altogether: absent means unread, unstarred.
        restored = stored(db).get(paper.id, {"status": "unread", "starred": False})
        assert (restored["status"], restored["starred"]) == ("unread", False)
        await pilot.press("u")
        assert any("Nothing to undo" in text for text in notices(app))
        await settle(pilot)
        assert list_lines(screen)[0].startswith("  •")


@app_test
async def test_bulk_selection_applies_to_every_selected_paper(tmp_path: Path) -> None:
    app, clipboard = make_app(tmp_path)
    db = tmp_path / "reading_list.json"
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("space", "j", "j", "space")
        assert len(screen.paper_list.selected_ids) == 2
        assert "2 selected" in counts_text(screen)
        lines = list_lines(screen)
        assert lines[0].startswith("▌") and lines[2].startswith("▌")
        assert not lines[1].startswith("▌")

        await pilot.press("s", "r")
        ids = screen.paper_list.selected_ids
        docs = stored(db)
        assert all(docs[i]["starred"] and docs[i]["status"] == "read" for i in ids)
        assert len(docs) == 2

        await pilot.press("y")
        assert clipboard.copied[-1].count("@") == 2
        assert any("Copied BibTeX for 2 papers (fake clipboard)" in t for t in notices(app))

        await pilot.press("escape")  # nothing searched: escape clears the selection
        assert screen.paper_list.selected_ids == []


@app_test
async def test_tags_are_added_with_completion_and_removed(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    db = tmp_path / "reading_list.json"
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        first = screen.paper_list.current_paper
        assert first is not None
        await pilot.press("t")
        assert isinstance(app.screen, AddTagsScreen)
        await pilot.press(*"graphs, to read", "enter")
        assert stored(db)[first.id]["tags"] == ["graphs", "to read"]
        await settle(pilot)
        assert "#graphs" in list_lines(screen)[0]
        assert "Tags      #graphs #to read" in str(
            screen.query_one("#detail-body", Static).render()
        )
        sidebar_labels = [str(option.prompt) for option in screen.query_one(Sidebar).options]
        assert "#graphs 1" in sidebar_labels

        await pilot.press("j", "t")
        await pilot.press(*"gr")
        await pilot.pause()
        tag_input = app.screen.query_one("#tags-input", Input)
        await pilot.press("right")  # accept the suggestion
        assert tag_input.value == "graphs"
        await pilot.press("enter")
        second = screen.paper_list.current_paper
        assert second is not None
        assert stored(db)[second.id]["tags"] == ["graphs"]

        await pilot.press("k", "T")
        assert isinstance(app.screen, RemoveTagScreen)
        await pilot.press("down", "enter")  # the second tag: "to read"
        assert stored(db)[first.id]["tags"] == ["graphs"]

        await pilot.press("j", "j", "T")  # a paper with no tags: nothing to choose
        assert isinstance(app.screen, MainScreen)
        assert any("No tags to remove" in text for text in notices(app))


@app_test
async def test_note_editor_saves_and_never_discards_silently(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    db = tmp_path / "reading_list.json"
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        paper = screen.paper_list.current_paper
        assert paper is not None

        await pilot.press("n")
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"first line", "enter", *"[bold]second")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, MainScreen)
        assert stored(db)[paper.id]["note"] == "first line\n[bold]second"
        assert "[bold]second" in str(screen.query_one("#detail-body", Static).render())

        await pilot.press("n", "x", "escape")
        assert isinstance(app.screen, ConfirmLeaveScreen)
        await pilot.press("escape")  # keep editing
        assert isinstance(app.screen, NoteScreen)
        assert app.screen.query_one(TextArea).text.endswith("x") or "x" in app.screen.text
        await pilot.press("escape", "d")  # discard
        assert isinstance(app.screen, MainScreen)
        assert stored(db)[paper.id]["note"] == "first line\n[bold]second"

        await pilot.press("n", "!", "escape", "s")  # save from the question
        assert stored(db)[paper.id]["note"] == "first line\n[bold]second!"

        await pilot.press("n", "escape")  # unchanged: closes without asking
        assert isinstance(app.screen, MainScreen)


@app_test
async def test_search_filters_hints_sorts_and_escape_clears(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("slash")
        assert app.focused is screen.search_input
        await pilot.press(*"graph")
        await settle(pilot)
        shown = [paper.display_title for paper in screen.paper_list.shown_papers]
        assert "Graph Neural Networks for Everything" in shown
        assert "Diffusion Models Beat Everything" not in shown
        assert f"{len(shown)} / 6 shown" in counts_text(screen)

        await pilot.press("space", *'"unclosed')
        await settle(pilot)
        hint = screen.query_one("#search-hint", Static)
        assert hint.display and "quote" in str(hint.render()).lower()

        await pilot.press("escape")
        assert app.focused is screen.paper_list
        await pilot.press("escape")
        await settle(pilot)
        assert screen.search_input.value == ""
        assert screen.paper_list.row_count == 6
        assert not screen.query_one("#search-hint", Static).display

        await pilot.press("o")
        await settle(pilot)
        assert "sort: date" in counts_text(screen)
        await pilot.press("o")
        await settle(pilot)
        assert "sort: title" in counts_text(screen)
        titles = [paper.display_title for paper in screen.paper_list.shown_papers]
        assert titles[0].startswith("[bold]Evil") or titles == sorted(titles, key=str.casefold)
        await pilot.press("o")
        await settle(pilot)
        assert "sort: for-you" in counts_text(screen)
        assert "star or tag 3 more" in counts_text(screen)  # too few labels: by date
        await pilot.press("o")
        await settle(pilot)
        assert "sort: relevance" in counts_text(screen)


@app_test
async def test_sidebar_views_set_the_query(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        sidebar = screen.query_one(Sidebar)
        await pilot.press("s")
        await pilot.press("b")
        assert sidebar.display is False
        await pilot.press("b")
        assert sidebar.display is True and app.focused is sidebar
        starred_index = [option.id for option in sidebar.options].index("starred")
        sidebar.highlighted = starred_index
        await pilot.press("enter")
        await settle(pilot)
        assert screen.search_input.value == "is:starred"
        assert screen.paper_list.row_count == 1
        assert app.focused is screen.paper_list


@app_test
async def test_orphaned_annotations_are_listed_readably(tmp_path: Path) -> None:
    db = tmp_path / "reading_list.json"
    elsewhere = Paper("0123456789ab", "A Paper From Another File", ("Emmy Noether",), "text")
    store = ReadingList.open(db)
    store.set_starred([elsewhere], True)
    store.add_tags([elsewhere], ["algebra"])
    del store
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        sidebar = screen.query_one(Sidebar)
        labels = [str(option.prompt) for option in sidebar.options]
        assert "Orphaned 1" in labels
        sidebar.focus()
        sidebar.highlighted = labels.index("Orphaned 1")
        await pilot.press("enter")
        assert isinstance(app.screen, OrphansScreen)
        text = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert "A Paper From Another File" in text and "Emmy Noether" in text
        assert "#algebra" in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


@app_test
async def test_copy_keys_use_the_injected_clipboard(tmp_path: Path) -> None:
    app, clipboard = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await main_screen(pilot)
        await pilot.press("y")
        assert clipboard.copied[-1].lstrip().startswith("@")
        assert "Graph Neural Networks" in clipboard.copied[-1]
        assert any("Copied BibTeX for 1 paper (fake clipboard)" in t for t in notices(app))
        await pilot.press("Y")
        assert clipboard.copied[-1] == "Graph Neural Networks for Everything"


@app_test
async def test_export_dialog_writes_the_chosen_papers(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    target = tmp_path / "out" / "starred.bib"
    target.parent.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        await main_screen(pilot)
        await pilot.press("s", "j", "s", "e")
        assert isinstance(app.screen, ExportScreen)
        dialog = app.screen
        dialog.query_one("#export-scope").value = "starred"  # type: ignore[attr-defined]
        dialog.query_one("#export-path", Input).value = str(target)
        dialog.query_one("#export-path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    written = target.read_text(encoding="utf-8")
    assert written.count("@") == 2
    assert "Graph Neural Networks" in written
    assert any(f"Exported 2 papers as BibTeX to {target}" in t for t in notices(app))


@app_test
async def test_help_screen_lists_the_keys(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await main_screen(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


@app_test
async def test_quit_key_exits(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await main_screen(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


@app_test
async def test_hostile_text_is_shown_not_interpreted(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        evil = list_lines(screen)[1]
        assert "[bold]Evil[/] ␛[31mTitle" in evil
        await pilot.press("j")
        await pilot.pause()
        detail = screen.query_one("#detail-body", Static)
        body = str(detail.render())
        assert "[link=http://x]link[/link]" in body
        assert LONG_WORD[:40] in body.replace("\n", "")
        # The long word wraps inside the pane instead of widening it.
        pane = screen.query_one(PaperDetail)
        assert pane.virtual_size.width <= pane.size.width


@app_test
async def test_read_only_database_shows_a_banner_and_refuses_edits(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, read_only=True)
    db = tmp_path / "reading_list.json"
    before = db.read_bytes() if db.exists() else None
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        banner = screen.query_one("#read-only-banner", Static)
        assert "READ-ONLY" in str(banner.render())
        await pilot.press("s", "r", "x")
        assert any(text.startswith("Not saved:") for text in notices(app))
        assert list_lines(screen)[0].startswith("  •")
    assert (db.read_bytes() if db.exists() else None) == before


@app_test
async def test_save_error_tells_the_user_the_change_was_not_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)

        def disk_full(*_: object) -> None:
            raise SaveError(app.db_path, "disk full")

        monkeypatch.setattr(screen.session.reading_list, "set_starred", disk_full)
        await pilot.press("s")
        assert any("Not saved" in text and "disk full" in text for text in notices(app))
        assert list_lines(screen)[0].startswith("  •")


@app_test
async def test_corrupt_database_is_reported_and_left_untouched(tmp_path: Path) -> None:
    db = tmp_path / "reading_list.json"
    db.write_text("{ this is not json", encoding="utf-8")
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        from reader.ui.screens.store_error import StoreErrorScreen

        assert isinstance(app.screen, StoreErrorScreen)
        assert str(db) in str(app.screen.query_one("#store-error-path", Static).render())
        await pilot.press("r")  # no backup exists: say so, keep offering to quit
        await pilot.pause()
        assert isinstance(app.screen, StoreErrorScreen)
        assert "No valid backup" in str(app.screen.query_one("#store-error-note", Static).render())
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert db.read_text(encoding="utf-8") == "{ this is not json"


@app_test
async def test_auto_read_marks_read_after_a_pause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(MainScreen, "AUTO_READ_SECONDS", 0.3)
    app, _ = make_app(tmp_path, settings=Settings(auto_read=True))
    db = tmp_path / "reading_list.json"
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("j", "j")  # passing through paper 1 must not mark it
        second = screen.paper_list.shown_papers[1]
        third = screen.paper_list.current_paper
        assert third is not None
        await wait_until(pilot, lambda: third.id in stored(db))
        docs = stored(db)
        assert docs[third.id]["status"] == "read"
        assert second.id not in docs


@app_test
async def test_auto_read_in_the_inbox_marks_only_the_paper_moved_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: in an is:unread list the read paper vanished, the cursor landed on the
    next one, and that one was marked read in turn, emptying the Inbox with no key pressed."""
    monkeypatch.setattr(MainScreen, "AUTO_READ_SECONDS", 0.05)
    app, _ = make_app(tmp_path, settings=Settings(auto_read=True))
    db = tmp_path / "reading_list.json"
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("slash", *"is:unread", "enter")
        await settle(pilot)
        total = screen.paper_list.row_count
        await pilot.press("j")
        moved_to = screen.paper_list.current_paper
        assert moved_to is not None
        await wait_until(pilot, lambda: moved_to.id in stored(db))
        await settle(pilot)
        # No further auto-read is pending (the refresh did not count as a move) ...
        assert screen.auto_read is not None and screen.auto_read.timer is None
        assert [doc["status"] for doc in stored(db).values()] == ["read"]
        # ... and it stays on screen under the cursor until the person moves on.
        assert screen.paper_list.current_paper is not None
        assert screen.paper_list.current_paper.id == moved_to.id
        assert screen.paper_list.row_count == total
        await pilot.press("j")
        await settle(pilot)
        assert screen.paper_list.row_count == total - 1
        assert moved_to.id not in [p.id for p in screen.paper_list.shown_papers]


@app_test
async def test_changes_by_another_process_show_up(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        paper = screen.paper_list.shown_papers[2]
        other = ReadingList.open(app.db_path)
        other.set_starred([paper], True)
        screen.poll_disk()  # what the 2-second timer does
        await settle(pilot)
        assert list_lines(screen)[2].startswith(" ★")
        assert "★ 1 starred" in counts_text(screen)


@app_test
async def test_command_palette_offers_triage_commands(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        commands = {command.title: command for command in app.get_system_commands(screen)}
        # Every palette action of the action table is offered, beside Textual's own.
        assert {action.description for action in ACTIONS if action.palette} <= set(commands)
        assert "Theme" in commands
        # And a command really runs its action: star the paper under the cursor.
        paper = screen.paper_list.current_paper
        assert paper is not None
        commands["Star / unstar"].callback()
        await settle(pilot)
        assert stored(app.db_path)[paper.id]["starred"] is True


@pytest.mark.parametrize("theme", ["reader-light", "reader-dark"])
@app_test
async def test_theme_option_selects_a_bundled_theme(tmp_path: Path, theme: str) -> None:
    app, _ = make_app(tmp_path, settings=Settings(theme=theme))
    async with app.run_test(size=SIZE) as pilot:
        await main_screen(pilot)
        assert app.theme == theme


@app_test
async def test_unknown_theme_is_reported(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, settings=Settings(theme="no-such-theme"))
    async with app.run_test(size=SIZE) as pilot:
        await main_screen(pilot)
        assert app.theme == "reader-dark"
        assert any("Unknown theme 'no-such-theme'" in text for text in notices(app))


@app_test
async def test_paper_list_renders_only_visible_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2,000 papers in a 24-line terminal: the list renders the rows on screen, not all."""
    import reader.ui.widgets.paper_list as paper_list_module

    words = ["Graph", "Sparse", "Neural", "Bayesian", "Optimal", "Robust", "Fast", "Deep"]
    records = []
    for n in range(2000):
        title = f"{words[n % 8]} Study Number {n} of {words[(n // 8) % 8]} Things"
        records.append(f"LGApr 14, 2022\n{title}Ada Lovelace\nAn abstract about item {n}.\n")
    corpus = tmp_path / "big.txt"
    corpus.write_text("".join(records), encoding="utf-8")
    rendered: list[str] = []
    real_render_row = paper_list_module.render_row

    def counting_render_row(paper: Paper, *args: Any, **kwargs: Any) -> Any:
        rendered.append(paper.id)
        return real_render_row(paper, *args, **kwargs)

    monkeypatch.setattr(paper_list_module, "render_row", counting_render_row)
    app = ReaderApp([corpus], tmp_path / "reading_list.json", clipboard=FakeClipboard())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await main_screen(pilot)
        paper_list = screen.query_one(PaperList)
        assert paper_list.row_count == 2000
        visible = paper_list.scrollable_content_region.height
        assert 0 < visible < 24
        # Every row on screen was rendered, and nothing far below it.
        assert set(rendered) >= {p.id for p in paper_list.shown_papers[:visible]}
        assert len(set(rendered)) <= 3 * visible
        rendered.clear()
        await pilot.press("G")
        await settle(pilot)
        assert paper_list.cursor == 1999
        assert len(set(rendered)) <= 3 * visible
        assert paper_list.shown_papers[1999].id in rendered


@app_test
async def test_corrupt_database_can_restart_from_the_newest_backup(tmp_path: Path) -> None:
    db = tmp_path / "reading_list.json"
    kept = Paper("0123456789ab", "Kept In A Backup", ("Emmy Noether",), "text")
    store = ReadingList.open(db, backup_interval=0)
    store.set_starred([kept], True)
    store.add_tags([kept], ["safe"])  # the save rotates the starred version into .bak1
    del store
    db.write_text("garbage", encoding="utf-8")
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        from reader.ui.screens.store_error import StoreErrorScreen

        assert isinstance(app.screen, StoreErrorScreen)
        await pilot.press("r")
        screen = await main_screen(pilot)
        assert screen.session.reading_list.get(kept.id) is not None
        assert any("Restored the reading list from" in text for text in notices(app))


@app_test
async def test_newer_schema_database_is_explained(tmp_path: Path) -> None:
    db = tmp_path / "reading_list.json"
    original = '{"meta": {"1": {"schema": 99}}, "annotations": {}}'
    db.write_text(original, encoding="utf-8")
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        message = str(app.screen.query_one("#store-error-message", Static).render())
        assert "newer version" in message
        await pilot.press("q")
    assert db.read_text(encoding="utf-8") == original


@app_test
async def test_export_failure_is_reported_not_raised(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    target = tmp_path / "no-such-dir" / "out.bib"
    async with app.run_test(size=SIZE) as pilot:
        await main_screen(pilot)
        await pilot.press("e")
        path_input = app.screen.query_one("#export-path", Input)
        path_input.value = str(target)
        path_input.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any(
            text.startswith("Export failed:") and str(target) in text for text in notices(app)
        )
    assert not target.exists()


@app_test
async def test_loading_shows_progress_and_keeps_the_screen_alive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import reader.ui.app as app_module
    from reader.ui.screens.loading import LoadingScreen

    real_load = app_module.load_corpus
    release = threading.Event()

    def slow_load(paths: list[Path], *, progress: Any = None, link: bool = True) -> Any:
        progress("parse", 1, 4)
        release.wait(5)
        return real_load(paths, progress=progress, link=link)

    monkeypatch.setattr(app_module, "load_corpus", slow_load)
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(50):
            await pilot.pause(0.02)
            bar = (
                app.screen.query_one(ProgressBar) if isinstance(app.screen, LoadingScreen) else None
            )
            if bar is not None and bar.total == 4:
                break
        assert isinstance(app.screen, LoadingScreen)
        assert (bar.progress, bar.total) == (1, 4)
        label = str(app.screen.query_one("#loading-label", Static).render())
        assert "Reading input files" in label and "1/4" in label
        release.set()
        screen = await main_screen(pilot)
        assert screen.paper_list.row_count == 6


@app_test
async def test_reading_list_export_in_the_app_keeps_orphaned_notes(tmp_path: Path) -> None:
    """Regression (architecture issue): the app's "Reading list" export dropped notes on
    papers whose listing is not loaded, while `reader export` kept them."""
    db = tmp_path / "reading_list.json"
    orphan = Paper(
        id="0123456789ab", title="A Paper From Another Folder", authors=("Ann Other",), abstract=""
    )
    ReadingList.open(db).set_note(orphan, "read this for the thesis")
    app, _ = make_app(tmp_path)
    target = tmp_path / "list.bib"
    async with app.run_test(size=SIZE) as pilot:
        await main_screen(pilot)
        await pilot.press("s", "e")
        assert isinstance(app.screen, ExportScreen)
        # Format, then the scope select: Current results, Starred, Reading list, ...
        await pilot.press("tab", "enter", "down", "down", "enter")
        await settle(pilot)
        assert app.screen.query_one("#export-scope").value == "reading-list"  # type: ignore[attr-defined]
        path_input = app.screen.query_one("#export-path", Input)
        path_input.focus()
        await pilot.press("ctrl+a", "ctrl+k", *str(target), "enter")
        await settle(pilot)
    written = target.read_text(encoding="utf-8")
    assert written.count("@misc{") == 2
    assert "A Paper From Another Folder" in written
    assert "read this for the thesis" in written


@app_test
async def test_number_keys_open_views_and_triage_advances_in_the_inbox(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("2")  # the second view: Inbox
        await settle(pilot)
        assert screen.search_input.value == "is:unread"
        total = screen.paper_list.row_count
        first, second = screen.paper_list.shown_papers[:2]
        await pilot.press("r")
        await settle(pilot)
        # The read paper is on disk, the cursor moved on, and the read paper left the Inbox.
        assert stored(app.db_path)[first.id]["status"] == "read"
        assert screen.paper_list.current_paper is not None
        assert screen.paper_list.current_paper.id == second.id
        assert screen.paper_list.row_count == total - 1
        await pilot.press("1")  # All: no advancing outside the Inbox by default
        await settle(pilot)
        assert screen.search_input.value == ""
        cursor = screen.paper_list.cursor
        await pilot.press("s")
        await settle(pilot)
        assert screen.paper_list.cursor == cursor
        await pilot.press("9")
        await settle(pilot)
        assert any("There is no view 9" in notice for notice in notices(app))


class RecordingBrowser:
    """A browser registered through webbrowser.register: records what it was asked to open."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.name = "reader-test-browser"

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.opened.append(url)
        return True


def _isolated_browsers(monkeypatch: pytest.MonkeyPatch) -> RecordingBrowser:
    import webbrowser

    monkeypatch.setattr(webbrowser, "_tryorder", [])
    monkeypatch.setattr(webbrowser, "_browsers", {})
    for name in ("SSH_CONNECTION", "SSH_TTY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    browser = RecordingBrowser()
    webbrowser.register(browser.name, None, browser, preferred=True)  # type: ignore[arg-type]
    return browser


@app_test
async def test_w_opens_an_arxiv_title_search_in_the_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = _isolated_browsers(monkeypatch)
    app, clipboard = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        paper = screen.paper_list.current_paper
        assert paper is not None and paper.title == "Graph Neural Networks for Everything"
        await pilot.press("w")
        await settle(pilot)
    assert browser.opened == [
        "https://arxiv.org/search/?query=%22Graph%20Neural%20Networks%20for%20Everything%22"
        "&searchtype=title"
    ]
    assert clipboard.copied == []


@app_test
async def test_over_ssh_w_copies_the_link_and_shows_it_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = _isolated_browsers(monkeypatch)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 22 10.0.0.2 22")
    template = "https://example.org/find?q={title}"
    app, clipboard = make_app(tmp_path, settings=Settings(open_url=template))
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("tab")  # focus the detail pane: enter opens there too
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(screen.focused, PaperDetail)
    url = "https://example.org/find?q=Graph%20Neural%20Networks%20for%20Everything"
    assert browser.opened == []
    assert clipboard.copied == [url]
    assert any("SSH session" in notice and url in notice for notice in notices(app))


@app_test
async def test_a_saved_search_is_a_view_with_a_live_count_kept_in_the_reading_list(
    tmp_path: Path,
) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("slash", *"graph", "ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+a", "ctrl+k", *"my {0} [bold]graphs", "enter")
        await settle(pilot)
        labels = [view.label for view in screen.query_one(Sidebar).views]
        assert "⌕ my {0} [bold]graphs" in labels
        saved = next(v for v in screen.query_one(Sidebar).views if v.label.startswith("⌕"))
        assert (saved.query, saved.count) == ("graph", screen.paper_list.row_count)
        assert saved.count >= 1
    on_disk = json.loads(app.db_path.read_text(encoding="utf-8"))["saved_searches"]
    assert [(d["name"], d["query"]) for d in on_disk.values()] == [("my {0} [bold]graphs", "graph")]

    again, _ = make_app(tmp_path)  # a restart finds it, counts it, and can remove it
    async with again.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        sidebar = screen.query_one(Sidebar)
        position = next(i for i, v in enumerate(sidebar.views) if v.label.startswith("⌕"))
        await pilot.press(str(position + 1))
        await settle(pilot)
        assert screen.search_input.value == "graph"
        sidebar.focus()
        sidebar.highlighted = position
        await pilot.press("delete")
        await settle(pilot)
        assert not any(v.label.startswith("⌕") for v in sidebar.views)
    assert json.loads(again.db_path.read_text(encoding="utf-8"))["saved_searches"] == {}


@app_test
async def test_state_and_search_history_are_remembered_across_restarts(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("slash", *"transformers", "enter")
        await settle(pilot)
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"graph", "enter")
        await settle(pilot)
        await pilot.press("slash", "ctrl+a", "ctrl+k", "enter", "o", "o", "b")
        await settle(pilot)
        await pilot.press("G")
        await settle(pilot)
        last = screen.paper_list.current_paper
        assert last is not None and screen.sort.value == "title"
        app.theme = "textual-light"
        await pilot.press("q")
        await settle(pilot)
    again, _ = make_app(tmp_path)
    async with again.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        await settle(pilot)
        assert screen.sort.value == "title"
        assert again.theme == "textual-light"
        assert screen.query_one(Sidebar).display is False
        assert screen.paper_list.current_paper is not None
        assert screen.paper_list.current_paper.id == last.id
        # Up and down in the search box walk the history, newest first.
        await pilot.press("slash", "up")
        assert screen.search_input.value == "graph"
        await pilot.press("up")
        assert screen.search_input.value == "transformers"
        await pilot.press("down", "down")
        assert screen.search_input.value == ""
