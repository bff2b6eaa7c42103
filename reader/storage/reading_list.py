"""The reading list: stars, tags, notes and read status of papers, in a TinyDB file.

This is the only API the app and the CLI use; it has no Textual in it.

- Every change is applied under the file lock to freshly re-read data and saved atomically
  before the method returns (see json_file_storage.py), so an app window and
  ``reader annotate`` scripts beside it never lose each other's changes.
- Reads (``get``, ``all``, ...) answer from memory. ``changed_on_disk()`` is a cheap stat;
  ``refresh()`` picks up other processes' changes (every change of ours does too).
- A change that cannot be saved raises ReadOnlyError / SaveError and leaves both the
  file and what this object reports as they were.
- ``undo()`` restores, for the papers one change touched, exactly the annotations they had
  before it (or no annotation), again through the lock. Another process's later edits to
  those same papers are overwritten by the undo; edits to other papers are kept.
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

import os
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from reader.model.annotation import STATUSES, Annotation, Status
from reader.model.paper import Paper
from reader.model.tags import normalize_tags
from reader.storage.backups import DEFAULT_INTERVAL, restore_newest_backup
from reader.storage.errors import StoreError, UnknownPaperError
from reader.storage.json_file_storage import JSONFileStorage
from reader.storage.locking import DEFAULT_TIMEOUT
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
    """One undoable step: what it did, and the annotations its papers had before it."""

    description: str
    before: dict[str, Annotation | None]


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
        reason = "opened read-only" if read_only else _why_not_writable(path)
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

    def tag_counts(self) -> dict[str, int]:
        """Papers per tag, most used first (ties alphabetical)."""
        counts = Counter(tag for a in self._annotations.values() for tag in a.tags)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def all_tags(self) -> list[str]:
        """Every tag in use, alphabetically (for completion)."""
        return sorted({tag for a in self._annotations.values() for tag in a.tags})

    def orphans(self, loaded_ids: Collection[str]) -> list[Annotation]:
        """Annotations of papers not in ``loaded_ids``, most recently updated first."""
        loaded = loaded_ids if isinstance(loaded_ids, AbstractSet) else set(loaded_ids)
        found = [a for pid, a in self._annotations.items() if pid not in loaded]
        return sorted(found, key=lambda a: (a.updated, a.paper_id), reverse=True)

    def changed_on_disk(self) -> bool:
        return self._storage.changed_on_disk()

    def refresh(self) -> None:
        """Pick up changes other processes saved (CorruptStoreError if the file broke)."""
        self._storage.refresh()

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    # -- changing -----------------------------------------------------------------------

    def set_starred(self, papers: Sequence[Target], value: bool) -> str | None:
        """Star or unstar every paper; returns a description, None when nothing changed."""
        verb = "starred" if value else "unstarred"
        return self._change(papers, verb, lambda a: replace(a, starred=value))

    def toggle_star(self, papers: Sequence[Target]) -> str | None:
        """Star all if any is unstarred, else unstar all (one value for the whole batch)."""
        ids = [_id_of(p) for p in papers]
        any_unstarred = any(not (a := self._annotations.get(i)) or not a.starred for i in ids)
        return self.set_starred(papers, any_unstarred)

    def add_tags(self, papers: Sequence[Target], tags: Sequence[str]) -> str | None:
        wanted = normalize_tags(tags)
        if not wanted:
            return None
        return self._change(
            papers,
            f"tagged {{n}} with {', '.join(wanted)}",
            lambda a: replace(a, tags=tuple(sorted(set(a.tags) | set(wanted)))),
        )

    def remove_tags(self, papers: Sequence[Target], tags: Sequence[str]) -> str | None:
        unwanted = set(normalize_tags(tags))
        if not unwanted:
            return None
        return self._change(
            papers,
            f"removed {', '.join(sorted(unwanted))} from {{n}}",
            lambda a: replace(a, tags=tuple(t for t in a.tags if t not in unwanted)),
        )

    def set_note(self, paper: Target, note: str) -> str | None:
        text = note.replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            text = ""
        verb = "cleared the note of" if not text else "edited the note of"
        return self._change([paper], verb, lambda a: replace(a, note=text))

    def set_status(self, papers: Sequence[Target], status: Status) -> str | None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r} (expected {', '.join(STATUSES)})")
        return self._change(papers, f"marked {{n}} {status}", lambda a: replace(a, status=status))

    def undo(self) -> str | None:
        """Undo our most recent change still on the stack; returns its description."""
        if not self._undo:
            return None
        change = self._undo[-1]
        with self._storage.transaction():
            written = self._write(change.before)
        self._apply(change.before, written)
        self._undo.pop()
        return change.description

    # -- internals ----------------------------------------------------------------------

    def _change(
        self, papers: Sequence[Target], verb: str, edit: Callable[[Annotation], Annotation]
    ) -> str | None:
        targets = _unique_targets(papers)
        if not targets:
            return None
        with self._storage.transaction():
            unknown = [t for t in targets if isinstance(t, str) and t not in self._annotations]
            if unknown:
                raise UnknownPaperError(self.path, unknown)
            now = _iso(self._clock())
            before: dict[str, Annotation | None] = {}
            after: dict[str, Annotation | None] = {}
            for target in targets:
                paper_id = _id_of(target)
                old = self._annotations.get(paper_id)
                base = old or Annotation(paper_id=paper_id, created=now)
                new = edit(base)
                if _same_judgement(new, old):
                    continue
                if isinstance(target, Paper):
                    new = replace(new, title=target.title, first_author=target.first_author)
                before[paper_id] = old
                after[paper_id] = replace(new, updated=now)
            written = self._write(after) if after else {}
        if not after:
            return None
        self._apply(after, written)
        description = _describe(verb, len(after))
        self._undo.append(_Change(description, before))
        del self._undo[:-UNDO_DEPTH]
        return description

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


def _why_not_writable(path: Path) -> str | None:
    """Why saving to ``path`` cannot work, or None if it looks possible."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"cannot create the folder {folder} ({error.strerror or error})"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is not writable"
    return None


def _unique_targets(papers: Iterable[Target]) -> list[Target]:
    seen: dict[str, Target] = {}
    for paper in papers:
        seen.setdefault(_id_of(paper), paper)
    return list(seen.values())


def _id_of(target: Target) -> str:
    return target.id if isinstance(target, Paper) else target


def _same_judgement(new: Annotation, old: Annotation | None) -> bool:
    reference = old or Annotation(paper_id=new.paper_id)
    return (new.starred, new.tags, new.note, new.status) == (
        reference.starred,
        reference.tags,
        reference.note,
        reference.status,
    )


def _describe(verb: str, count: int) -> str:
    papers = "1 paper" if count == 1 else f"{count} papers"
    return verb.format(n=papers) if "{n}" in verb else f"{verb} {papers}"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


__all__ = ["ReadingList", "StoreError", "Target", "restore_newest_backup"]
