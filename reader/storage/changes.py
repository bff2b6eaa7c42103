"""What one change to the reading list does, and how undo/redo take it back field by field.

Pure functions over ``Annotation`` values (no files, no lock): ``ReadingList`` calls them
under the file lock on freshly re-read data.

- ``Edit`` is everything one command asks for (star, tags to add and remove, note, status).
  ``reader annotate --star --tag x --note n`` is ONE Edit, so it is saved in one write and
  undone in one step.
- A ``Step`` remembers, for one paper, the annotation before the change and the one written.
- ``revert`` takes a step back on the annotation the file holds *now*. Another window or
  script may have changed the paper since, so each field (and each tag) goes back only where
  it still holds the value this step wrote; anything else is someone else's later decision
  and is kept. The fields changed elsewhere are reported so the user can be told.

Descriptions are built by concatenating strings: user text (tags) is data, never a template.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import NamedTuple

from reader.model.annotation import STATUSES, Annotation, Status
from reader.model.tags import normalize_tags

_SURROGATES = re.compile("[\ud800-\udfff]")

# The judgement fields, in the order messages name them, and how messages name them.
FIELDS: tuple[str, ...] = ("starred", "tags", "note", "status")
FIELD_LABELS: dict[str, str] = {
    "starred": "star",
    "tags": "tags",
    "note": "note",
    "status": "status",
}


@dataclass(frozen=True, slots=True)
class Edit:
    """One command's changes, applied together to every target paper."""

    starred: bool | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    note: str | None = None
    status: Status | None = None

    @classmethod
    def of(
        cls,
        *,
        starred: bool | None = None,
        add_tags: Iterable[str] = (),
        remove_tags: Iterable[str] = (),
        note: str | None = None,
        status: Status | None = None,
    ) -> Edit:
        """Normalise raw input: tags canonical, note line breaks unified, status checked."""
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown status {status!r} (expected {', '.join(STATUSES)})")
        return cls(
            starred=starred,
            add_tags=normalize_tags(add_tags),
            remove_tags=normalize_tags(remove_tags),
            note=None if note is None else normalize_note(note),
            status=status,
        )

    @property
    def empty(self) -> bool:
        return self == Edit()

    def applied_to(self, annotation: Annotation) -> Annotation:
        tags = (set(annotation.tags) | set(self.add_tags)) - set(self.remove_tags)
        return replace(
            annotation,
            starred=annotation.starred if self.starred is None else self.starred,
            tags=tuple(sorted(tags)),
            note=annotation.note if self.note is None else self.note,
            status=annotation.status if self.status is None else self.status,
        )


def normalize_note(note: str) -> str:
    """Line breaks unified; whitespace only means no note. Lone surrogates (how Python
    passes on invalid UTF-8 from argv) become U+FFFD: they cannot be written as UTF-8."""
    text = _SURROGATES.sub("\ufffd", note).replace("\r\n", "\n").replace("\r", "\n")
    return text if text.strip() else ""


class Judgement(NamedTuple):
    """The user's decisions on a paper: what undo and comparisons care about."""

    starred: bool = False
    tags: tuple[str, ...] = ()
    note: str = ""
    status: Status = "unread"


def judgement(annotation: Annotation | None) -> Judgement:
    if annotation is None:
        return Judgement()
    return Judgement(annotation.starred, annotation.tags, annotation.note, annotation.status)


def describe_edit(
    edit: Edit, befores: Iterable[Annotation | None], afters: Iterable[Annotation]
) -> list[str]:
    """One line per kind of change that changed something, e.g. ``tagged 2 papers with ml``."""
    pairs = list(zip(befores, afters, strict=True))

    def count(changed: str) -> int:
        return sum(
            getattr(judgement(before), changed) != getattr(after, changed)
            for before, after in pairs
        )

    lines: list[str] = []
    if edit.starred is not None and (n := count("starred")):
        lines.append(("starred " if edit.starred else "unstarred ") + papers_phrase(n))
    added = sum(bool(set(a.tags) - set(b.tags if b else ())) for b, a in pairs)
    if edit.add_tags and added:
        lines.append("tagged " + papers_phrase(added) + " with " + ", ".join(edit.add_tags))
    removed = sum(bool(set(b.tags if b else ()) - set(a.tags)) for b, a in pairs)
    if edit.remove_tags and removed:
        names = ", ".join(sorted(edit.remove_tags))
        lines.append("removed " + names + " from " + papers_phrase(removed))
    if edit.note is not None and (n := count("note")):
        verb = "edited the note of " if edit.note else "cleared the note of "
        lines.append(verb + papers_phrase(n))
    if edit.status is not None and (n := count("status")):
        lines.append("marked " + papers_phrase(n) + " " + edit.status)
    return lines


def papers_phrase(count: int) -> str:
    return "1 paper" if count == 1 else str(count) + " papers"


@dataclass(frozen=True, slots=True)
class Step:
    """One paper in one change: the annotation before it and the one it wrote (None: none)."""

    paper_id: str
    before: Annotation | None
    after: Annotation | None


@dataclass(frozen=True, slots=True)
class Reverted:
    """What reverting a step against the current annotation gives."""

    annotation: Annotation | None  # what to write (None: remove the annotation)
    write: bool  # False when the file already holds that
    reverted: frozenset[str]  # fields this step changed that went back
    kept: frozenset[str]  # fields someone else changed since this step (left as they are)


def revert(step: Step, current: Annotation | None, now: str) -> Reverted:
    """Take ``step`` back on ``current``, only where each field still holds what it wrote."""
    old, mine, here = judgement(step.before), judgement(step.after), judgement(current)
    values = here._asdict()
    reverted: set[str] = set()
    for name in ("starred", "note", "status"):
        if getattr(old, name) != getattr(mine, name) and getattr(here, name) == getattr(mine, name):
            values[name] = getattr(old, name)
            reverted.add(name)
    values["tags"], tags_reverted = _revert_tags(old.tags, mine.tags, here.tags)
    if tags_reverted:
        reverted.add("tags")
    kept = frozenset(name for name in FIELDS if getattr(here, name) != getattr(mine, name))
    result = _rebuilt(step, current, Judgement(**values), now)
    changed = judgement(result) != here or (result is None) != (current is None)
    return Reverted(result, changed, frozenset(reverted), kept)


def _revert_tags(
    old: tuple[str, ...], mine: tuple[str, ...], here: tuple[str, ...]
) -> tuple[tuple[str, ...], bool]:
    """Per tag: drop the tags the step added and re-add the ones it removed, each only if
    it is still as the step left it. Returns the tags and whether any went back."""
    added, removed = set(mine) - set(old), set(old) - set(mine)
    tags = set(here)
    went_back = (added & tags) | (removed - tags)
    return tuple(sorted((tags - added) | removed)), bool(went_back)


def _rebuilt(
    step: Step, current: Annotation | None, values: Judgement, now: str
) -> Annotation | None:
    """The annotation to store for ``values`` (None when it should not exist)."""
    if values == judgement(step.before):
        # Everything is back as it was: restore the old record exactly (timestamps, title),
        # or remove it if the step created it.
        return step.before
    base = current or step.before or step.after
    assert base is not None  # a step always has a before or an after
    return replace(
        base,
        starred=values.starred,
        tags=values.tags,
        note=values.note,
        status=values.status,
        updated=now,
    )


def field_list(fields: Iterable[str]) -> str:
    """``star, tags and note``, in the usual field order."""
    names = [FIELD_LABELS[name] for name in FIELDS if name in set(fields)]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
