"""The commands a person gives about papers: triage, tags, notes, copying, exporting.

Each command is a short flow in the UI (pick the target papers, maybe ask in a dialog), then
one call to the Session, whose outcome the screen shows. The policy itself (what a toggle
does to a selection, what undo may revert, which papers a scope holds) is the Session's.

Key bindings reach these through ``MainScreen.action_command(name)``; the action table
(``reader.ui.actions``) names them as ``command('toggle_star')`` and so on.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.markup import escape

from reader.export.links import open_in_browser, paper_url
from reader.model import Paper
from reader.search import SortKey
from reader.search.quality import data_quality
from reader.service.exporting import ExportRequest as ServiceExportRequest
from reader.service.scopes import Scope
from reader.service.session import Outcome, plural
from reader.service.syncing import SyncOutcome, sync_now
from reader.service.views import FOR_YOU, INBOX_QUERY, ORPHANED, SAVED_PREFIX, View
from reader.storage.saved_searches import MAX_NAME_LENGTH
from reader.ui.actions import help_rows
from reader.ui.clipboard import ClipboardUnavailable
from reader.ui.screens.export import ExportRequest, ExportScope, ExportScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.name import NameScreen
from reader.ui.screens.note import NoteScreen
from reader.ui.screens.orphans import OrphansScreen
from reader.ui.screens.problems import ProblemsScreen
from reader.ui.screens.tags import AddTagsScreen, RemoveTagScreen
from reader.ui.widgets.paper_detail import PaperDetail
from reader.ui.widgets.sidebar import Sidebar

if TYPE_CHECKING:
    from reader.ui.screens.main import MainScreen


class PaperCommands:
    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.session = screen.session

    def run(self, name: str, *args: object) -> None:
        command: Callable[..., None] | None = getattr(self, f"do_{name}", None)
        if command is None:  # a keymap can name actions; never crash on a wrong one
            self.screen.notify(f"Unknown command: {name}", severity="error", markup=False)
            return
        command(*args)

    def _targets(self) -> list[Paper]:
        targets = self.screen.paper_list.targets()
        if not targets:
            self.screen.notify("No paper here.", severity="warning")
        return targets

    def _current(self) -> Paper | None:
        paper = self.screen.paper_list.current_paper
        if paper is None:
            self.screen.notify("No paper here.", severity="warning")
        return paper

    # -- navigation -----------------------------------------------------------------------

    def do_focus_search(self) -> None:
        self.screen.search_input.focus()

    def do_back(self) -> None:
        if self.screen.focused is not self.screen.paper_list:
            self.screen.paper_list.focus()
        elif self.screen.learner.leave():
            pass  # a temporary view (more like this, rate to train) is gone
        elif self.screen.search_input.value:
            self.screen.search_input.value = ""
        else:
            self.screen.paper_list.clear_selection()

    def do_cycle_sort(self) -> None:
        self._sort_by(self.screen.sort.next())

    def _sort_by(self, sort: SortKey) -> None:
        self.screen.sort = sort
        self.screen.live.forget()  # a new order: never narrow across a sort change
        self.screen.learner.show_needs()  # For you says what it still needs
        self.screen.refresh_counts()
        self.screen.run_search()

    def do_toggle_sidebar(self) -> None:
        sidebar = self.screen.query_one(Sidebar)
        sidebar.display = not sidebar.display
        (sidebar if sidebar.display else self.screen.paper_list).focus()

    def do_scroll_detail(self, direction: int) -> None:
        detail = self.screen.query_one(PaperDetail)
        detail.scroll_relative(y=direction * max(detail.size.height - 2, 1), animate=False)

    def do_open_view(self, number: int) -> None:
        views = self.screen.query_one(Sidebar).views
        if not 1 <= number <= len(views):
            self.screen.notify(f"There is no view {number}.", severity="warning")
            return
        self.screen.query_one(Sidebar).highlighted = number - 1
        self.choose_view(views[number - 1])

    def choose_view(self, view: View) -> None:
        if view.key == ORPHANED:
            self.screen.app.push_screen(OrphansScreen(self.session.orphans()))
            return
        self.screen.learner.leave()
        if view.key == FOR_YOU and self.screen.sort is not SortKey.FOR_YOU:
            self._sort_by(SortKey.FOR_YOU)
        self.screen.search_input.value = view.query or ""
        self.screen.paper_list.focus()

    # -- dialogs --------------------------------------------------------------------------

    def do_help(self) -> None:
        self.screen.app.push_screen(HelpScreen(help_rows(self.screen.app_settings.keymap)))

    def do_problems(self) -> None:
        if not self.session.search_ready:  # the counts are searches: they would wait
            self.screen.notify("Data-quality counts appear once indexing is done.", markup=False)
        quality = data_quality(self.session.engine) if self.session.search_ready else []
        problems = ProblemsScreen(self.session.corpus.problems, quality)
        self.screen.app.push_screen(problems, self._search_for)

    def _search_for(self, query: str | None) -> None:
        """A data-quality count chosen in the problems view: search for those papers."""
        if query:
            self.screen.search_input.value = query
            self.screen.paper_list.focus()

    # -- triage ---------------------------------------------------------------------------

    def do_toggle_star(self) -> None:
        if targets := self._targets():
            self._triaged(self.session.toggle_star(targets))

    def do_toggle_read(self) -> None:
        if targets := self._targets():
            self._triaged(self.session.toggle_read(targets))

    def do_toggle_skip(self) -> None:
        if targets := self._targets():
            self._triaged(self.session.toggle_skip(targets))

    def _triaged(self, outcome: Outcome) -> None:
        """Show the change; then, like a mail client, move on to the next paper when the
        settings say so (by default only in the Inbox, and never for a bulk selection)."""
        self.screen.after_change(outcome)
        paper_list = self.screen.paper_list
        if outcome.changed and not paper_list.selected_ids and self._advances():
            paper_list.action_cursor_down()

    def _advances(self) -> bool:
        mode = self.screen.app_settings.advance_after_triage
        if self.screen.learner.rating:  # rate to train: on to the next paper to rate
            return True
        if mode == "inbox":
            return self.screen.search_input.value.strip() == INBOX_QUERY
        return mode == "always"

    def do_undo(self) -> None:
        self.screen.after_change(self.session.undo())

    def do_redo(self) -> None:
        self.screen.after_change(self.session.redo())

    # -- tags and notes -------------------------------------------------------------------

    def do_add_tags(self) -> None:
        if not (targets := self._targets()):
            return
        label = plural(len(targets), "paper") if len(targets) > 1 else "this paper"

        def chosen(tags: list[str] | None) -> None:
            if tags:
                self.screen.after_change(self.session.add_tags(targets, tags))

        dialog = AddTagsScreen(self.session.all_tags(), label)
        self.screen.app.push_screen(dialog, chosen)
        if len(targets) == 1:  # suggestions come from a worker: the dialog opens at once
            self.screen.learner.suggest_tags(targets[0], dialog)

    # -- learning -------------------------------------------------------------------------

    def do_more_like(self) -> None:
        if (paper := self._current()) is not None:
            self.screen.learner.more_like(paper)

    def do_rate_to_train(self) -> None:
        self.screen.learner.rate_to_train()

    def do_remove_tag(self) -> None:
        if not (targets := self._targets()):
            return
        if not (tags := self.session.tags_of(targets)):
            self.screen.notify("No tags to remove.", severity="warning")
            return

        def chosen(tag: str | None) -> None:
            if tag:
                self.screen.after_change(self.session.remove_tags(targets, [tag]))

        self.screen.app.push_screen(RemoveTagScreen(tags), chosen)

    def do_edit_note(self) -> None:
        if (paper := self._current()) is None:
            return
        annotation = self.session.annotation(paper)

        def saved(note: str | None) -> None:
            if note is not None:
                self.screen.after_change(self.session.set_note(paper, note))

        note = annotation.note if annotation else ""
        self.screen.app.push_screen(NoteScreen(paper.display_title, note), saved)

    # -- saved searches -------------------------------------------------------------------

    def do_save_search(self) -> None:
        query = self.screen.search_input.value
        if not query.strip():
            self.screen.notify("Type a search first, then save it.", severity="warning")
            return

        def named(name: str | None) -> None:
            if name is not None:
                self.screen.after_change(self.session.save_search(name, query))

        prompt = "Save this search as"
        self.screen.app.push_screen(NameScreen(prompt, suggestion=query[:MAX_NAME_LENGTH]), named)

    def do_remove_saved_search(self) -> None:
        view = self.screen.query_one(Sidebar).highlighted_view
        if view is None or not view.key.startswith(SAVED_PREFIX):
            message = "Highlight a saved search (⌕) in the sidebar to remove it."
            self.screen.notify(message, severity="warning")
            return
        self.screen.after_change(self.session.remove_search(view.key.removeprefix(SAVED_PREFIX)))

    # -- sync ---------------------------------------------------------------------------

    def do_sync_now(self) -> None:
        self.screen.notify("Syncing…", markup=False)
        self.screen.run_worker(
            partial(sync_now, self.session.reading_list.path),
            thread=True,
            exclusive=True,
            group="sync",
            name="sync",
        )

    def synced(self, result: SyncOutcome) -> None:
        """A sync finished (called on the UI thread by the screen's worker handler)."""
        self.screen.status_note = result.status_note
        outcome = result.outcome
        self.screen.notify(outcome.message, severity=outcome.severity, markup=False, timeout=10)
        self.screen.poll_disk()  # merged changes show at once, not at the next poll
        self.screen.refresh_counts()

    # -- copying and exporting ------------------------------------------------------------

    def do_copy_bibtex(self) -> None:
        if targets := self._targets():
            what = f"BibTeX for {plural(len(targets), 'paper')}"
            self._copy(self.session.bibtex(targets), what)

    def do_copy_title(self) -> None:
        if (paper := self._current()) is not None:
            self._copy(paper.display_title, "the title")

    def _copy(self, text: str, what: str) -> None:
        try:
            where = self.screen.clipboard.copy(text)
        except ClipboardUnavailable as error:
            self.screen.notify(f"Could not copy {what}: {error}", severity="error", markup=False)
            return
        self.screen.notify(f"Copied {what} ({where})", markup=False)

    def do_open_paper(self) -> None:
        """Open the paper in the browser; where none can show it (over SSH, no browser),
        copy the address and show it as a terminal hyperlink instead."""
        if (paper := self._current()) is None:
            return
        url = paper_url(paper, self.session.web_search)
        if url is None:
            self.screen.notify("This paper has no title to search for.", severity="warning")
            return
        result = open_in_browser(url)
        if result.opened:
            self.screen.notify(f"Opened {url}", markup=False)
            return
        try:
            where = self.screen.clipboard.copy(url)
        except ClipboardUnavailable:
            where = "not copied: no clipboard"
        # The address is URL-quoted and a checked template: no markup characters remain
        # except the ones percent-encoded here, so the link text is exactly the address.
        target = url.replace("[", "%5B").replace("]", "%5D").replace('"', "%22")
        self.screen.notify(
            f"{escape(result.reason[:1].upper() + result.reason[1:])}. Link ({escape(where)}): "
            f'[link="{target}"]{escape(url)}[/link]',
            markup=True,
            timeout=20,
        )

    def do_export(self) -> None:
        paper_list = self.screen.paper_list
        choices = self.session.export_choices(paper_list.row_count, len(paper_list.selected_ids))
        scopes = [ExportScope(scope.key, label) for scope, label in choices]
        self.screen.app.push_screen(
            ExportScreen(scopes, self.screen.export_dir, state=self.screen.state), self._export
        )

    def _export(self, request: ExportRequest | None) -> None:
        if request is None or (scope := Scope.from_key(request.scope)) is None:
            return
        title = scope.title(self.screen.live.text)
        job = ServiceExportRequest(scope, request.format, request.path, request.abstracts, title)
        paper_list = self.screen.paper_list
        outcome = self.session.export(
            job, results=paper_list.shown_papers, selected=paper_list.targets()
        )
        self.screen.notify(outcome.message, severity=outcome.severity, markup=False, timeout=10)
