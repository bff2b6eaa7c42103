"""Pictures of the main screen in both bundled themes (pytest-textual-snapshot).

Kept deterministic: fixed terminal size, the fixed tiny corpus, relative corpus paths (the
detail pane shows sources), no clock on screen. Update after an intended change with
``pytest tests/test_app_snapshots.py --snapshot-update`` and look at the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from ui_support import REPO, FakeClipboard, main_screen, write_corpus

from reader.config import Settings
from reader.ui.app import ReaderApp

TERMINAL = (130, 34)


def snapshot_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, theme: str) -> ReaderApp:
    monkeypatch.chdir(tmp_path)
    corpus = [path.relative_to(tmp_path) for path in write_corpus(tmp_path / "corpus")]
    return ReaderApp(
        corpus,
        tmp_path / "reading_list.json",
        settings=Settings(theme=theme),
        clipboard=FakeClipboard(),
        theme_dirs=[REPO / "themes"],
        export_dir=Path("exports"),  # relative: the export dialog shows no temporary path
    )


async def triaged(pilot: Pilot[Any]) -> None:
    """A lived-in screen: a starred, tagged, read paper, a selection and a search match."""
    screen = await main_screen(pilot)
    session = screen.session
    first, second = screen.paper_list.shown_papers[:2]
    session.toggle_star([first])
    session.add_tags([first], ["graphs"])
    session.toggle_read([second])
    screen.refresh_after_annotations()
    await pilot.press("j", "space", "k")
    await main_screen(pilot)


@pytest.mark.parametrize("theme", ["reader-dark", "reader-light"])
def test_main_screen(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, theme: str
) -> None:
    app = snapshot_app(tmp_path, monkeypatch, theme)
    assert snap_compare(app, terminal_size=TERMINAL, run_before=triaged)


def test_search_highlights_matches(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = snapshot_app(tmp_path, monkeypatch, "reader-dark")

    async def searched(pilot: Pilot[Any]) -> None:
        await main_screen(pilot)
        await pilot.press("slash", *"graph")
        await main_screen(pilot)

    assert snap_compare(app, terminal_size=TERMINAL, run_before=searched)


SIZES = {"80x24": (80, 24), "200x50": (200, 50)}


@pytest.mark.parametrize("size", list(SIZES))
def test_main_screen_small_and_large(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: str
) -> None:
    """At 80x24 the sidebar hides and the detail pane goes under the list; at 200x50 the
    title column takes the spare width."""
    app = snapshot_app(tmp_path, monkeypatch, "reader-dark")
    assert snap_compare(app, terminal_size=SIZES[size], run_before=triaged)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("dialog_key", ["e", "question_mark"])
def test_dialogs_small_and_large(
    snap_compare: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: str,
    dialog_key: str,
) -> None:
    """Export (buttons on screen) and help (scrollbar and "more ↓" when it does not fit)."""
    app = snapshot_app(tmp_path, monkeypatch, "reader-dark")

    async def opened(pilot: Pilot[Any]) -> None:
        await triaged(pilot)
        await pilot.press(dialog_key)
        await main_screen_settled(pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=opened)


async def main_screen_settled(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
