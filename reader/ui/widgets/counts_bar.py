"""The line above everything: shown / total, starred, unread, selection, sort, last sync."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class CountsBar(Static):
    def show(self, counts: str, selected: int, sort: str, note: str = "") -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("reader  ", "bold")
        line.append(counts)
        if selected:
            line.append(f" · {selected} selected", "bold")
        line.append(f" · sort: {sort}")
        if note:
            line.append(f" · {note}", "dim")
        self.update(line)
