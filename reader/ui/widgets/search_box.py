"""The search box, with a shell-like history: up and down recall earlier searches.

The history is kept across restarts in the UI state file (newest last, at most
``HISTORY_LIMIT`` entries, no repeats). A search enters the history when it is submitted
(enter) or when the box loses focus holding it, which is how people finish a search here.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.widgets import Input

from reader.ui.actions import bindings_for

HISTORY_LIMIT = 100


class SearchBox(Input):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("search"))

    def __init__(self, history: list[str] | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.history: list[str] = list(history or [])[-HISTORY_LIMIT:]
        self._position: int | None = None  # index into history while recalling
        self._draft = ""  # what was typed before recalling started

    def remember(self) -> None:
        """Put the current text at the end of the history (moving it if already there)."""
        text = self.value.strip()
        self._position = None
        if not text:
            return
        if text in self.history:
            self.history.remove(text)
        self.history.append(text)
        del self.history[:-HISTORY_LIMIT]

    def action_history_previous(self) -> None:
        if not self.history:
            return
        if self._position is None:
            self._draft = self.value
            self._position = len(self.history)
        self._position = max(self._position - 1, 0)
        self._recall(self.history[self._position])

    def action_history_next(self) -> None:
        if self._position is None:
            return
        self._position += 1
        if self._position >= len(self.history):
            self._position = None
            self._recall(self._draft)
        else:
            self._recall(self.history[self._position])

    def _recall(self, text: str) -> None:
        self.value = text
        self.cursor_position = len(text)

    def on_blur(self) -> None:
        self.remember()
