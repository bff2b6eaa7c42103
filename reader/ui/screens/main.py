"""The main screen: search box, views sidebar, paper list, detail pane, counts, footer.

Layout and event wiring only. Every decision (what a scope holds, how a change is saved and
undone, what an export writes, whether the file changed on disk) belongs to the Session in
``reader.service``; key bindings come from the action table (``reader.ui.actions``).

Searching runs in a thread worker (exclusive, group "search") so typing never waits for a
big corpus; a result is only shown if no newer search started after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from reader.config import Settings
from reader.model import Annotation
from reader.search import SearchResult, SortKey
from reader.service.live_search import LiveSearch
from reader.service.session import Outcome, Session
from reader.service.syncing import SyncOutcome
from reader.service.views import counts_line
from reader.ui.actions import bindings_for
from reader.ui.auto_read import AutoRead
from reader.ui.clipboard import Clipboard
from reader.ui.commands import PaperCommands
from reader.ui.heap import warm_later
from reader.ui.learner import Learner
from reader.ui.memory import recall
from reader.ui.state import UiState
from reader.ui.widgets.counts_bar import CountsBar
from reader.ui.widgets.paper_detail import PaperDetail
from reader.ui.widgets.paper_list import PaperList
from reader.ui.widgets.search_box import SearchBox
from reader.ui.widgets.sidebar import Sidebar

DISK_POLL_SECONDS = 2.0
KEYS_WARM_DELAY_SECONDS = 2.0


class MainScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("screen"))
    # Below 110 columns the layout stacks (see "-narrow" in reader.tcss).
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 (Textual declares it an instance attribute)
        (0, "-narrow"),
        (110, "-wide"),
    ]
    AUTO_FOCUS = "#paper-list"  # the triage keys are in the footer from the first frame
    AUTO_READ_SECONDS = 1.5

    def __init__(
        self,
        session: Session,
        clipboard: Clipboard,
        *,
        settings: Settings | None = None,
        export_dir: Path | None = None,
        state: UiState | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.clipboard = clipboard
        self.app_settings = settings or Settings()
        self.auto_read = (
            AutoRead(self, self.AUTO_READ_SECONDS) if settings and settings.auto_read else None
        )
        self.export_dir = export_dir or Path.cwd()
        self.state = state if state is not None else UiState.load()
        self.remembered = recall(self.state)
        self.sort = self.remembered.sort or SortKey(self.app_settings.default_sort)
        self.live = LiveSearch()
        self.cursor_to_restore = self.remembered.cursor_paper
        self.status_note = ""  # e.g. the last sync, shown after the counts
        self.commands = PaperCommands(self)
        self.learner = Learner(self)  # For you, more like this, tag suggestions

    def compose(self) -> ComposeResult:
        yield CountsBar(id="counts")
        if self.session.reading_list.read_only:
            reason = self.session.reading_list.read_only_reason or "the file cannot be written"
            yield Static(
                Text(f"READ-ONLY: {reason} — changes cannot be saved"), id="read-only-banner"
            )
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with Vertical(id="main-column"):
                yield SearchBox(
                    self.remembered.history,
                    value=self.remembered.query,
                    placeholder="Search  (/ to focus, ? for help)",
                    id="search",
                )
                yield Static(id="search-hint")
                with Horizontal(id="panes"):
                    yield PaperList(id="paper-list")
                    yield PaperDetail(id="detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(PaperDetail).roots = list(getattr(self.app, "corpus_paths", []))
        if self.remembered.sidebar_visible is False:
            self.query_one(Sidebar).display = False
        self._refresh_side_panels()
        self.run_search()
        self.set_interval(DISK_POLL_SECONDS, self.poll_disk)
        # Keys take seconds at 10^5 papers; computing them while the first rows render
        # would hold the interpreter lock and delay the screen the user is waiting for.
        warm_later(self, self.session.warm_keys, KEYS_WARM_DELAY_SECONDS, "citation-keys")

    @property
    def paper_list(self) -> PaperList:
        return self.query_one(PaperList)

    @property
    def search_input(self) -> SearchBox:
        return self.query_one("#search", SearchBox)

    # -- search ---------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        self.run_search()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.search_input.remember()
        self.paper_list.focus()

    def run_search(self) -> None:
        text = self.search_input.value
        token, within = self.live.start(text, self.session.generation)
        # Read on the UI thread: the worker never sees the reading list mid-change.
        self._search(text, self.sort, within, self.session.annotations(), token)

    @work(thread=True, exclusive=True, group="search")
    def _search(
        self,
        text: str,
        sort: SortKey,
        within: list[int] | None,
        annotations: Mapping[str, Annotation],
        token: int,
    ) -> None:
        worker = get_current_worker()
        generation = self.session.generation
        result = self.session.engine.search(
            text, annotations, sort, within=within, should_stop=lambda: worker.is_cancelled
        )
        if not (result.cancelled or worker.is_cancelled):
            self.app.call_from_thread(self._show_result, text, result, token, generation)

    def _show_result(self, text: str, result: SearchResult, token: int, generation: int) -> None:
        new_query = self.live.finish(token, text, result, generation)
        if new_query is None:
            return  # a newer search is on its way
        papers, annotations = self.session.papers, self.session.annotations()
        rows, top = self.learner.arrange(result.indices, new_query)  # For you, temporary views
        self.paper_list.show(papers, rows, annotations, result.query, cursor_to_top=top)
        if self.cursor_to_restore is not None:  # after a start or a temporary view
            self.paper_list.move_to(self.cursor_to_restore)
            self.cursor_to_restore = None
        self.refresh_counts()  # the pane follows via PaperList.Highlighted
        self.learner.result_shown(self.query_one("#search-hint", Static), result.hint)

    # -- refreshing -----------------------------------------------------------------------

    def refresh_counts(self) -> None:
        counts = counts_line(self.paper_list.row_count, self.session.views())
        selected = len(self.paper_list.selected_ids)
        note = " · ".join(filter(None, (self.status_note, self.learner.note)))
        self.query_one(CountsBar).show(counts, selected, self.sort.value, note)

    def _refresh_side_panels(self) -> None:
        self.query_one(Sidebar).set_views(self.session.views())
        self.refresh_counts()

    def _show_detail(self) -> None:
        paper = self.paper_list.current_paper
        query = self.live.shown.result.query if self.live.shown else None
        annotation = self.session.annotation(paper) if paper else None
        duplicates = self.session.duplicate_titles(paper) if paper else []
        reasons = self.learner.reasons(paper)
        self.query_one(PaperDetail).show(paper, annotation, duplicates, query, reasons)

    def after_change(self, outcome: Outcome) -> None:
        """Show the outcome; on success, redraw everything an annotation can affect."""
        self.notify(outcome.message, severity=outcome.severity, markup=False)
        if outcome.changed:
            self.refresh_after_annotations()

    def refresh_after_annotations(self) -> None:
        # The paper under the cursor stays in a filtered list until the cursor leaves it.
        self.paper_list.keep_current()
        self.paper_list.update_annotations(self.session.annotations())
        self._show_detail()
        self._refresh_side_panels()
        self.run_search()
        self.learner.labels_changed()  # every label retrains the For you model

    def poll_disk(self) -> None:
        outcome = self.session.poll()
        if outcome is None:
            return
        if outcome.message:
            self.notify(outcome.message, severity=outcome.severity, markup=False)
        else:
            self.refresh_after_annotations()

    # -- list events ----------------------------------------------------------------------

    @on(PaperList.Highlighted)
    def _paper_highlighted(self, event: PaperList.Highlighted) -> None:
        if not event.by_user:  # new rows: the pane waits until the list is painted
            self.query_one(PaperDetail).after_paint(self._show_detail)
            return
        self._show_detail()
        if self.paper_list.release_kept():
            self.run_search()  # the row kept after a change may leave the list now
        if self.auto_read is not None:
            self.auto_read.moved_to(event.paper)

    @on(PaperList.SelectionChanged)
    def _selection_changed(self) -> None:
        self.refresh_counts()

    @on(Sidebar.ViewChosen)
    def _view_chosen(self, event: Sidebar.ViewChosen) -> None:
        self.commands.choose_view(event.view)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        result = event.worker.result
        if event.state == WorkerState.SUCCESS and isinstance(result, SyncOutcome):
            self.commands.synced(result)

    # -- commands -----------------------------------------------------------------------

    def action_command(self, name: str, *args: object) -> None:
        """Run one of the commands (see ui/commands.py); the action table names them."""
        self.commands.run(name, *args)
