"""The key reference (``?``): every action of the action table, grouped, then the search
language. Rows come from ``reader.ui.actions`` so help can never drift from the bindings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from reader.ui.actions import help_rows

SEARCH_HELP = (
    'Search: words match title, authors and abstract; "a phrase"; -word excludes; '
    "is:starred is:unread is:read is:skipped has:note tag:NAME."
)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, rows: Sequence[tuple[str, str, str]] | None = None) -> None:
        super().__init__()
        self._rows = list(rows) if rows is not None else help_rows()

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        group = None
        for row_group, key, meaning in self._rows:
            if row_group != group:
                group = row_group
                table.add_row(Text(row_group, style="underline"), "")
            table.add_row(Text(key), Text(meaning))
        with VerticalScroll(classes="dialog help-dialog"):
            yield Label("Keys", classes="dialog-title")
            yield Static(table)
            yield Static(SEARCH_HELP, markup=False, classes="dialog-help")

    def action_close(self) -> None:
        self.dismiss(None)
