"""The line above everything: shown / total, starred, unread, selection, sort, last sync."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class CountsBar(Static):
    """Also says what still runs behind the list (indexing, linking), set by the app."""

    _shown: tuple[str, int, str, str] = ("", 0, "", "")
    _background = ""

    def on_mount(self) -> None:
        # Work may have started behind the list before this bar existed.
        self._background = getattr(self.app, "background_note", "")

    def set_background(self, message: str) -> None:
        self._background = message
        self.show(*self._shown)

    def show(self, counts: str, selected: int, sort: str, note: str = "") -> None:
        self._shown = (counts, selected, sort, note)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("reader  ", "bold")
        if self._background:  # first: at 80 columns the end of the line is cut off
            line.append(f"{self._background}… ", "italic")
            line.append("· ")
        line.append(counts)
        if selected:
            line.append(f" · {selected} selected", "bold")
        line.append(f" · sort: {sort}")
        if note:
            line.append(f" · {note}", "dim")

        self.update(line)
