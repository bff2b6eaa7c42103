"""What to do when the reading list on disk cannot be opened (corrupt, or a newer schema).

The file is never overwritten from here. For a damaged file the ways on are restoring the
newest valid backup (the storage layer keeps the damaged file aside) or quitting; for any
other problem (a newer reader's file, one we cannot read) only quitting: restoring would
replace data that is not damaged (a newer file would be downgraded).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

StoreChoice = Literal["restore", "quit"]


class StoreErrorScreen(ModalScreen[StoreChoice]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "choose('restore')", "Restore backup"),
        Binding("q,escape", "choose('quit')", "Quit"),
    ]

    def __init__(
        self, path: Path, problem: str, *, note: str | None = None, can_restore: bool = False
    ) -> None:
        super().__init__()
        self._path = path
        self._problem = problem
        self._note = note
        self._can_restore = can_restore

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog store-error"):
            yield Label("The reading list cannot be opened", classes="dialog-title")
            yield Static(Text(f"File: {self._path}"), id="store-error-path")
            yield Static(Text(self._problem), id="store-error-message")
            help_text = (
                "The file has not been changed. You can start from the newest valid "
                "backup, or quit and inspect the file yourself."
                if self._can_restore
                else "The file has not been changed. Quit, then deal with the file yourself."
            )
            yield Static(Text(help_text), classes="dialog-help")
            if self._note:
                yield Static(Text(self._note), id="store-error-note")
            with Horizontal(classes="dialog-buttons"):
                if self._can_restore:
                    yield Button("Restore newest backup (r)", id="restore", variant="warning")
                yield Button("Quit (q)", id="quit", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose(event.button.id or "quit")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters == ("restore",):
            return self._can_restore
        return True

    def action_choose(self, choice: str) -> None:
        if choice == "restore" and not self._can_restore:
            return
        self.dismiss(choice)  # type: ignore[arg-type]
