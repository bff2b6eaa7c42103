"""Orphaned annotations: notes and stars on papers that are not in the loaded corpus.

They are shown from the annotation's own copy of the title and first author, so the user can
recognise them and load the file they came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from reader.model.annotation import Annotation
from reader.ui.safe_text import display_line


def describe_orphan(annotation: Annotation) -> Text:
    text = Text(overflow="fold")
    text.append("★ " if annotation.starred else "  ", "bold")
    text.append(display_line(annotation.title or f"(untitled, id {annotation.paper_id})"), "bold")
    if annotation.first_author:
        text.append(" — " + display_line(annotation.first_author))
    details = [f"#{display_line(tag)}" for tag in annotation.tags]
    details.append(annotation.status)
    text.append("\n    " + " ".join(details), "dim")
    if annotation.note.strip():
        first_line = annotation.note.strip().splitlines()[0]
        text.append("\n    note: " + display_line(first_line), "italic")
    return text


class OrphansScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "close", "Back")]

    def __init__(self, orphans: Sequence[Annotation]) -> None:
        super().__init__()
        self._orphans = list(orphans)

    def compose(self) -> ComposeResult:
        count = len(self._orphans)
        yield Label(
            f"{count} annotation{'s' if count != 1 else ''} on papers not in the loaded corpus",
            id="orphans-heading",
        )
        yield OptionList(*(Option(describe_orphan(a)) for a in self._orphans), id="orphans-list")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
