"""Searching before the index exists: the list first, the index in the background.

A cold start at 10^5 papers parses and merges in a few seconds, then indexing takes as long
again. The list need not wait for it: the papers can be shown, read and triaged in date
order at once. ``DeferredEngine`` stands in for the engine meanwhile:

- everything, newest first, is answered at once without an index (from the dates alone,
  so a cached corpus builds no papers); title order too, for a freshly parsed corpus;
- any other query waits for the index, polling ``should_stop`` so a newer keystroke still
  cancels it; callers that cannot wait (counts on the UI thread) ask ``ready`` first.

``provide(engine)`` hands over the real engine; from then on every call goes to it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence

from reader.model.annotation import Annotation
from reader.model.paper import Paper
from reader.parsing.table import PaperTable
from reader.search.engine import SearchEngine, SearchResult, SortKey
from reader.search.index import newest_first, title_key
from reader.search.query import parse_query
from reader.search.segments import SegmentedEngine

# How often a waiting search checks whether it was superseded.
_POLL_SECONDS = 0.05


class DeferredEngine:
    def __init__(self, papers: Sequence[Paper]) -> None:
        self._papers = papers
        self._engine: SearchEngine | SegmentedEngine | None = None
        self._provided = threading.Event()
        self._lock = threading.Lock()
        self._orders: dict[SortKey, list[int]] = {}
        self._failure: str | None = None

    @property
    def ready(self) -> bool:
        return self._engine is not None

    @property
    def engine(self) -> SearchEngine | SegmentedEngine | None:
        return self._engine

    def provide(self, engine: SearchEngine | SegmentedEngine) -> None:
        """The engine from now on (again, to swap in a compacted one)."""
        self._engine = engine
        self._provided.set()

    def give_up(self, reason: str) -> None:
        """The index could not be built: searches say so instead of waiting forever."""
        self._failure = reason
        self._provided.set()

    def search(
        self,
        text: str,
        annotations: Mapping[str, Annotation],
        sort: SortKey = SortKey.RELEVANCE,
        *,
        within: Sequence[int] | None = None,
        limit: int | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> SearchResult:
        engine = self._engine
        query = parse_query(text)
        if engine is None and query.is_empty and within is None:
            order = self._order(sort)
            if order is not None:
                shown = order if limit is None else order[:limit]
                return SearchResult(query, shown, query.hint, False, len(order))
        while engine is None:
            if self._failure is not None:
                return SearchResult(query, [], f"Search is unavailable: {self._failure}")
            if should_stop is not None and should_stop():
                return SearchResult(query, [], query.hint, cancelled=True)
            self._provided.wait(_POLL_SECONDS)
            engine = self._engine
        return engine.search(
            text, annotations, sort, within=within, limit=limit, should_stop=should_stop
        )

    def _order(self, sort: SortKey) -> list[int] | None:
        """Every position, newest first or by title: what the index would answer for an
        empty query, computed from the papers (a fraction of a second at 10^5). None for
        title order over a cached corpus, whose titles would mean building every paper
        (gigabytes at 10^6): that waits for the index, which is a second away there."""
        kind = SortKey.TITLE if sort is SortKey.TITLE else SortKey.DATE
        if kind is SortKey.TITLE and isinstance(self._papers, PaperTable):
            return None
        with self._lock:
            order = self._orders.get(kind)
            if order is None:
                order = list(newest_first(self._papers))
                if kind is SortKey.TITLE:
                    # Stable over newest first: equal titles newest first, as the index does.
                    order.sort(key=lambda position: title_key(self._papers[position]))
                self._orders[kind] = order
        return order
