"""The line above everything: shown / total, starred, unread, selection, sort, last sync."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class CountsBar(Static):
    """Also says what still runs behind the list (indexing, linking), set by the app."""

    _shown: tuple[str, int, str, str] | None = None
    _background = ""

    def on_mount(self) -> None:
        # Work may have started behind the list before this bar existed.
        self._background = getattr(self.app, "background_note", "")

    def set_background(self, message: str) -> None:
        if message == self._background:
            return
        self._background = message
        if self._shown is not None:
            shown, self._shown = self._shown, None  # repaint even if the counts are the same
            self.show(*shown)

    def show(self, counts: str, selected: int, sort: str, note: str = "") -> None:
        if (counts, selected, sort, note) == self._shown:
            return  # most keystrokes change the counts; the rest need no repaint
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
        # One line, whatever it says (height 1 in the stylesheet): no layout pass needed,
        # which would otherwise re-arrange the whole screen on every keystroke.
        self.update(line, layout=False)
