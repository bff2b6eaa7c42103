"""The app's "Sync now" (ctrl+g) with real git: a bare remote and a second machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_support import FakeClipboard, app_test, main_screen, settle, wait_until, write_corpus

from reader.config import Settings
from reader.ui.app import ReaderApp
from tests.sync_support import Clock, Machine, make_machine, make_remote


def two_machines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Machine, Machine, list[Path]]:
    """A bare remote, the laptop this app runs on (its git identity in the environment),
    a workstation that syncs through the same remote, and a corpus for the app."""
    clock = Clock()
    remote = make_remote(tmp_path)
    laptop = make_machine(tmp_path, "laptop", remote, clock)
    workstation = make_machine(tmp_path, "workstation", remote, clock)
    for name, value in laptop.env.items():
        monkeypatch.setenv(name, value)
    return laptop, workstation, write_corpus(tmp_path / "corpus")


@app_test
async def test_sync_now_brings_in_the_other_machines_changes_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop, workstation, corpus = two_machines(tmp_path, monkeypatch)
    app = ReaderApp(corpus, laptop.db, settings=Settings(), clipboard=FakeClipboard())
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await main_screen(pilot)
        first = screen.paper_list.shown_papers[0]
        await pilot.press("s")  # a local change, to be sent
        await settle(pilot)
        workstation.reading_list.add_tags([first], ["from-work"])
        assert workstation.sync().in_sync
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: screen.status_note.startswith("synced"))
        await settle(pilot)
        assert "from workstation" in screen.status_note
        annotation = screen.session.annotation(first)
        assert annotation is not None
        assert annotation.starred and annotation.tags == ("from-work",)
        assert any(n.startswith("Sync: ") for n in app.notices)
    # Both machines agree after the workstation syncs again.
    assert workstation.sync().in_sync
    assert workstation.state() == laptop.state()
    assert workstation.state()[first.id][:2] == (True, ("from-work",))


@app_test
async def test_sync_now_without_a_repository_says_how_to_start(
    tmp_path: Path,
) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    app = ReaderApp(corpus, tmp_path / "solo" / "reading_list.json", clipboard=FakeClipboard())
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await main_screen(pilot)
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: screen.status_note.startswith("sync failed"))
        assert any("Sync failed" in n and "--init" in n for n in app.notices)


@app_test
async def test_sync_on_quit_sends_the_changes_before_the_app_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop, workstation, corpus = two_machines(tmp_path, monkeypatch)
    settings = Settings(sync_on_quit=True)
    app = ReaderApp(corpus, laptop.db, settings=settings, clipboard=FakeClipboard())
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await main_screen(pilot)
        first = screen.paper_list.shown_papers[0]
        await pilot.press("s", "q")
        await wait_until(pilot, lambda: not app.is_running)
    assert workstation.sync().in_sync
    assert workstation.state()[first.id][0] is True  # the star went through the remote
