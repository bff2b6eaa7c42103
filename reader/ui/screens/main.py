"""The main screen: search box, views sidebar, paper list, detail pane, counts, footer.

The screen owns the triage logic (the list declares the keys, the actions land here): each
change goes through the Session (durable before the handler returns), then the list row,
detail pane, counts and sidebar are refreshed and the search is re-run, because a change can
move a paper in or out of the current view (starring while in "Starred", ...).

Searching runs in a thread worker (exclusive, group "search") so typing never waits for a
big corpus; a result is only shown if no newer search started after it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from reader.export.service import ExportError, render, select_reading_list, write_export
from reader.model.annotation import Annotation
from reader.model.paper import Paper
from reader.search import ParsedQuery, SearchResult, SortKey
from reader.search.quality import data_quality
from reader.ui.clipboard import Clipboard, ClipboardUnavailable
from reader.ui.narrowing import narrowed_within
from reader.ui.safe_text import display_line
from reader.ui.screens.export import ExportRequest, ExportScope, ExportScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.note import NoteScreen
from reader.ui.screens.orphans import OrphansScreen
from reader.ui.screens.problems import ProblemsScreen
from reader.ui.screens.tags import AddTagsScreen, RemoveTagScreen
from reader.ui.session import Outcome, Session, plural
from reader.ui.views import ORPHANED, counts_line
from reader.ui.widgets.paper_detail import PaperDetail
from reader.ui.widgets.paper_list import PaperList
from reader.ui.widgets.sidebar import Sidebar

SORT_ORDER = list(SortKey)
DISK_POLL_SECONDS = 2.0
KEYS_WARM_DELAY_SECONDS = 2.0


class MainScreen(Screen[None]):
    # Below 110 columns the layout stacks (see "-narrow" in reader.tcss).
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-narrow"),
        (110, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search"),
        Binding("escape", "back", "Back", show=False),
        Binding("o", "cycle_sort", "Sort"),
        Binding("b", "toggle_sidebar", "Views"),
        Binding("u", "undo", "Undo"),
        Binding("e", "export", "Export"),
        Binding("P", "problems", "Problems"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    AUTO_READ_SECONDS = 1.5

    def __init__(
        self,
        session: Session,
        clipboard: Clipboard,
        *,
        auto_read: bool = False,
        export_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.clipboard = clipboard
        self.auto_read = auto_read
        self.export_dir = export_dir or Path.cwd()
        self.sort = SortKey.RELEVANCE
        self._search_token = 0
        # What the rows on screen came from; a narrowing search needs all three to match.
        self._shown_text: str | None = None
        self._shown_result: SearchResult | None = None
        self._shown_generation = -1
        self._auto_read_timer: Timer | None = None
        self._last_poll_error: str | None = None

    # -- layout ---------------------------------------------------------------------------

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
        self.query_one(PaperDetail).roots = list(getattr(self.app, "corpus_paths", []))
        self.query_one(PaperList).focus()
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

    # -- search ---------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        self.run_search()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.paper_list.focus()

    def run_search(self) -> None:
        text = self.search_input.value
        within = None
        if self._shown_generation == self.session.generation:
            within = narrowed_within(self._shown_text, self._shown_result, text)
        self._search_token += 1
        # The annotations are read here, on the UI thread, so the worker never touches the
        # reading list while a key handler is changing it.
        self._search(
            text,
            self.sort,
            within,
            self.session.annotations(),
            self._search_token,
            self.session.generation,
        )

    @work(thread=True, exclusive=True, group="search")
    def _search(
        self,
        text: str,
        sort: SortKey,
        within: Sequence[int] | None,
        annotations: Mapping[str, Annotation],
        token: int,
        generation: int,
    ) -> None:
        worker = get_current_worker()
        result = self.session.engine.search(
            text,
            annotations,
            sort,
            within=within,
            should_stop=lambda: worker.is_cancelled,
        )
        if result.cancelled or worker.is_cancelled:
            return
        self.app.call_from_thread(self._show_result, text, result, token, generation)

    def _show_result(self, text: str, result: SearchResult, token: int, generation: int) -> None:
        if token != self._search_token:
            return  # a newer search is on its way
        self._shown_text, self._shown_result, self._shown_generation = text, result, generation
        self.paper_list.show(
            self.session.papers, result.indices, self.session.annotations(), result.query
        )
        hint = self.query_one("#search-hint", Static)
        hint.display = bool(result.hint)
        hint.update(Text("⚠ " + display_line(result.hint or "")))
        self._refresh_counts()
        self._show_detail(self.paper_list.current_paper)

    @property
    def shown_query(self) -> ParsedQuery | None:
        return self._shown_result.query if self._shown_result else None

    # -- refreshing -----------------------------------------------------------------------

    def _refresh_counts(self) -> None:
        shown = self.paper_list.row_count
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("reader  ", "bold")
        line.append(counts_line(shown, self.session.views()))
        selected = len(self.paper_list.selected_ids)
        if selected:
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
        duplicates = [
            self.session.by_id[other].display_title
            if other in self.session.by_id
            else f"(not loaded: {other})"
            for other in paper.possible_duplicates
        ]
        detail.show(paper, self.session.annotation(paper), duplicates, self.shown_query)

    def after_change(self, outcome: Outcome) -> None:
        """Show the outcome; on success, redraw everything an annotation can affect."""
        self.notify(outcome.message, severity=outcome.severity, markup=False)
        if outcome.changed:
            self.refresh_after_annotations()

    def refresh_after_annotations(self) -> None:
        self.paper_list.update_annotations(self.session.annotations())
        self._show_detail(self.paper_list.current_paper)
        self._refresh_side_panels()
        self.run_search()

    def poll_disk(self) -> None:
        try:
            changed = self.session.reload_if_changed()
        except Exception as error:  # a half-written or damaged file must not kill the app
            message = f"Could not re-read {self.session.reading_list.path}: {error}"
            if message != self._last_poll_error:  # polled every 2 s: say it once
                self.notify(message, severity="warning", markup=False)
            self._last_poll_error = message
            return
        self._last_poll_error = None
        if changed:
            self.refresh_after_annotations()

    # -- list events ----------------------------------------------------------------------

    @on(PaperList.Highlighted)
    def _paper_highlighted(self, event: PaperList.Highlighted) -> None:
        self._show_detail(event.paper)
        if self._auto_read_timer is not None:
            self._auto_read_timer.stop()
            self._auto_read_timer = None
        if self.auto_read and event.paper is not None:
            paper = event.paper
            self._auto_read_timer = self.set_timer(
                self.AUTO_READ_SECONDS, lambda: self._auto_mark_read(paper)
            )

    def _auto_mark_read(self, paper: Paper) -> None:
        self._auto_read_timer = None
        if self.paper_list.current_paper is paper and self.session.status(paper) == "unread":
            outcome = self.session.mark_read(paper)
            if outcome.changed:
                self.refresh_after_annotations()
            else:
                self.notify(outcome.message, severity=outcome.severity, markup=False)

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
        self.sort = SORT_ORDER[(SORT_ORDER.index(self.sort) + 1) % len(SORT_ORDER)]
        self._shown_result = None  # a new order: never narrow across a sort change
        self._refresh_counts()
        self.run_search()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(Sidebar)
        sidebar.display = not sidebar.display
        if sidebar.display:
            sidebar.focus()
        else:
            self.paper_list.focus()

    def action_scroll_detail(self, direction: int) -> None:
        detail = self.query_one(PaperDetail)
        detail.scroll_relative(y=direction * max(detail.size.height - 2, 1), animate=False)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_problems(self) -> None:
        problems = ProblemsScreen(self.session.corpus.problems, data_quality(self.session.engine))
        self.app.push_screen(problems, self._search_for)

    def _search_for(self, query: str | None) -> None:
        if query:
            self.search_input.value = query
            self.paper_list.focus()

    # -- triage actions -------------------------------------------------------------------

    def _targets(self) -> list[Paper]:
        targets = self.paper_list.targets()
        if not targets:
            self.notify("No paper here.", severity="warning")
        return targets

    def action_toggle_star(self) -> None:
        if targets := self._targets():
            self.after_change(self.session.toggle_star(targets))

    def action_toggle_read(self) -> None:
        if targets := self._targets():
            self.after_change(self.session.toggle_read(targets))

    def action_toggle_skip(self) -> None:
        if targets := self._targets():
            self.after_change(self.session.toggle_skip(targets))

    def action_undo(self) -> None:
        self.after_change(self.session.undo())

    def action_add_tags(self) -> None:
        targets = self._targets()
        if not targets:
            return
        label = plural(len(targets), "paper") if len(targets) > 1 else "this paper"

        def chosen(tags: list[str] | None) -> None:
            if tags:
                self.after_change(self.session.add_tags(targets, tags))

        self.app.push_screen(AddTagsScreen(self.session.reading_list.all_tags(), label), chosen)

    def action_remove_tag(self) -> None:
        targets = self._targets()
        if not targets:
            return
        tags = self.session.tags_of(targets)
        if not tags:
            self.notify("No tags to remove.", severity="warning")
            return

        def chosen(tag: str | None) -> None:
            if tag:
                self.after_change(self.session.remove_tags(targets, [tag]))

        self.app.push_screen(RemoveTagScreen(tags), chosen)

    def action_edit_note(self) -> None:
        paper = self.paper_list.current_paper
        if paper is None:
            self.notify("No paper here.", severity="warning")
            return
        annotation = self.session.annotation(paper)

        def saved(note: str | None) -> None:
            if note is not None:
                self.after_change(self.session.set_note(paper, note))

        self.app.push_screen(
            NoteScreen(paper.display_title, annotation.note if annotation else ""), saved
        )

    def action_copy_bibtex(self) -> None:
        if targets := self._targets():
            self._copy(self.session.bibtex(targets), f"BibTeX for {plural(len(targets), 'paper')}")

    def action_copy_title(self) -> None:
        paper = self.paper_list.current_paper
        if paper is not None:
            self._copy(paper.display_title, "the title")

    def _copy(self, text: str, what: str) -> None:
        try:
            where = self.clipboard.copy(text)
        except ClipboardUnavailable as error:
            self.notify(f"Could not copy {what}: {error}", severity="error", markup=False)
            return
        self.notify(f"Copied {what} ({where})", markup=False)

    # -- export ---------------------------------------------------------------------------

    def export_scopes(self) -> list[ExportScope]:
        query = self.search_input.value.strip()
        results_title = f"Search: {query}" if query else "All papers"
        rows = f"Current results ({self.paper_list.row_count:,})"
        scopes = [ExportScope("results", rows, results_title)]
        selected = len(self.paper_list.selected_ids)
        if selected:
            label = f"Selected papers ({selected})"
            scopes.append(ExportScope("selected", label, "Selected papers"))
        views = {view.key: view for view in self.session.views()}
        starred = f"Starred ({views['starred'].count:,})"
        scopes.append(ExportScope("starred", starred, "Starred papers"))
        scopes.append(ExportScope("reading-list", "Reading list (starred, tagged or noted)"))
        scopes.extend(
            ExportScope(key, f"Tag {display_line(view.label)} ({view.count:,})", view.label)
            for key, view in views.items()
            if key.startswith("tag:")
        )
        return scopes

    def papers_for_scope(self, scope: str) -> list[Paper]:
        annotations = self.session.annotations()
        if scope == "results":
            return self.paper_list.shown_papers
        if scope == "selected":
            return self.paper_list.targets()
        if scope == "starred":
            return [p for p in self.session.papers if self.session.is_starred(p)]
        if scope == "reading-list":
            return select_reading_list(self.session.papers, annotations)
        if scope.startswith("tag:"):
            tag = scope.removeprefix("tag:")
            return [
                p
                for p in self.session.papers
                if p.id in annotations and tag in annotations[p.id].tags
            ]
        return []

    def action_export(self) -> None:
        self.app.push_screen(ExportScreen(self.export_scopes(), self.export_dir), self._export)

    def _export(self, request: ExportRequest | None) -> None:
        if request is None:
            return
        papers = self.papers_for_scope(request.scope)
        if not papers:
            self.notify("Nothing to export: no papers in that selection.", severity="warning")
            return
        try:
            text = render(
                papers,
                self.session.annotations(),
                request.format,
                keys=self.session.keys,
                abstracts=request.abstracts,
                title=request.title,
            )
            write_export(request.path, text)
        except (ExportError, OSError) as error:
            self.notify(f"Export failed: {error}", severity="error", markup=False, timeout=10)
            return
        label = "BibTeX" if request.format == "bibtex" else "Markdown"
        self.notify(
            f"Wrote {plural(len(papers), 'paper')} ({label}) to {request.path}", markup=False
        )
