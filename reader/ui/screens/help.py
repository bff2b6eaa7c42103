"""The help screen (``?``): every key, the whole query language, and how to reach views.

The key rows are data passed in as ``(group, key, description)``: the action table
(``reader.ui.actions.help_rows``, the default) generates them, so help cannot drift from
the bindings. The query language and views sections are static: they describe
reader/search/query.py and the sidebar.

At 80x24 the text does not fit: the body scrolls (scrollbar shown) and the bottom line says
how much is left, so nobody mistakes the first screenful for all of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from reader.ui.actions import help_rows
from reader.ui.safe_text import display_line

KeyRow = tuple[str, str, str]  # (group, key as shown, description): reader.ui.actions.help_rows

QUERY_LANGUAGE: list[tuple[str, str]] = [
    ("word", "in title, authors or abstract; typos tolerated, the last word is a prefix"),
    ('"exact phrase"', "these words, adjacent, in order (plurals match)"),
    ("title:flow", "a word or phrase in the title (also ti:)"),
    ("author:vincent", "in the authors (also au:)"),
    ('abstract:"a phrase"', "in the abstract (also abs:)"),
    ("year:2021", "also year:2020..2023  year:>=2022  year:..2019"),
    ("cat:LG", "listing category"),
    ("org:mila", "organisation"),
    ("tag:toread", 'one of your tags; tag:"to read" for spaces'),
    ("is:starred", "also is:unread  is:read  is:skipped  is:duplicate"),
    ("has:note", "also has:code  has:authors  has:date  has:title"),
    ("-term", 'negation of any term: -graph  -tag:x  -has:authors  -"a phrase"'),
]

VIEWS_HELP: list[tuple[str, str]] = [
    ("sidebar", "b shows it; ↑↓ and enter (or a click) open a view"),
    ("views", "All, Inbox (is:unread), Starred, Read, Skipped, Has note, one per #tag"),
    ("as queries", "every view is a query: type it in the search box to combine it"),
    ("P", "problems view: data-quality counts; enter on one searches those papers"),
]


def _table(rows: Sequence[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for left, right in rows:
        table.add_row(Text(display_line(left)), Text(display_line(right)))
    return table


def grouped(rows: Sequence[KeyRow]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Rows by group, groups in order of first appearance."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for group, key, description in rows:
        groups.setdefault(group, []).append((key, description))
    return list(groups.items())


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, keys: Sequence[KeyRow] | None = None) -> None:
        super().__init__()
        self._keys = list(keys) if keys is not None else help_rows()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Label("Help", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                for group, rows in grouped(self._keys):
                    yield Label(Text(display_line(group)), classes="help-heading")
                    yield Static(_table(rows))
                yield Label("Search", classes="help-heading")
                yield Static(_table(QUERY_LANGUAGE))
                yield Label("Views", classes="help-heading")
                yield Static(_table(VIEWS_HELP))
            yield Label("", id="help-more", classes="dialog-help")

    def on_mount(self) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.focus()
        self.watch(body, "scroll_y", lambda: self._update_more(), init=False)
        self.call_after_refresh(self._update_more)

    def on_resize(self) -> None:
        self.call_after_refresh(self._update_more)

    def _update_more(self) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        left = max(int(body.max_scroll_y - body.scroll_y), 0)
        hint = f"more ↓ ({left} lines: ↓ pgdn scroll)" if left else "end"
        self.query_one("#help-more", Label).update(f"{hint} · escape closes")

    def action_close(self) -> None:
        self.dismiss(None)
