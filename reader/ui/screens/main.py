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
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from reader.config import Settings
from reader.model import Annotation, Paper
from reader.search import SearchResult, SortKey
from reader.service.live_search import LiveSearch
from reader.service.session import Outcome, Session
from reader.service.views import ORPHANED, View, counts_line
from reader.ui.actions import bindings_for
from reader.ui.clipboard import Clipboard
from reader.ui.commands import PaperCommands
from reader.ui.safe_text import display_line
from reader.ui.screens.orphans import OrphansScreen
from reader.ui.widgets.paper_detail import PaperDetail
from reader.ui.widgets.paper_list import PaperList
from reader.ui.widgets.sidebar import Sidebar

DISK_POLL_SECONDS = 2.0
KEYS_WARM_DELAY_SECONDS = 2.0


class MainScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("screen"))
    AUTO_FOCUS = "#paper-list"  # the triage keys are in the footer from the first frame
    AUTO_READ_SECONDS = 1.5

    def __init__(
        self,
        session: Session,
        clipboard: Clipboard,
        *,
        settings: Settings | None = None,
        export_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.clipboard = clipboard
        self.app_settings = settings or Settings()
        self.auto_read = self.app_settings.auto_read
        self.export_dir = export_dir or Path.cwd()
        self.sort = SortKey(self.app_settings.default_sort)
        self.live = LiveSearch()
        self._auto_read_timer: Timer | None = None
        self.commands = PaperCommands(self)

    def compose(self) -> ComposeResult:
        yield Static(id="counts")
        if self.session.reading_list.read_only:
            reason = self.session.reading_list.read_only_reason or "the file cannot be written"
            yield Static(
                Text(f"READ-ONLY: {reason} — changes cannot be saved"), id="read-only-banner"
            )
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with Vertical(id="main-column"):
                yield Input(placeholder="Search  (/ to focus, ? for help)", id="search")
                yield Static(id="search-hint")
                with Horizontal(id="panes"):
                    yield PaperList(id="paper-list")
                    yield PaperDetail(id="detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#search-hint").display = False
        self._refresh_side_panels()
        self.run_search()
        self.set_interval(DISK_POLL_SECONDS, self.poll_disk)
        # Keys take seconds at 10^5 papers; computing them while the first rows render
        # would hold the interpreter lock and delay the screen the user is waiting for.
        self.set_timer(KEYS_WARM_DELAY_SECONDS, self._warm_citation_keys)

    @work(thread=True, group="citation-keys")
    def _warm_citation_keys(self) -> None:
        _ = self.session.keys

    @property
    def paper_list(self) -> PaperList:
        return self.query_one(PaperList)

    @property
    def search_input(self) -> Input:
        return self.query_one("#search", Input)

    @property
    def highlighted_view(self) -> View | None:
        sidebar = self.query_one(Sidebar)
        index = sidebar.highlighted
        views = sidebar.views
        return views[index] if index is not None and index < len(views) else None

    @property
    def shown_query_text(self) -> str:
        return self.live.text

    # -- search ---------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        self.run_search()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.paper_list.focus()

    def run_search(self) -> None:
        text = self.search_input.value
        token, within = self.live.start(text, self.session.generation)
        # Annotations are read here, on the UI thread, so the worker never touches the
        # reading list while a key handler is changing it.
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
        self.paper_list.show(
            papers, result.indices, annotations, result.query, cursor_to_top=new_query
        )
        hint = self.query_one("#search-hint", Static)
        hint.display = bool(result.hint)
        hint.update(Text("⚠ " + display_line(result.hint or "")))
        self._refresh_counts()
        self._show_detail(self.paper_list.current_paper)

    # -- refreshing -----------------------------------------------------------------------

    def _refresh_counts(self) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("reader  ", "bold")
        line.append(counts_line(self.paper_list.row_count, self.session.views()))
        if selected := len(self.paper_list.selected_ids):
            line.append(f" · {selected} selected", "bold")
        line.append(f" · sort: {self.sort.value}")
        self.query_one("#counts", Static).update(line)

    def _refresh_side_panels(self) -> None:
        self.query_one(Sidebar).set_views(self.session.views())
        self._refresh_counts()

    def _show_detail(self, paper: Paper | None) -> None:
        detail = self.query_one(PaperDetail)
        if paper is None:
            detail.show(None)
            return
        detail.show(paper, self.session.annotation(paper), self.session.duplicate_titles(paper))

    def after_change(self, outcome: Outcome) -> None:
        """Show the outcome; on success, redraw everything an annotation can affect."""
        self.notify(outcome.message, severity=outcome.severity, markup=False)
        if outcome.changed:
            self.refresh_after_annotations()

    def refresh_after_annotations(self) -> None:
        # The paper under the cursor stays in a filtered list until the cursor leaves it.
        self.paper_list.keep_current()
        self.paper_list.update_annotations(self.session.annotations())
        self._show_detail(self.paper_list.current_paper)
        self._refresh_side_panels()
        self.run_search()

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
        self._show_detail(event.paper)
        if not event.by_user:
            return  # new rows under the same cursor: not a move, and no reason to read
        if self._auto_read_timer is not None:
            self._auto_read_timer.stop()
            self._auto_read_timer = None
        if self.paper_list.release_kept():
            self.run_search()  # the row kept after a change may leave the list now
        # Only a paper the person moved to counts.
        if self.auto_read and event.paper is not None:
            paper = event.paper
            self._auto_read_timer = self.set_timer(
                self.AUTO_READ_SECONDS, lambda: self._auto_mark_read(paper)
            )

    def _auto_mark_read(self, paper: Paper) -> None:
        self._auto_read_timer = None
        current = self.paper_list.current_paper
        if (
            current is not None
            and current.id == paper.id
            and self.session.status(paper) == "unread"
        ):
            self.after_change(self.session.mark_read(paper))

    @on(PaperList.SelectionChanged)
    def _selection_changed(self) -> None:
        self._refresh_counts()

    @on(Sidebar.ViewChosen)
    def _view_chosen(self, event: Sidebar.ViewChosen) -> None:
        if event.view.key == ORPHANED:
            self.app.push_screen(OrphansScreen(self.session.orphans()))
            return
        self.search_input.value = event.view.query or ""
        self.paper_list.focus()

    # -- navigation actions ---------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.search_input.focus()

    def action_back(self) -> None:
        if self.focused is not self.paper_list:
            self.paper_list.focus()
        elif self.search_input.value:
            self.search_input.value = ""
        else:
            self.paper_list.clear_selection()

    def action_cycle_sort(self) -> None:
        self.sort = self.sort.next()
        self.live.forget()  # a new order: never narrow across a sort change
        self._refresh_counts()
        self.run_search()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(Sidebar)
        sidebar.display = not sidebar.display
        (sidebar if sidebar.display else self.paper_list).focus()

    def action_scroll_detail(self, direction: int) -> None:
        detail = self.query_one(PaperDetail)
        detail.scroll_relative(y=direction * max(detail.size.height - 2, 1), animate=False)

    def action_open_view(self, number: int) -> None:
        views = self.query_one(Sidebar).views
        if not 1 <= number <= len(views):
            self.notify(f"There is no view {number}.", severity="warning")
            return
        self.query_one(Sidebar).highlighted = number - 1
        self._view_chosen(Sidebar.ViewChosen(views[number - 1]))

    # -- commands -----------------------------------------------------------------------

    def action_command(self, name: str) -> None:
        """Run one of the commands on the current or selected papers (see ui/commands.py)."""
        self.commands.run(name)
