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
