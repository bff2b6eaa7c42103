"""A one-line prompt for a name (saving a search). Enter accepts, escape cancels."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from reader.ui.safe_text import display_line


class NameScreen(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, prompt: str, suggestion: str = "") -> None:
        super().__init__()
        self._prompt = prompt
        self._suggestion = suggestion

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog name-dialog"):
            yield Label(Text(display_line(self._prompt)), classes="dialog-title")
            yield Input(self._suggestion, id="name", select_on_focus=True)
            yield Label(Text("enter saves · escape cancels"), classes="dialog-help")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
