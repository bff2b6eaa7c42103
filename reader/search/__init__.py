"""Search: the query language, the index over a corpus, ranking and title highlights."""

from reader.search.deferred import DeferredEngine
from reader.search.engine import SearchEngine, SearchResult, SortKey
from reader.search.highlight import highlight_spans
from reader.search.query import ParsedQuery, parse_query
from reader.search.segments import SegmentedEngine

# What searches a corpus: one index, an old index plus one over a day's additions, or a
# stand-in while the index is built in the background.
Searcher = SearchEngine | SegmentedEngine | DeferredEngine

__all__ = [
    "DeferredEngine",
    "ParsedQuery",
    "SearchEngine",
    "SearchResult",
    "Searcher",
    "SegmentedEngine",
    "SortKey",
    "highlight_spans",
    "parse_query",
]
