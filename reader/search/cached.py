"""The search index of a corpus, cached on disk beside the parsed corpus.

Building the index costs about 6 s per 10^5 papers; loading it back costs a fraction of that.
The entry shares the corpus cache key, so it is rebuilt exactly when the corpus is, except
when the corpus only grew by files added after its own (``Corpus.growth``): then the old
entry serves the old papers and only the changed ones are indexed (see segments.py), which
makes a day's new papers searchable as soon as they are parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reader.parsing.cache import read_entry, write_entry
from reader.parsing.corpus import Corpus
from reader.paths import cache_dir
from reader.search import Searcher
from reader.search.engine import SearchEngine
from reader.search.index import SearchIndex
from reader.search.segments import Prefix, SegmentedEngine, SegmentedState

_KIND = "search"


def engine_for(
    corpus: Corpus,
    *,
    progress: Callable[[int, int], None] | None = None,
    compact: bool = True,
) -> Searcher:
    """The engine for ``corpus``: from the cache, grown from the old corpus's index, or
    built (and cached). A grown corpus whose second index has become large is compacted
    into one index unless ``compact`` is False."""
    if progress is not None:
        progress(0, 1)  # the bar starts empty, also when the index comes from the cache
    quick = quick_engine(corpus)
    if quick is not None and not (compact and quick.engine.needs_compaction):
        if quick.fresh:
            save_engine(corpus, quick.engine)
        return quick.engine
    engine = SearchEngine(corpus.papers, progress=progress)
    save_engine(corpus, engine)
    return engine


@dataclass(frozen=True, slots=True)
class QuickEngine:
    engine: SearchEngine | SegmentedEngine
    fresh: bool  # grown just now: not in the cache yet (see save_engine)


def quick_engine(corpus: Corpus) -> QuickEngine | None:
    """The engine when it costs no full index build (cached, or grown from the previous
    corpus's index); None when one must be built."""
    cached = _from_cache(corpus, corpus.cache_key)
    if cached is not None:
        return QuickEngine(cached, fresh=False)
    grown = _grown(corpus) if corpus.growth is not None else None
    return None if grown is None else QuickEngine(grown, fresh=True)


def save_engine(corpus: Corpus, engine: SearchEngine | SegmentedEngine) -> None:
    if corpus.cache_key is not None:
        write_entry(cache_dir(), _KIND, corpus.cache_key, engine.to_state())


def _from_cache(corpus: Corpus, key: str | None) -> SearchEngine | SegmentedEngine | None:
    if key is None:
        return None
    state = read_entry(cache_dir(), _KIND, key)
    try:
        if isinstance(state, SearchIndex):
            return SearchEngine.from_state(state, corpus.papers)
        if isinstance(state, SegmentedState):
            return SegmentedEngine.from_state(state, corpus.papers)
    except ValueError:  # built for other papers: rebuild
        pass
    return None


def _grown(corpus: Corpus) -> SegmentedEngine | None:
    """The old corpus's cached index plus an index of what changed, or None when the old
    entry is gone."""
    growth = corpus.growth
    assert growth is not None
    papers = corpus.papers
    state = read_entry(cache_dir(), _KIND, growth.base_key)
    try:
        if isinstance(state, SearchIndex):
            base = SearchEngine.from_state(state, Prefix(papers, growth.base_size))
            return SegmentedEngine(papers, base, growth.base_size, growth.changed)
        if isinstance(state, SegmentedState):
            return SegmentedEngine.grown_from(state, papers, growth.base_size, growth.changed)
    except ValueError:
        pass
    return None
