"""The search index of a corpus, cached on disk beside the parsed corpus.

Building the index costs about 5 s per 10^5 papers; loading it back costs a fraction of that.
The entry shares the corpus cache key, so it is rebuilt exactly when the corpus is.
"""

from __future__ import annotations

from collections.abc import Callable

from reader.parsing.cache import read_entry, write_entry
from reader.parsing.corpus import Corpus
from reader.paths import cache_dir
from reader.search.engine import SearchEngine
from reader.search.index import SearchIndex

_KIND = "search"


def engine_for(
    corpus: Corpus, *, progress: Callable[[int, int], None] | None = None
) -> SearchEngine:
    key = corpus.cache_key
    if progress is not None:
        progress(0, 1)  # the bar starts empty, also when the index comes from the cache
    if key is not None:
        state = read_entry(cache_dir(), _KIND, key)
        if isinstance(state, SearchIndex):
            try:
                return SearchEngine.from_state(state, corpus.papers)
            except ValueError:  # built for other papers: rebuild below
                pass
    engine = SearchEngine(corpus.papers, progress=progress)
    if key is not None:
        write_entry(cache_dir(), _KIND, key, engine.to_state())
    return engine
