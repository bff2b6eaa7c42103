"""What a parser reports about input it could not read cleanly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from reader.model.paper import Paper

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """A message about one place in one file, printed as ``PATH:LINE: message``."""

    path: str
    line: int  # 1-based; 0 when the problem concerns the whole file
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"


@dataclass(slots=True)
class ParsedFile:
    """The outcome of reading one file: its records (before merging) and its problems."""

    path: str
    format: str | None  # "abstract-list", "dated-listing", "trending-list", "bibtex", or None
    papers: list[Paper] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when the file as a whole could not be read (no format, unreadable, ...)."""
        return self.format is None
