"""The commands a person gives about papers: triage, tags, notes, copying, exporting.

Each command is a short flow in the UI (pick the target papers, maybe ask in a dialog), then
one call to the Session, whose outcome the screen shows. The policy itself (what a toggle
does to a selection, what undo may revert, which papers a scope holds) is the Session's.

Key bindings reach these through ``MainScreen.action_command(name)``; the action table
(``reader.ui.actions``) names them as ``command('toggle_star')`` and so on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from reader.model import Paper
from reader.service.exporting import ExportRequest as ServiceExportRequest
from reader.service.scopes import Scope
from reader.service.session import plural
from reader.ui.actions import help_rows
from reader.ui.clipboard import ClipboardUnavailable
from reader.ui.screens.export import ExportRequest, ExportScope, ExportScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.note import NoteScreen
from reader.ui.screens.problems import ProblemsScreen
from reader.ui.screens.tags import AddTagsScreen, RemoveTagScreen

if TYPE_CHECKING:
    from reader.ui.screens.main import MainScreen


class PaperCommands:
    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.session = screen.session

    def run(self, name: str) -> None:
        command: Callable[[], None] | None = getattr(self, f"do_{name}", None)
        if command is None:  # a keymap can name actions; never crash on a wrong one
            self.screen.notify(f"Unknown command: {name}", severity="error", markup=False)
            return
        command()

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

    # -- dialogs --------------------------------------------------------------------------

    def do_help(self) -> None:
        self.screen.app.push_screen(HelpScreen(help_rows(self.screen.app_settings.keymap)))

    def do_problems(self) -> None:
        self.screen.app.push_screen(ProblemsScreen(self.session.corpus.problems))

    # -- triage ---------------------------------------------------------------------------

    def do_toggle_star(self) -> None:
        if targets := self._targets():
            self.screen.after_change(self.session.toggle_star(targets))

    def do_toggle_read(self) -> None:
        if targets := self._targets():
            self.screen.after_change(self.session.toggle_read(targets))

    def do_toggle_skip(self) -> None:
        if targets := self._targets():
            self.screen.after_change(self.session.toggle_skip(targets))

    def do_undo(self) -> None:
        self.screen.after_change(self.session.undo())

    # -- tags and notes -------------------------------------------------------------------

    def do_add_tags(self) -> None:
        if not (targets := self._targets()):
            return
        label = plural(len(targets), "paper") if len(targets) > 1 else "this paper"

        def chosen(tags: list[str] | None) -> None:
            if tags:
                self.screen.after_change(self.session.add_tags(targets, tags))

        self.screen.app.push_screen(AddTagsScreen(self.session.all_tags(), label), chosen)

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

    def do_export(self) -> None:
        paper_list = self.screen.paper_list
        choices = self.session.export_choices(paper_list.row_count, len(paper_list.selected_ids))
        scopes = [ExportScope(scope.key, label) for scope, label in choices]
        self.screen.app.push_screen(ExportScreen(scopes, self.screen.export_dir), self._export)

    def _export(self, request: ExportRequest | None) -> None:
        if request is None or (scope := Scope.from_key(request.scope)) is None:
            return
        title = scope.title(self.screen.shown_query_text)
        job = ServiceExportRequest(scope, request.format, request.path, request.abstracts, title)
        paper_list = self.screen.paper_list
        outcome = self.session.export(
            job, results=paper_list.shown_papers, selected=paper_list.targets()
        )
        self.screen.notify(outcome.message, severity=outcome.severity, markup=False, timeout=10)
