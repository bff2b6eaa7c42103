"""Search: the query language, the index over a corpus, ranking and title highlights."""

from reader.search.engine import SearchEngine, SearchResult, SortKey
from reader.search.highlight import highlight_spans
from reader.search.query import ParsedQuery, parse_query

__all__ = [
    "ParsedQuery",
    "SearchEngine",
    "SearchResult",
    "SortKey",
    "highlight_spans",
    "parse_query",
]
