"""The note editor: a multi-line TextArea that never throws typed text away silently.

ctrl+s saves and closes. escape closes at once when nothing changed; otherwise it asks
whether to save, discard or keep editing.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, TextArea

from reader.ui.safe_text import display_line

LeaveChoice = Literal["save", "discard", "cancel"]


class ConfirmLeaveScreen(ModalScreen[LeaveChoice]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "choose('save')", "Save"),
        Binding("d", "choose('discard')", "Discard"),
        Binding("escape,c", "choose('cancel')", "Keep editing"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("The note has unsaved changes.", classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (s)", id="save", variant="primary")
                yield Button("Discard (d)", id="discard", variant="error")
                yield Button("Keep editing (esc)", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose(event.button.id or "cancel")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)  # type: ignore[arg-type]


class NoteScreen(ModalScreen[str | None]):
    """Dismisses with the new note text when saved, or None when left without saving."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "leave", "Close"),
    ]

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self._title = title
        self._original = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog note-dialog"):
            yield Label(Text("Note: " + display_line(self._title)), classes="dialog-title")
            yield TextArea(self._original, id="note-text", soft_wrap=True)
            yield Label("ctrl+s save · escape close", classes="dialog-help")

    def on_mount(self) -> None:
        # Notes grow at the end: start typing there.
        text_area = self.query_one("#note-text", TextArea)
        text_area.move_cursor(text_area.document.end)
        text_area.focus()

    @property
    def text(self) -> str:
        return self.query_one("#note-text", TextArea).text

    def action_save(self) -> None:
        self.dismiss(self.text)

    def action_leave(self) -> None:
        if self.text == self._original:
            self.dismiss(None)
            return

        def decided(choice: LeaveChoice | None) -> None:
            if choice == "save":
                self.dismiss(self.text)
            elif choice == "discard":
                self.dismiss(None)

        self.app.push_screen(ConfirmLeaveScreen(), decided)
