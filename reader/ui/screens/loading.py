"""Shown while the corpus loads in a worker thread: a progress bar, never a frozen screen."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Label, ProgressBar


class LoadingScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Label("Loading papers…", id="loading-label")
            yield ProgressBar(total=None, show_eta=False, id="loading-progress")

    def set_progress(self, done: int, total: int) -> None:
        self.query_one("#loading-label", Label).update(f"Reading input files… {done}/{total}")
        self.query_one("#loading-progress", ProgressBar).update(total=total, progress=done)

    def set_message(self, message: str) -> None:
        # Messages can carry file names and error text: never read them as markup.
        self.query_one("#loading-label", Label).update(Text(message))
