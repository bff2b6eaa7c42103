"""On-disk cache of parsed files and corpora, so a warm start skips parsing and merging.

Each input file is identified by its resolved path, size, modification time and a hash of its
content (``FileKey``). A parsed file is cached under its own key, so a new or changed file is
parsed alone; a corpus is cached under the keys of all its files plus the parser version.
Content hashes are remembered with the inode, size, mtime and ctime they were computed for
(``manifest`` entries), so a warm start only stats the files; any change to a file changes its
ctime, and the file is hashed again.

Entries are pickles written atomically; an entry that cannot be read (older Python, truncated
by a crash, foreign file) is treated as a miss and rebuilt, never an error.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

# Bump when parsing output changes, so old cache entries are never served.
PARSER_VERSION = 7
_KEEP_ENTRIES = 4
_HASH_CHUNK = 1 << 20
PICKLE_PROTOCOL = pickle.HIGHEST_PROTOCOL


@dataclass(frozen=True, slots=True)
class FileKey:
    """One input file as the cache knows it; ``key`` changes whenever its content may have."""

    path: str  # resolved
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    digest: str  # blake2b of the content

    @property
    def key(self) -> str:
        text = f"v{PARSER_VERSION}\0{self.path}\0{self.size}\0{self.mtime_ns}\0{self.digest}"
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    @property
    def path_key(self) -> str:
        return hashlib.blake2b(
            self.path.encode("utf-8", "surrogatepass"), digest_size=8
        ).hexdigest()


def file_keys(files: Sequence[Path], known: Sequence[FileKey] = ()) -> list[FileKey | None]:
    """Each file's key (None if it cannot be read); hashes from ``known`` are reused when the
    file's inode, size, mtime and ctime are all unchanged."""
    remembered = {k.path: k for k in known}
    keys: list[FileKey | None] = []
    for path in files:
        try:
            resolved = str(path.resolve())
            stat = path.stat()
            old = remembered.get(resolved)
            signature = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
            if old is not None and (old.size, old.mtime_ns, old.ctime_ns, old.inode) == signature:
                keys.append(old)
                continue
            keys.append(FileKey(resolved, *signature, digest=_content_digest(path)))
        except (OSError, ValueError):
            keys.append(None)
    return keys


def _content_digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def corpus_key(keys: Sequence[FileKey]) -> str:
    digest = hashlib.blake2b(f"reader-corpus-v{PARSER_VERSION}".encode(), digest_size=16)
    for key in keys:
        digest.update(f"\0{key.key}".encode())
    return digest.hexdigest()


def paths_key(paths: Sequence[Path]) -> str:
    """Names the set of paths a corpus was loaded from (for its manifest)."""
    digest = hashlib.blake2b(b"reader-paths", digest_size=16)
    for path in paths:
        digest.update(f"\0{path.resolve()}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def cache_key(files: Sequence[Path]) -> str | None:
    """The corpus key of ``files`` as they are now (None if one cannot be read)."""
    keys = file_keys(files)
    return None if any(k is None for k in keys) else corpus_key([k for k in keys if k])


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


def write_entry(
    directory: Path, kind: str, key: str, value: Any, *, keep: int | None = _KEEP_ENTRIES
) -> None:
    """Best effort: a cache that cannot be written only costs the next start its speed.

    ``keep`` entries of the kind survive (newest first); None keeps all."""
    _write(directory, kind, key, lambda stream: pickle.dump(value, stream, PICKLE_PROTOCOL), keep)


def write_pickled(
    directory: Path, kind: str, key: str, data: bytes, *, keep: int | None = _KEEP_ENTRIES
) -> None:
    """``write_entry`` for a value already pickled (``pickle.dumps(value, PICKLE_PROTOCOL)``)."""
    _write(directory, kind, key, lambda stream: stream.write(data), keep)


def _write(
    directory: Path, kind: str, key: str, dump: Callable[[IO[bytes]], object], keep: int | None
) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=directory, prefix=f".{kind}-", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            dump(stream)
        os.replace(temp, directory / f"{kind}-{key}.pickle")
        if keep is not None:
            _prune(directory, kind, keep)
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


def _prune(directory: Path, kind: str, keep: int = _KEEP_ENTRIES) -> None:
    def age(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:  # pruned by another process meanwhile
            return 0.0

    entries = sorted(directory.glob(f"{kind}-*"), key=age)
    for stale in entries[:-keep]:
        stale.unlink(missing_ok=True)
