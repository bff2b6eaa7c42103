"""Issue 9 in the app: hostile tags and notes typed key by key are stored exactly, undo keeps
another process's changes, and keys after `q` change nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from storage_support import run_reader
from textual import events
from textual.widgets import Input, TextArea
from ui_support import app_test, main_screen, make_app, notices, stored

from reader.model.tags import normalize_tags
from reader.service.session import Session
from reader.storage.changes import normalize_note
from reader.ui.screens.main import MainScreen
from reader.ui.screens.note import NoteScreen
from reader.ui.screens.tags import AddTagsScreen, RemoveTagScreen

SIZE = (150, 40)

# What a user can type key by key: printable text, hostile to formatters and markup.
typed_text = st.one_of(
    st.sampled_from(["a}b", "x{", "{n.__class__}", "{0} %s %%", "[bold]b[/] \\ $ ~", "Zürich"]),
    st.text(st.sampled_from(list("{}%\\$~[]/\"' abcé")), min_size=1, max_size=10),
)


def tags_typed(value: str) -> list[str]:
    """The tags the app stores for what was typed in the tag box."""
    return sorted(set(normalize_tags([value])))


@pytest.mark.slow
@settings(max_examples=1, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(st.tuples(typed_text, typed_text), min_size=1, max_size=3))
@example(entries=[("a}b", "{n.__class__}"), ("x{", "%s {0} [bold]b")])
def test_typed_tags_and_notes_are_stored_exactly(entries: list[tuple[str, str]]) -> None:
    # One app per example, several entries in it: starting the app is most of the cost.
    with tempfile.TemporaryDirectory() as folder:
        _typed_round_trip(Path(folder), entries)


@app_test
async def _typed_round_trip(tmp_path: Path, entries: list[tuple[str, str]]) -> None:
    app, _ = make_app(tmp_path)
    db = tmp_path / "reading_list.json"
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        for tag, note in entries:
            await pilot.press("j")
            paper = screen.paper_list.current_paper
            assert paper is not None
            await pilot.press("t")
            assert isinstance(app.screen, AddTagsScreen)
            await pilot.press(*tag, "enter")
            wanted = tags_typed(tag)
            assert isinstance(app.screen, MainScreen)
            assert stored(db).get(paper.id, {"tags": []})["tags"] == wanted

            await pilot.press("n")
            assert isinstance(app.screen, NoteScreen)
            await pilot.press("ctrl+a", *note, "ctrl+s")  # the note replaces what was there
            assert isinstance(app.screen, MainScreen)
            assert stored(db).get(paper.id, {"note": ""})["note"] == normalize_note(note)

            if wanted:
                await pilot.press("T")
                assert isinstance(app.screen, RemoveTagScreen)
                await pilot.press("enter")
                assert stored(db)[paper.id]["tags"] == wanted[1:]
        assert app.is_running


PASTED = [
    "nul\x00byte, \x1b[31mred\x1b[0m, bidi \u202eevil\u202c, \x1b]52;c;aGk=\x07osc,"
    " {n.__class__} [bold]b[/] %s \\ $ ~ \udcff",
    "z" * 100_000,
]


@pytest.mark.slow
@app_test
async def test_pasted_control_text_in_tags_and_notes_is_stored_exactly(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    db = tmp_path / "reading_list.json"
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        for text in PASTED:
            await pilot.press("j")
            paper = screen.paper_list.current_paper
            assert paper is not None
            await pilot.press("t")
            app.screen.query_one("#tags-input", Input).insert_text_at_cursor(text)
            await pilot.press("enter")
            assert stored(db).get(paper.id, {"tags": []})["tags"] == tags_typed(text)
            await pilot.press("n")
            app.screen.query_one("#note-text", TextArea).insert(text)
            await pilot.press("ctrl+s")
            assert stored(db)[paper.id]["note"] == normalize_note(text)
        assert app.is_running


@app_test
async def test_undo_in_the_app_keeps_a_scripts_tag_and_note(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    db = tmp_path / "reading_list.json"
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        paper = screen.paper_list.current_paper
        assert paper is not None
        await pilot.press("s")
        assert stored(db)[paper.id]["starred"] is True

        result = run_reader(
            "annotate", paper.id, *map(str, app.corpus_paths), "--tag", "fromcli",
            "--note", "cli note", "--db", str(db),
        )  # fmt: skip
        assert result.returncode == 0, result.stderr

        await pilot.press("u")
        saved = stored(db)[paper.id]
        assert (saved["starred"], saved["tags"], saved["note"]) == (False, ["fromcli"], "cli note")
        assert any(
            text.startswith("Undid star; kept the tags and note changed elsewhere")
            for text in notices(app)
        )
        await pilot.press("ctrl+r")
        saved = stored(db)[paper.id]
        assert (saved["starred"], saved["tags"], saved["note"]) == (True, ["fromcli"], "cli note")


@app_test
async def test_keys_pressed_after_quit_change_nothing(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    db = tmp_path / "reading_list.json"
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        paper = screen.paper_list.current_paper
        assert paper is not None
        session: Session = screen.session
        await pilot.press("s")
        before = stored(db)
        # A fast typist: `q` and the keys after it are queued before `q` is handled.
        for key in ("q", "u", "x", "t"):
            event = events.Key(key, key)
            event.set_sender(app)
            app._driver.send_message(event)  # type: ignore[union-attr]
        await pilot.pause()
    assert stored(db)[paper.id]["starred"] is True
    assert stored(db) == before
    assert session.closed
