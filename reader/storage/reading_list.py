"""The reading list: stars, tags, notes and read status of papers, in a TinyDB file.

This is the only API the app and the CLI use; it has no Textual in it.

- Every change is applied under the file lock to freshly re-read data and saved atomically
  before the method returns (see json_file_storage.py), so an app window and
  ``reader annotate`` scripts beside it never lose each other's changes.
- Reads (``get``, ``all``, ...) answer from memory. ``changed_on_disk()`` is a cheap stat;
  ``refresh()`` picks up other processes' changes (every change of ours does too).
- A change that cannot be saved raises ReadOnlyError / SaveError and leaves both the
  file and what this object reports as they were.
- ``undo()`` takes back our latest change through the lock, on the file as it is now, field
  by field: a field (or tag) goes back only where it still holds what we wrote. Another
  window's or script's later edits are kept, and the result says which fields those were.
  ``redo()`` re-applies an undone change by the same rule. One ``apply(Edit)`` (everything
  one command asks for) is one save and one undo step.
- Nothing is deleted implicitly: an annotation whose star, tags and note are all removed
  stays (it still records the status and when it was made). Only undo of the change that
  created an annotation removes it.
- One ReadingList object is not thread-safe: use it from one thread (the app's). Several
  objects and processes on one file are fine.
- Changes take ``Paper`` objects, whose title and first author are copied in so the list
  stays readable when the paper is not loaded; they also accept a plain paper id, which must
  then already be in the reading list (UnknownPaperError otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from reader.model.annotation import Annotation, Status
from reader.model.paper import Paper
from reader.storage.backups import DEFAULT_INTERVAL
from reader.storage.changes import Edit, Step, describe_edit, field_list, judgement, revert
from reader.storage.errors import StoreError, UnknownPaperError
from reader.storage.json_file_storage import JSONFileStorage
from reader.storage.locking import DEFAULT_TIMEOUT
from reader.storage.permissions import why_not_writable
from reader.storage.restore import restore_newest_backup
from reader.storage.saved_searches import (
    SAVED_SEARCHES_TABLE,
    SavedSearch,
    clean_name,
    fold,
    read_saved_searches,
)
from reader.storage.schema import (
    ANNOTATIONS_TABLE,
    SCHEMA_VERSION,
    Tables,
    doc_from_annotation,
    empty_tables,
    read_snapshot,
)

Target = Paper | str
Clock = Callable[[], datetime]
UNDO_DEPTH = 200


@dataclass(frozen=True, slots=True)
class _Change:
    """One undoable change: what it did, and per paper what was there and what it wrote."""

    description: str
    steps: list[Step]


@dataclass(frozen=True, slots=True)
class UndoResult:
    """What an undo (or redo) did: the change's description, the fields that went back, and
    the fields another writer changed since (kept as they are)."""

    description: str
    reverted: frozenset[str]
    kept: frozenset[str]

    def message(self, verb: str = "Undid") -> str:
        """E.g. ``Undid star; kept the tags and note changed elsewhere``."""
        text = verb + " " + field_list(self.reverted) if self.reverted else "Nothing to take back"
        if self.kept:
            text += "; kept the " + field_list(self.kept) + " changed elsewhere"
        return text + " (" + self.description + ")"


class ReadingList:
    """One reading list file, its annotations in memory, and this session's undo steps."""

    def __init__(
        self,
        path: Path,
        *,
        read_only_reason: str | None,
        clock: Clock,
        backup_interval: float,
        lock_timeout: float,
    ) -> None:
        """Use ``ReadingList.open``, which also loads the file."""
        self._storage = JSONFileStorage(
            path,
            on_load=self._install,
            empty=empty_tables,
            read_only_reason=read_only_reason,
            backup_interval=backup_interval,
            lock_timeout=lock_timeout,
        )
        self._clock = clock
        self._annotations: dict[str, Annotation] = {}
        self._doc_ids: dict[str, int] = {}
        self._undo: list[_Change] = []
        self._redo: list[_Change] = []
        self._saved: dict[str, SavedSearch] = {}

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        read_only: bool = False,
        clock: Clock | None = None,
        backup_interval: float = DEFAULT_INTERVAL,
        lock_timeout: float = DEFAULT_TIMEOUT,
    ) -> Self:
        """Open (creating if missing and writable) the reading list at ``path``.

        Raises CorruptStoreError / NewerSchemaError for a file we cannot use. A file or
        folder we may not write opens read-only, with ``read_only_reason`` saying why.
        ``backup_interval`` is the minimum age of ``.bak1`` before a new backup is taken.
        """
        path = Path(path).expanduser()
        if path.is_symlink():
            # Saving replaces the file by rename; do it at the link's target, not over the link
            # (a reading list symlinked into a synced folder must stay there).
            path = path.resolve()
        reason = "opened read-only" if read_only else why_not_writable(path)
        reading_list = cls(
            path,
            read_only_reason=reason,
            clock=clock or _utc_now,
            backup_interval=backup_interval,
            lock_timeout=lock_timeout,
        )
        if reason is None:
            reading_list._storage.prepare()
        else:
            reading_list._storage.load()
        return reading_list

    # -- reading ------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self._storage.path

    @property
    def read_only(self) -> bool:
        return self._storage.read_only_reason is not None

    @property
    def read_only_reason(self) -> str | None:
        return self._storage.read_only_reason

    @property
    def schema(self) -> int:
        return SCHEMA_VERSION

    def get(self, paper_id: str) -> Annotation | None:
        return self._annotations.get(paper_id)

    def all(self) -> dict[str, Annotation]:
        return dict(self._annotations)

    def __len__(self) -> int:
        return len(self._annotations)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._annotations

    def all_tags(self) -> list[str]:
        """Every tag in use, alphabetically (for completion)."""
        return sorted({tag for a in self._annotations.values() for tag in a.tags})

    def orphans(self, loaded_ids: Collection[str]) -> list[Annotation]:
        """Annotations of papers not in ``loaded_ids``, most recently updated first."""
        loaded = loaded_ids if isinstance(loaded_ids, AbstractSet) else set(loaded_ids)
        found = [a for pid, a in self._annotations.items() if pid not in loaded]
        return sorted(found, key=lambda a: (a.updated, a.paper_id), reverse=True)

    def saved_searches(self) -> list[tuple[str, str]]:
        """(name, query) of every saved search, by name."""
        return sorted(
            ((s.name, s.query) for s in self._saved.values()), key=lambda s: s[0].casefold()
        )

    def save_search(self, name: str, query: str) -> str:
        """Save ``query`` under ``name`` (replacing a search of that name); returns the name
        as stored. ValueError for a name that is empty once cleaned."""
        stored_name = clean_name(name)
        if not stored_name:
            raise ValueError("a saved search needs a name")
        with self._storage.transaction():
            existing = self._saved.get(fold(stored_name))
            if existing is not None:
                doc_id = existing.doc_id
            else:
                table = self._storage.read().get(SAVED_SEARCHES_TABLE, {})
                doc_id = max((int(k) for k in table if k.isdigit()), default=0) + 1
            document = {"name": stored_name, "query": query, "updated": _iso(self._clock())}
            self._storage.replace_documents(SAVED_SEARCHES_TABLE, {doc_id: document})
        self._saved[fold(stored_name)] = SavedSearch(stored_name, query, doc_id)
        return stored_name

    def remove_search(self, name: str) -> bool:
        """Remove the saved search called ``name``; False when there is none."""
        with self._storage.transaction():
            existing = self._saved.get(fold(name))
            if existing is None:
                return False
            self._storage.replace_documents(SAVED_SEARCHES_TABLE, {existing.doc_id: None})
        self._saved.pop(fold(name), None)
        return True

    def changed_on_disk(self) -> bool:
        return self._storage.changed_on_disk()

    def refresh(self) -> None:
        """Pick up changes other processes saved (CorruptStoreError if the file broke)."""
        self._storage.refresh()

    # -- changing -----------------------------------------------------------------------

    def apply(self, papers: Sequence[Target], edit: Edit) -> list[str]:
        """Apply every part of ``edit`` to every paper in ONE save and one undo step.

        Returns a line per kind of change that changed something (empty: nothing changed,
        nothing written). All or nothing: on an error nothing is saved.
        """
        targets = _unique_targets(papers)
        if not targets or edit.empty:
            return []
        with self._storage.transaction():
            self._check_known(targets)
            now = _iso(self._clock())
            steps = [s for t in targets if (s := self._step(t, edit, now)) is not None]
            written = self._write({s.paper_id: s.after for s in steps}) if steps else {}
        if not steps:
            return []
        self._apply({s.paper_id: s.after for s in steps}, written)
        lines = describe_edit(edit, [s.before for s in steps], [s.after for s in steps if s.after])
        self._push(self._undo, _Change("; ".join(lines), steps))
        self._redo.clear()
        return lines

    def set_starred(self, papers: Sequence[Target], value: bool) -> str | None:
        """Star or unstar every paper; returns a description, None when nothing changed."""
        return self._described(papers, Edit.of(starred=value))

    def add_tags(self, papers: Sequence[Target], tags: Sequence[str]) -> str | None:
        return self._described(papers, Edit.of(add_tags=tags))

    def remove_tags(self, papers: Sequence[Target], tags: Sequence[str]) -> str | None:
        return self._described(papers, Edit.of(remove_tags=tags))

    def set_note(self, paper: Target, note: str) -> str | None:
        return self._described([paper], Edit.of(note=note))

    def set_status(self, papers: Sequence[Target], status: Status) -> str | None:
        return self._described(papers, Edit.of(status=status))

    def undo(self) -> UndoResult | None:
        """Take back our most recent change, field by field (see changes.py); None if none.

        Under the lock, on the file as it is now: a field goes back only where it still holds
        what we wrote; fields another window or script changed since are kept and reported.
        """
        return self._revert_top(self._undo, self._redo)

    def redo(self) -> UndoResult | None:
        """Re-apply the most recently undone change, with the same per-field rule."""
        return self._revert_top(self._redo, self._undo)

    # -- internals ----------------------------------------------------------------------

    def _described(self, papers: Sequence[Target], edit: Edit) -> str | None:
        return "; ".join(self.apply(papers, edit)) or None

    def _check_known(self, targets: Sequence[Target]) -> None:
        unknown = [t for t in targets if isinstance(t, str) and t not in self._annotations]
        if unknown:
            raise UnknownPaperError(self.path, unknown)

    def _step(self, target: Target, edit: Edit, now: str) -> Step | None:
        paper_id = _id_of(target)
        old = self._annotations.get(paper_id)
        new = edit.applied_to(old or Annotation(paper_id=paper_id, created=now))
        if judgement(new) == judgement(old):
            return None
        if isinstance(target, Paper):
            new = replace(new, title=target.title, first_author=target.first_author)
        return Step(paper_id, old, replace(new, updated=now))

    def _revert_top(self, stack: list[_Change], other: list[_Change]) -> UndoResult | None:
        if not stack:
            return None
        change = stack[-1]
        with self._storage.transaction():
            now = _iso(self._clock())
            current = {s.paper_id: self._annotations.get(s.paper_id) for s in change.steps}
            results = [(s, revert(s, current[s.paper_id], now)) for s in change.steps]
            new = {s.paper_id: r.annotation for s, r in results if r.write}
            written = self._write(new) if new else {}
        self._apply(new, written)
        stack.pop()
        # What would take this revert back: from what we just wrote to what was there.
        back = [Step(s.paper_id, current[s.paper_id], r.annotation) for s, r in results]
        self._push(other, _Change(change.description, back))
        return UndoResult(
            change.description,
            reverted=frozenset().union(*(r.reverted for _, r in results)),
            kept=frozenset().union(*(r.kept for _, r in results)),
        )

    @staticmethod
    def _push(stack: list[_Change], change: _Change) -> None:
        stack.append(change)
        del stack[:-UNDO_DEPTH]

    def _write(self, new: dict[str, Annotation | None]) -> dict[str, int]:
        """Make the table hold ``new`` for those papers (None removes); inside a transaction.

        Returns the document id of each paper written (new papers get the next free id).
        """
        next_id: int | None = None
        documents: dict[int, dict[str, Any] | None] = {}
        written: dict[str, int] = {}
        for paper_id, annotation in new.items():
            doc_id = self._doc_ids.get(paper_id)
            if annotation is None:
                if doc_id is not None:
                    documents[doc_id] = None
                continue
            if doc_id is None:
                if next_id is None:
                    next_id = max(self._doc_ids.values(), default=0) + 1
                doc_id, next_id = next_id, next_id + 1
            documents[doc_id] = doc_from_annotation(annotation)
            written[paper_id] = doc_id
        self._storage.replace_documents(ANNOTATIONS_TABLE, documents)
        return written

    def _apply(self, new: dict[str, Annotation | None], doc_ids: dict[str, int]) -> None:
        """Mirror a saved change in memory (only after the save succeeded)."""
        for paper_id, annotation in new.items():
            if annotation is None:
                self._annotations.pop(paper_id, None)
                self._doc_ids.pop(paper_id, None)
            else:
                self._annotations[paper_id] = annotation
                self._doc_ids[paper_id] = doc_ids[paper_id]

    def _install(self, data: Tables) -> None:
        """Adopt freshly read file data (SchemaProblem / NewerSchema if it is unusable)."""
        snapshot = read_snapshot(data)
        self._annotations = snapshot.annotations
        self._doc_ids = snapshot.doc_ids
        self._saved = read_saved_searches(data.get(SAVED_SEARCHES_TABLE, {}))


def _unique_targets(papers: Iterable[Target]) -> list[Target]:
    seen: dict[str, Target] = {}
    for paper in papers:
        seen.setdefault(_id_of(paper), paper)
    return list(seen.values())


def _id_of(target: Target) -> str:
    return target.id if isinstance(target, Paper) else target


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


__all__ = [
    "Edit",
    "ReadingList",
    "StoreError",
    "Target",
    "UndoResult",
    "restore_newest_backup",
]
