"""Data-quality counts of a corpus, each with the query that lists those papers.

Missing authors or dates are normal for some listing formats (an abstract list has neither),
so these are information for the problems view, not errors: each count is a filter the user
can open to look at the papers (``-has:authors`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.search.deferred import DeferredEngine
from reader.search.engine import SearchEngine
from reader.search.segments import SegmentedEngine

_CHECKS: tuple[tuple[str, str], ...] = (
    ("without authors", "-has:authors"),
    ("without a date", "-has:date"),
    ("without a title", "-has:title"),
    ("with a possible duplicate", "is:duplicate"),
)


@dataclass(frozen=True, slots=True)
class QualityCount:
    label: str  # "without authors": reads after "N papers"
    count: int
    query: str  # the search that lists them


def data_quality(engine: SearchEngine | SegmentedEngine | DeferredEngine) -> list[QualityCount]:
    """One count per check, in a fixed order (zero counts included)."""
    return [QualityCount(label, engine.search(query, {}).total, query) for label, query in _CHECKS]
