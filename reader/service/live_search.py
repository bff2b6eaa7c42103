"""Search as the app runs it: one query per keystroke, each narrowing the last when sound.

``LiveSearch`` remembers what the screen shows (the text, its result, and the annotations
generation it was computed against) and decides whether the next search may look only
inside that result (see ``reader.search.narrowing``). It holds no UI: the screen runs the
search in a worker and reports back what it showed.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.search import SearchResult
from reader.search.narrowing import can_narrow


@dataclass(frozen=True, slots=True)
class Shown:
    text: str
    result: SearchResult
    generation: int


class LiveSearch:
    def __init__(self) -> None:
        self.shown: Shown | None = None
        self.token = 0  # bumped per search; only the newest search's result is shown

    @property
    def text(self) -> str:
        return self.shown.text if self.shown else ""

    def start(self, text: str, generation: int) -> tuple[int, list[int] | None]:
        """A new search: its token, and the rows it may search within (None: everything)."""
        self.token += 1
        shown = self.shown
        if (
            shown is not None
            and shown.generation == generation
            and not shown.result.truncated  # rare matches left out must get a second chance
            and can_narrow(shown.text, text, previous_had_hint=shown.result.hint is not None)
        ):
            return self.token, shown.result.indices
        return self.token, None

    def finish(self, token: int, text: str, result: SearchResult, generation: int) -> bool | None:
        """Record a finished search. None when a newer one started (drop this result);
        otherwise whether the text differs from what was shown (a new query)."""
        if token != self.token:
            return None
        new_query = self.shown is None or self.shown.text != text
        self.shown = Shown(text, result, generation)
        return new_query

    def forget(self) -> None:
        """The next search starts from scratch (a new sort order, say)."""
        self.shown = None
