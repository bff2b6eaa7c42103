"""The learner in the app: background workers, the For you order, and the temporary views.

The model itself and its state live in ``reader.service.learning``; this runs it in thread
workers so no key ever waits for it:

- the feature matrix is built once the list is interactive (progress in the counts line);
- after each label the model retrains in an exclusive worker (group "learning"), so the next
  label cancels the one before (``should_stop``);
- "More like this" and "Rate to train" are temporary views: a fixed list of papers shown in
  place of the search results, with a label saying what they are, until escape.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static
from textual.worker import get_current_worker

from reader.model import Annotation, Paper
from reader.search import SortKey
from reader.service.learning import Cancelled, Learning, NeedsLabels, Ranking
from reader.ui.safe_text import display_line
from reader.ui.widgets.counts_bar import CountsBar
from reader.ui.widgets.paper_list import PaperList

if TYPE_CHECKING:
    from reader.ui.screens.main import MainScreen
    from reader.ui.screens.tags import AddTagsScreen


@dataclass
class Pinned:
    """A temporary view: these papers, in this order, instead of the search results."""

    kind: str  # "similar" or "rate"
    label: str
    positions: list[int]
    return_to: str | None  # the paper the cursor goes back to on escape
    fresh: bool = True  # the cursor goes to the top the first time it is shown
    ids: set[str] = field(default_factory=set)


class Learner:
    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        session = screen.session
        self.learning = Learning(session.corpus, session.reading_list.path)
        self.note = ""  # shown in the counts line: build progress, what the model needs
        self.pinned: Pinned | None = None
        self._started = False
        self._percent = -1

    # -- the feature matrix ---------------------------------------------------------------

    def start(self) -> None:
        """Build the features in the background, once, after the first results are shown
        and the search index is ready (the app calls this again when it is): both are
        pure-Python work in this process, and search matters first."""
        if self._started or not self.screen.session.search_ready:
            return
        self._started = True
        self._set_note("learning: starting…")
        self.screen.run_worker(
            self._build, thread=True, exclusive=True, group="learning-build", name="features"
        )

    def _build(self) -> None:
        worker = get_current_worker()
        try:
            self.learning.build(lambda: worker.is_cancelled, self._progress)
        except Cancelled:
            return
        except Exception as error:  # a broken cache or model is a warning, never a crash
            self._from_thread(self._failed, f"{type(error).__name__}: {error}")
            return
        self._from_thread(self._built)

    def _progress(self, done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if percent // 10 != self._percent // 10:  # a redraw per 10%, not per paper
            self._percent = percent
            self._from_thread(self._set_note, f"learning: {percent}%")

    def _from_thread(self, callback: object, *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the app closed while the worker ran
            self.screen.app.call_from_thread(callback, *args)  # type: ignore[arg-type]

    def _failed(self, message: str) -> None:
        self._set_note("")
        self.screen.notify(
            f"For you is unavailable: {display_line(message)}", severity="warning", markup=False
        )

    def _built(self) -> None:
        self._set_note("")
        self.labels_changed()

    def _set_note(self, note: str) -> None:
        self.note = note
        # A worker's report can land while the app closes and the screen's widgets go.
        closing = not self.screen.query(CountsBar) or not self.screen.query(PaperList)
        if not closing:
            self.screen.refresh_counts()

    # -- retraining -----------------------------------------------------------------------

    def labels_changed(self) -> None:
        """A star, skip, tag or read changed: retrain, cancelling a retrain still running."""
        if not self.learning.ready:
            return
        keep = self.pinned.positions if self.pinned and self.pinned.kind == "rate" else None
        self.screen.run_worker(
            partial(self._train, self.screen.session.annotations(), keep),
            thread=True,
            exclusive=True,
            group="learning",
            name="retrain",
        )

    def _train(self, annotations: Mapping[str, Annotation], keep: list[int] | None) -> None:
        worker = get_current_worker()

        def stop() -> bool:
            return worker.is_cancelled

        try:
            result = self.learning.retrain(annotations, stop)
            rate = self.learning.rate_to_train(annotations, stop, keep) if keep else None
        except Cancelled:
            return
        if not worker.is_cancelled:
            self._from_thread(self._trained, result, rate)

    def _trained(
        self, result: Ranking | NeedsLabels | None, rate: list[int] | NeedsLabels | None
    ) -> None:
        self.learning.accept(result)
        if isinstance(rate, list) and self.pinned and self.pinned.kind == "rate":
            self.pinned.positions = rate
        self.show_needs(notify=False)
        if self.screen.sort is SortKey.FOR_YOU or self.rating:
            self.screen.run_search()  # re-rank, or refresh the list to rate

    def show_needs(self, *, notify: bool = True) -> None:
        """In the For you order, say what the model still needs (the order is by date then)."""
        needs = self.learning.needs
        if self.screen.sort is SortKey.FOR_YOU and needs is not None:
            message = f"For you: {needs.message} (sorted by date until then)"
            more = max(needs.needed - needs.positives, 1)
            self._set_note(f"for you: star or tag {more} more")
            if notify:
                self.screen.notify(message, severity="warning", markup=False)
        elif self.screen.sort is SortKey.FOR_YOU and not self.learning.ready:
            if notify:
                self.screen.notify("For you: still reading the papers…", markup=False)
        elif not self.note.startswith("learning"):
            self._set_note("")

    # -- what the screen shows ------------------------------------------------------------

    def arrange(self, positions: list[int], new_query: bool) -> tuple[list[int], bool]:
        """The rows to show for a search result, and whether the cursor goes to the top."""
        pinned = self.pinned
        if pinned is not None:
            fresh, pinned.fresh = pinned.fresh, False
            return pinned.positions, fresh
        if self.screen.sort is SortKey.FOR_YOU:
            return self.learning.arrange(positions), new_query
        return positions, new_query

    def result_shown(self, hint: Static, search_hint: str | None) -> None:
        """After each search result: the hint line shows the temporary view's label or the
        search's hint; and the list being interactive now, the features start building."""
        self._show_hint(hint, search_hint)
        self.start()

    def _show_hint(self, hint: Static, search_hint: str | None) -> None:
        if self.pinned is not None:
            hint.display = True
            hint.update(Text(display_line(self.pinned.label), style="bold"))
            return
        shown = Text("⚠ " + display_line(search_hint or ""))
        if hint.display != bool(search_hint) or shown != hint.content:  # else no layout pass
            hint.display = bool(search_hint)
            hint.update(shown)

    def reasons(self, paper: Paper | None) -> list[str]:
        return self.learning.reasons(paper) if paper is not None else []

    # -- temporary views ------------------------------------------------------------------

    def _not_ready(self) -> bool:
        if self.learning.ready:
            return False
        self.screen.notify("Still reading the papers for the learner; try again soon.")
        return True

    def more_like(self, paper: Paper) -> None:
        if self._not_ready():
            return
        positions = self.learning.similar(paper)
        if not positions:
            self.screen.notify("No paper is like this one.", severity="warning")
            return
        label = f"More like: {paper.display_title} — escape to leave"
        self._pin(Pinned("similar", label, positions, paper.id))

    def rate_to_train(self) -> None:
        if self._not_ready():
            return
        current = self.screen.paper_list.current_paper
        annotations = self.screen.session.annotations()
        positions = self.learning.rate_to_train(annotations, lambda: False)
        if isinstance(positions, NeedsLabels):
            self.screen.notify(f"Rate to train: {positions.message}", severity="warning")
            return
        if not positions:
            self.screen.notify("Nothing left to rate.", severity="warning")
            return
        label = "Rate to train: s star · x skip (each retrains) — escape to leave"
        self._pin(Pinned("rate", label, positions, current.id if current else None))

    def _pin(self, pinned: Pinned) -> None:
        if self.pinned is not None:  # keep where the first temporary view came from
            pinned.return_to = self.pinned.return_to
        self.pinned = pinned
        self.screen.paper_list.focus()
        self.screen.run_search()

    def leave(self) -> bool:
        """Leave a temporary view (True if there was one): the search and cursor return."""
        if self.pinned is None:
            return False
        return_to, self.pinned = self.pinned.return_to, None
        self.screen.paper_list.forget_kept()
        if return_to is not None:
            self.screen.cursor_to_restore = return_to  # taken by the next result
        self.screen.run_search()
        return True

    @property
    def rating(self) -> bool:
        return self.pinned is not None and self.pinned.kind == "rate"

    # -- tag suggestions ------------------------------------------------------------------

    def suggest_tags(self, paper: Paper, dialog: AddTagsScreen) -> None:
        if not self.learning.ready:
            return
        self.screen.run_worker(
            partial(self._suggest, paper, self.screen.session.annotations(), dialog),
            thread=True,
            exclusive=True,
            group="tag-suggestions",
        )

    def _suggest(
        self, paper: Paper, annotations: Mapping[str, Annotation], dialog: AddTagsScreen
    ) -> None:
        try:
            tags = self.learning.suggest_tags(paper, annotations)
        except Exception:  # suggestions are a convenience: the dialog works without them
            return
        if tags:
            self._from_thread(dialog.set_suggestions, tags)
