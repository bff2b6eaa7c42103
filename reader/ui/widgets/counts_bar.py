"""The line above everything: shown / total, starred, unread, selection, sort, last sync."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class CountsBar(Static):
    _shown: tuple[str, int, str, str] | None = None

    def show(self, counts: str, selected: int, sort: str, note: str = "") -> None:
        if (counts, selected, sort, note) == self._shown:
            return  # most keystrokes change the counts; the rest need no repaint
        self._shown = (counts, selected, sort, note)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("reader  ", "bold")
        line.append(counts)
        if selected:
            line.append(f" · {selected} selected", "bold")
        line.append(f" · sort: {sort}")
        if note:
            line.append(f" · {note}", "dim")
        # One line, whatever it says (height 1 in the stylesheet): no layout pass needed,
        # which would otherwise re-arrange the whole screen on every keystroke.
        self.update(line, layout=False)
