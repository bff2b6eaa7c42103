"""Which papers a command acts on: the one place that says what "the reading list",
"starred", "tag X", "the current results", "the selection" and "everything" mean.

The export dialog, ``reader export`` and the sidebar's counts all ask here, so they cannot
drift apart again (the app's reading-list export once dropped orphaned notes that
``reader export`` kept). Annotation-based scopes include orphans: annotations whose paper is
not loaded are the user's data and are exported as stand-ins (see export.selection).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from reader.export.selection import (
    AnnotationTest,
    Matcher,
    Selection,
    in_reading_list,
    select_papers,
)
from reader.model import Annotation, Paper

ScopeKind = Literal["reading-list", "starred", "tag", "results", "selected", "all"]


@dataclass(frozen=True, slots=True)
class Scope:
    """A set of papers. ``query`` narrows any scope to what a search matches."""

    kind: ScopeKind
    tag: str | None = None  # the tag, for kind "tag"
    query: str | None = None

    @property
    def key(self) -> str:
        """A stable identifier, e.g. for remembering the export dialog's last choice."""
        return f"tag:{self.tag}" if self.kind == "tag" else self.kind

    @classmethod
    def from_key(cls, key: str) -> Scope | None:
        if key.startswith("tag:") and len(key) > 4:
            return cls("tag", tag=key[4:])
        for kind in ("reading-list", "starred", "results", "selected", "all"):
            if key == kind:
                return cls(kind)
        return None

    def title(self, shown_query: str = "") -> str:
        """A document title for this scope (the Markdown export's heading)."""
        if self.kind == "results":
            query = shown_query.strip()
            return f"Search: {query}" if query else "All papers"
        titles = {
            "reading-list": "Reading list",
            "starred": "Starred papers",
            "selected": "Selected papers",
            "all": "All papers",
        }
        base = f"Tag: {self.tag}" if self.kind == "tag" else titles[self.kind]
        return f"{base} — {self.query.strip()}" if self.query and self.query.strip() else base


def annotation_test(scope: Scope) -> AnnotationTest:
    """The rule an annotation-based scope applies to each annotation."""
    if scope.kind == "starred":
        return is_starred
    if scope.kind == "tag":
        tag = scope.tag or ""
        return lambda annotation: tag in annotation.tags
    return in_reading_list


def is_starred(annotation: Annotation) -> bool:
    return annotation.starred


def select(
    scope: Scope,
    *,
    papers: Sequence[Paper],
    annotations: Mapping[str, Annotation],
    results: Sequence[Paper] = (),
    selected: Sequence[Paper] = (),
    matches: Matcher | None = None,
) -> Selection:
    """The papers in ``scope``: loaded papers in corpus (or result) order, then orphans.

    ``results`` and ``selected`` are what the app shows and has selected; ``matches`` is the
    search, needed when the scope has a query.
    """
    if scope.kind == "results":
        return Selection(list(results), 0)
    if scope.kind == "selected":
        return Selection(list(selected), 0)
    return select_papers(
        papers,
        annotations,
        query=scope.query,
        everything=scope.kind == "all",
        matches=matches,
        wanted=annotation_test(scope),
    )
