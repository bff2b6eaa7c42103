"""The key reference (``?``)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

KEYS: list[tuple[str, str]] = [
    ("j / k, ↓ / ↑", "move down / up"),
    ("g / G", "first / last paper"),
    ("/", "search (filters as you type)"),
    ("escape", "back to the list; in the list, clear the search, then the selection"),
    ("o", "cycle sort: relevance, date, title"),
    ("b", "show / hide the views sidebar"),
    ("space", "select for bulk actions"),
    ("s", "star / unstar"),
    ("r", "mark read / unread"),
    ("x", "skip (hide from the inbox) / unskip"),
    ("t", "add tags (comma separated, → completes)"),
    ("T", "remove a tag"),
    ("n", "edit the note (ctrl+s saves)"),
    ("u", "undo the last change (repeatable)"),
    ("ctrl+r", "redo what undo took back"),
    ("y", "copy BibTeX of the current or selected papers"),
    ("Y", "copy the title"),
    ("J / K", "scroll the detail pane"),
    ("e", "export…"),
    ("P", "problems found in the input files"),
    ("ctrl+p", "command palette (themes, all commands)"),
    ("?", "this help"),
    ("q", "quit"),
]

SEARCH_HELP = (
    'Search: words match title, authors and abstract; "a phrase"; -word excludes; '
    "is:starred is:unread is:read is:skipped has:note tag:NAME."
)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close")]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for key, meaning in KEYS:
            table.add_row(key, meaning)
        with VerticalScroll(classes="dialog help-dialog"):
            yield Label("Keys", classes="dialog-title")
            yield Static(table)
            yield Static(SEARCH_HELP, markup=False, classes="dialog-help")

    def action_close(self) -> None:
        self.dismiss(None)
