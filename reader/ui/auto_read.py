"""``--auto-read``: a paper the person moved to and stayed on for a moment counts as read.

Only a move by the person counts (a key or a click), never the cursor landing on a paper
because the list changed under it: otherwise marking one paper read in the Inbox would drop
it, land the cursor on the next one, mark that one in turn, and empty the Inbox by itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.timer import Timer

from reader.model import Paper

if TYPE_CHECKING:
    from reader.ui.screens.main import MainScreen


class AutoRead:
    def __init__(self, screen: MainScreen, delay: float) -> None:
        self.screen = screen
        self.delay = delay
        self.timer: Timer | None = None

    def moved_to(self, paper: Paper | None) -> None:
        """The person moved the cursor: start counting for this paper."""
        self.cancel()
        if paper is not None:
            self.timer = self.screen.set_timer(self.delay, lambda: self._fire(paper))

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None

    def _fire(self, paper: Paper) -> None:
        self.timer = None
        current = self.screen.paper_list.current_paper
        session = self.screen.session
        if current is not None and current.id == paper.id and session.status(paper) == "unread":
            self.screen.after_change(session.mark_read(paper))
