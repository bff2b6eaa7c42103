"""On-disk cache of parsed corpora, so a warm start skips parsing and merging.

An entry is keyed by every input file's resolved path, size and modification time plus the
parser version: touching or replacing a file changes the key, and the corpus is rebuilt
transparently. Entries are pickles written atomically; an entry that cannot be read (older
Python, truncated by a crash, foreign file) is treated as a miss and rebuilt, never an error.
Extra derived data (such as the search index) can ride along in ``attachments``.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

# Bump when parsing output changes, so old cache entries are never served.
PARSER_VERSION = 5
_KEEP_ENTRIES = 4


def cache_key(files: Sequence[Path]) -> str:
    digest = hashlib.blake2b(f"reader-corpus-v{PARSER_VERSION}".encode(), digest_size=16)
    for path in files:
        stat = path.stat()
        digest.update(f"\0{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def read_entry(directory: Path, kind: str, key: str) -> Any | None:
    """The cached ``kind`` ("corpus", "search", ...) for ``key``, or None on any miss."""
    path = directory / f"{kind}-{key}.pickle"
    try:
        with path.open("rb") as handle:
            # Unpickling a million small objects is several times faster without the
            # cyclic collector scanning them as they appear.
            gc.disable()
            try:
                return pickle.load(handle)
            finally:
                gc.enable()
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or foreign entry is a miss
        return None


def write_entry(directory: Path, kind: str, key: str, value: Any) -> None:
    """Best effort: a cache that cannot be written only costs the next start its speed."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=directory, prefix=f".{kind}-", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, directory / f"{kind}-{key}.pickle")
        _prune(directory, kind)
    except OSError:
        return


def write_blob(directory: Path, kind: str, key: str, chunks: Iterable[bytes]) -> Path | None:
    """Raw bytes beside the pickles (read back by memory map); None if it cannot be written."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=directory, prefix=f".{kind}-", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.writelines(chunks)
        path = directory / f"{kind}-{key}.bin"
        os.replace(temp, path)
        _prune(directory, kind)
        return path
    except OSError:
        return None


def _prune(directory: Path, kind: str) -> None:
    entries = sorted(directory.glob(f"{kind}-*"), key=lambda p: p.stat().st_mtime)
    for stale in entries[:-_KEEP_ENTRIES]:
        stale.unlink(missing_ok=True)
