"""Shown while the corpus loads in a worker thread: a progress bar, never a frozen screen.

The bar follows one phase at a time (parse, merge, link, index: see reader.parsing.corpus),
and the label names the phase, so the bar never sits full while other work goes on.
"""

from __future__ import annotations

from typing import ClassVar

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

    # In the order the app runs them: linking comes last, after the list is shown.
    _PHASE_NAMES: ClassVar[dict[str, str]] = {
        "parse": "Reading input files",
        "merge": "Merging duplicates",
        "index": "Indexing papers",
        "link": "Linking near duplicates",
    }

    def set_progress(self, phase: str, done: int, total: int) -> None:
        name = self._PHASE_NAMES.get(phase, phase)
        step = list(self._PHASE_NAMES).index(phase) + 1 if phase in self._PHASE_NAMES else 0
        label = f"{name}… {done:,}/{total:,} (step {step} of {len(self._PHASE_NAMES)})"
        self.query_one("#loading-label", Label).update(Text(label))
        self.query_one("#loading-progress", ProgressBar).update(total=total, progress=done)

    def set_message(self, message: str) -> None:
        # Messages can carry file names and error text: never read them as markup.
        self.query_one("#loading-label", Label).update(Text(message))
