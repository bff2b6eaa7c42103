"""The search box, with a shell-like history: up and down recall earlier searches.

The history is kept across restarts in the UI state file (newest last, at most
``HISTORY_LIMIT`` entries, no repeats). A search enters the history when it is submitted
(enter) or when the box loses focus holding it, which is how people finish a search here.

Editing keys (backspace, delete, the arrows, ctrl+w, ...) are key bindings. Textual runs a
focused widget's non-priority bindings only once the key has bubbled up to the app, one
message queue per ancestor, while a printable key that follows goes straight to the box: in
a burst of keys (fast typing, a busy app) ``ab⌫c`` became ``abc⌫``, i.e. "ab" instead of
"ac". The box therefore runs its own bindings as the key arrives, in order.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
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

    async def _on_key(self, event: events.Key) -> None:
        # Runs before Input's own handler (Textual walks the class hierarchy); see the module
        # docstring. The binding chain's first entry is this box's bindings with the user's
        # keymap applied, exactly what the app would have run for it later.
        namespace, bindings = self.screen._binding_chain[0]
        if namespace is not self:
            return
        for binding in bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return

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
