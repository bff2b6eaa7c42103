"""The feature store of a corpus, cached beside its search index.

Entries live in the corpus cache directory as ``features-KEY.pickle``, keyed by the corpus
cache key (every input file's path, size and modification time), like ``search-KEY.pickle``.
When the exact entry is missing (a file was added or edited), the newest other entry is
brought up to date with ``FeatureStore.aligned``: only the new papers are transformed, which is
what makes adding a day's listing to a large corpus cheap. An entry that cannot be read or does
not hold together is ignored and rebuilt, never an error.

Entries are large (about 1.2 KB per paper), so only the newest ``_KEEP_ENTRIES`` are kept.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from reader.parsing.cache import read_entry
from reader.parsing.corpus import Corpus
from reader.parsing.table import paper_ids
from reader.paths import cache_dir

from .features import FeatureStore, Progress, ShouldStop

KIND = "features"
_KEEP_ENTRIES = 2


def features_for(
    corpus: Corpus,
    *,
    should_stop: ShouldStop | None = None,
    progress: Progress | None = None,
    directory: Path | None = None,
) -> FeatureStore:
    """The features of ``corpus``, from the cache when possible (raises Cancelled when
    ``should_stop()`` turns true while building)."""
    key = corpus.cache_key
    if key is None:
        return FeatureStore.build(corpus.papers, should_stop=should_stop, progress=progress)
    where = directory or cache_dir()
    ids = paper_ids(corpus.papers)
    exact = _load(where / f"{KIND}-{key}.pickle")
    if exact is not None and exact.ids == list(ids):
        return exact
    store = None
    for path in _entries(where):
        if path.name != f"{KIND}-{key}.pickle":
            previous = _load(path)
            if previous is not None:
                store = previous.aligned(corpus.papers, should_stop=should_stop, progress=progress)
                break
    if store is None:
        store = FeatureStore.build(corpus.papers, should_stop=should_stop, progress=progress)
    save(where, key, store)
    return store


def _load(path: Path) -> FeatureStore | None:
    state = read_entry(
        path.parent, KIND, path.name.removeprefix(f"{KIND}-").removesuffix(".pickle")
    )
    if state is None:
        return None
    try:
        return FeatureStore.from_state(state)
    except (ValueError, TypeError, AttributeError):
        return None


def _entries(directory: Path) -> list[Path]:
    """Entries, newest first."""
    try:
        found = [(p.stat().st_mtime, p) for p in directory.glob(f"{KIND}-*.pickle")]
    except OSError:
        return []
    return [p for _, p in sorted(found, reverse=True)]


def save(directory: Path, key: str, store: FeatureStore) -> None:
    """Best effort: a cache that cannot be written only costs the next start its speed."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=directory, prefix=f".{KIND}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(store.to_state(), stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, directory / f"{KIND}-{key}.pickle")
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        for stale in _entries(directory)[_KEEP_ENTRIES:]:
            stale.unlink(missing_ok=True)
    except OSError:
        return
