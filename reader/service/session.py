"""Everything the screens need about one working session, with no terminal involved.

A Session joins the loaded corpus, the reading list and the search/export services, and turns
each triage command into a short outcome the UI shows as a notification. Storage failures are
part of normal life here (a read-only database, a full disk): they come back as outcomes with
an error severity, never as exceptions, and the reading list is unchanged when they happen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from reader.export.links import WebSearch
from reader.export.service import CitationKeys, ExportError, render
from reader.model.annotation import Annotation, Status
from reader.model.paper import Paper
from reader.model.tags import normalize_tags
from reader.parsing.corpus import Corpus
from reader.search import DeferredEngine, SearchEngine, Searcher
from reader.service.exporting import ExportRequest, run_export
from reader.service.scopes import Scope
from reader.service.views import View, build_views
from reader.storage.errors import ReadOnlyError, StoreError
from reader.storage.reading_list import ReadingList, UndoResult

Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True, slots=True)
class Outcome:
    message: str
    severity: Severity = "information"

    @property
    def changed(self) -> bool:
        return self.severity != "error"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class Session:
    """The corpus, its search index and citation keys, and the reading list."""

    def __init__(
        self,
        corpus: Corpus,
        reading_list: ReadingList,
        engine: Searcher | None = None,
        *,
        web_search: WebSearch | None = None,
    ) -> None:
        self.corpus = corpus
        # Where "open the paper" and the Markdown export's links go.
        self.web_search = web_search or WebSearch()
        self.papers: Sequence[Paper] = corpus.papers
        self.by_id: Mapping[str, Paper] = corpus.by_id
        self.reading_list = reading_list
        # Built once over the whole corpus (or read from the cache), in the loading thread.
        self.engine: Searcher = engine if engine is not None else SearchEngine(self.papers)
        # Citation keys take seconds at 10^5 papers and are needed only for copying and
        # exporting: built on first use (the main screen warms them in the background).
        self._keys: CitationKeys | None = None
        self._keys_lock = threading.Lock()
        self._annotations: dict[str, Annotation] | None = None
        # Bumped whenever annotations may have changed: caches and narrowing key on it.
        self.generation = 0
        self.closed = False
        self._last_poll_error: str | None = None
        self._counts: dict[str, tuple[int, int]] = {}  # saved query -> (generation, count)

    @property
    def search_ready(self) -> bool:
        """False while the index is still being built (searches other than "everything"
        wait for it; see reader.search.deferred)."""
        return not isinstance(self.engine, DeferredEngine) or self.engine.ready

    @property
    def keys(self) -> CitationKeys:
        with self._keys_lock:
            if self._keys is None:
                self._keys = CitationKeys(self.papers)
            return self._keys

    def warm_keys(self) -> None:
        """Compute the citation keys now (in a worker), so the first copy is instant; not
        while the index is still being built (the app calls this again once it is)."""
        if self.search_ready:
            _ = self.keys

    # -- reading ------------------------------------------------------------------------

    def annotations(self) -> dict[str, Annotation]:
        if self._annotations is None:
            self._annotations = self.reading_list.all()
        return self._annotations

    def annotation(self, paper: Paper) -> Annotation | None:
        return self.annotations().get(paper.id)

    def is_starred(self, paper: Paper) -> bool:
        annotation = self.annotation(paper)
        return annotation is not None and annotation.starred

    def status(self, paper: Paper) -> str:
        annotation = self.annotation(paper)
        return annotation.status if annotation else "unread"

    def orphans(self) -> list[Annotation]:
        return self.reading_list.orphans(self.by_id.keys())

    def views(self) -> list[View]:
        saved = [
            (name, query, self._count_of(query))
            for name, query in self.reading_list.saved_searches()
        ]
        return build_views(self.by_id.keys(), self.annotations(), len(self.orphans()), saved)

    def _count_of(self, query: str) -> int:
        """How many papers a saved search finds now (cached until annotations change)."""
        cached = self._counts.get(query)
        if cached is not None and cached[0] == self.generation:
            return cached[1]
        if not self.search_ready:
            return 0  # not cached: counted again once the index is ready
        count = self.engine.search(query, self.annotations()).total
        self._counts[query] = (self.generation, count)
        return count

    def save_search(self, name: str, query: str) -> Outcome:
        if not query.strip():
            return Outcome("Type a search first, then save it.", "warning")
        try:
            stored = self.reading_list.save_search(name, query)
        except ValueError as error:
            return Outcome(f"Not saved: {error}", "warning")
        except StoreError as error:
            return Outcome(f"Not saved: {error}", "error")
        self._invalidate()
        return Outcome("Saved the search as " + stored)

    def remove_search(self, name: str) -> Outcome:
        try:
            removed = self.reading_list.remove_search(name)
        except StoreError as error:
            return Outcome(f"Not removed: {error}", "error")
        if not removed:
            return Outcome("No saved search is called " + name, "warning")
        self._invalidate()
        return Outcome("Removed the saved search " + name)

    def tags_of(self, papers: Sequence[Paper]) -> list[str]:
        found: dict[str, None] = {}
        for paper in papers:
            annotation = self.annotation(paper)
            if annotation:
                found.update(dict.fromkeys(annotation.tags))
        return list(found)

    def all_tags(self) -> list[str]:
        return self.reading_list.all_tags()

    def duplicate_titles(self, paper: Paper) -> list[str]:
        """The titles of the papers ``paper`` may duplicate, for the detail pane."""
        return [
            self.by_id[other].display_title if other in self.by_id else f"(not loaded: {other})"
            for other in paper.possible_duplicates
        ]

    def bibtex(self, papers: Sequence[Paper]) -> str:
        return render(papers, self.annotations(), "bibtex", keys=self.keys)

    def export_choices(self, results: int, selected: int) -> list[tuple[Scope, str]]:
        """The scopes an export can take right now, each with a label that gives its size."""
        views = {view.key: view for view in self.views()}
        choices = [(Scope("results"), f"Current results ({results:,})")]
        if selected:
            choices.append((Scope("selected"), f"Selected papers ({selected:,})"))
        choices.append((Scope("starred"), f"Starred ({views['starred'].count:,})"))
        choices.append((Scope("reading-list"), "Reading list (starred, tagged or noted)"))
        choices.extend(
            (Scope("tag", tag=key.removeprefix("tag:")), f"Tag {view.label} ({view.count:,})")
            for key, view in views.items()
            if key.startswith("tag:")
        )
        return choices

    def export(
        self,
        request: ExportRequest,
        *,
        results: Sequence[Paper],
        selected: Sequence[Paper],
    ) -> Outcome:
        """Run an export from the app; the outcome says where it went or why it failed."""
        if request.web_search is None:
            request = replace(request, web_search=self.web_search)
        try:
            outcome = run_export(
                request,
                papers=self.papers,
                annotations=self.annotations(),
                keys=self.keys,
                results=results,
                selected=selected,
            )
        except (ExportError, OSError) as error:
            return Outcome(f"Export failed: {error}", "error")
        if not outcome.count:
            return Outcome("Nothing to export: no papers in that selection.", "warning")
        return Outcome(outcome.summary())

    def poll(self) -> Outcome | None:
        """Pick up another writer's changes. An outcome when something changed (message
        empty) or when the file could not be re-read (said once, not every poll)."""
        try:
            changed = self.reload_if_changed()
        except Exception as error:  # a half-written or damaged file must not end the session
            message = f"Could not re-read {self.reading_list.path}: {error}"
            if message == self._last_poll_error:
                return None
            self._last_poll_error = message
            return Outcome(message, "warning")
        self._last_poll_error = None
        return Outcome("") if changed else None

    def reload_if_changed(self) -> bool:
        """Pick up another process's writes; True when there was something to pick up."""
        if not self.reading_list.changed_on_disk():
            return False
        self.reading_list.refresh()
        self._invalidate()
        return True

    # -- triage ---------------------------------------------------------------------------

    def toggle_star(self, papers: Sequence[Paper]) -> Outcome:
        star = not all(self.is_starred(paper) for paper in papers)
        verb = "Starred" if star else "Unstarred"
        return self._change(
            lambda: self.reading_list.set_starred(papers, star), f"{verb} {_count(papers)}"
        )

    def toggle_read(self, papers: Sequence[Paper]) -> Outcome:
        if all(self.status(paper) == "read" for paper in papers):
            return self._set_status(papers, "unread", "Marked " + _count(papers) + " unread")
        return self._set_status(papers, "read", "Marked " + _count(papers) + " read")

    def toggle_skip(self, papers: Sequence[Paper]) -> Outcome:
        if all(self.status(paper) == "skipped" for paper in papers):
            return self._set_status(papers, "unread", "Back in the inbox: " + _count(papers))
        return self._set_status(papers, "skipped", "Skipped " + _count(papers))

    def mark_read(self, paper: Paper) -> Outcome:
        return self._set_status([paper], "read", "Marked " + _count([paper]) + " read")

    def add_tags(self, papers: Sequence[Paper], tags: Sequence[str]) -> Outcome:
        names = ", ".join(normalize_tags(tags))
        return self._change(
            lambda: self.reading_list.add_tags(papers, tags), f"Tagged {_count(papers)}: {names}"
        )

    def remove_tags(self, papers: Sequence[Paper], tags: Sequence[str]) -> Outcome:
        names = ", ".join(normalize_tags(tags))
        return self._change(
            lambda: self.reading_list.remove_tags(papers, tags),
            f"Removed {names} from {_count(papers)}",
        )

    def set_note(self, paper: Paper, note: str) -> Outcome:
        message = "Note saved" if note.strip() else "Note removed"
        return self._change(lambda: self.reading_list.set_note(paper, note), message)

    def undo(self) -> Outcome:
        """Take back this window's latest change where no one else has changed it since."""
        return self._revert(self.reading_list.undo, "Undid", "Nothing to undo")

    def redo(self) -> Outcome:
        return self._revert(self.reading_list.redo, "Redid", "Nothing to redo")

    def close(self) -> None:
        """Quitting has started: from now on every change is refused (keys still queued
        after ``q`` must not change the reading list while the app closes)."""
        self.closed = True

    def _revert(self, revert: Callable[[], UndoResult | None], verb: str, nothing: str) -> Outcome:
        results: list[UndoResult | None] = []
        outcome = self._change(lambda: results.append(revert()), "")
        if not outcome.changed:
            return outcome
        if results[0] is None:
            return Outcome(nothing, "warning")
        result = results[0]
        return Outcome(result.message(verb), "warning" if result.kept else "information")

    def _set_status(self, papers: Sequence[Paper], status: Status, message: str) -> Outcome:
        return self._change(lambda: self.reading_list.set_status(papers, status), message)

    def _change(self, change: Callable[[], object], message: str) -> Outcome:
        if self.closed:
            return Outcome("Not saved: reader is closing", "error")
        try:
            change()
        except ReadOnlyError as error:
            return Outcome(f"Not saved: {error}", "error")
        except StoreError as error:
            # Save failures, and a file damaged or replaced by a newer reader while we run:
            # the store leaves its state unchanged; our cache may still be stale.
            self._invalidate()
            return Outcome(f"Not saved: {error}", "error")
        self._invalidate()
        return Outcome(message)

    def _invalidate(self) -> None:
        self._annotations = None
        self.generation += 1


def _count(papers: Sequence[Paper]) -> str:
    if len(papers) == 1:
        title = papers[0].display_title
        return f"“{title[:50]}…”" if len(title) > 50 else f"“{title}”"
    return plural(len(papers), "paper")
