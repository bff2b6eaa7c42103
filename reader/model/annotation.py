"""A user's judgement on one paper: the unit the reading list stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["unread", "read", "skipped"]
STATUSES: tuple[Status, ...] = ("unread", "read", "skipped")


@dataclass(frozen=True, slots=True)
class Annotation:
    """Immutable so undo can keep the previous value by reference.

    ``title`` and ``first_author`` are copied from the paper when it is annotated, so the
    reading list stays readable when that paper is not in the loaded corpus (orphans).
    """

    paper_id: str
    starred: bool = False
    tags: tuple[str, ...] = ()
    note: str = ""
    status: Status = "unread"
    title: str | None = None
    first_author: str | None = None
    created: str = ""  # ISO 8601 UTC timestamps
    updated: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def in_reading_list(self) -> bool:
        """Starred, tagged or noted: what an export takes by default."""
        return self.starred or bool(self.tags) or bool(self.note.strip())
