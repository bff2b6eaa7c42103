"""Replacing a file so that a crash at any moment leaves either the old or the new version.

The recipe: write a temporary file in the same directory (so the rename cannot cross file
systems), flush and fsync it, ``os.replace`` it over the target, then fsync the directory
so the rename itself survives a power cut. Readers never see a half-written file.

Temporary files are named ``.<name>.<random>.tmp``; one left behind by a killed process is
harmless and ``remove_stale_temporaries`` deletes them (call it only under the lock, when no
writer of ours can be mid-way).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from reader.storage.permissions import adopt_owner_and_mode, stat_or_none


def temporary_prefix(path: Path) -> str:
    return f".{path.name}."


def write_atomically(
    path: Path, data: bytes | Sequence[bytes], *, like: Path | None = None
) -> os.stat_result:
    """Durably replace ``path`` with ``data`` (bytes, or chunks written in order, which
    saves joining megabytes first); returns the new file's stat.

    Raises OSError with the target file untouched when anything fails. The new file takes
    the owner, group and permission bits of ``like`` (default: ``path`` itself, so a rewrite
    keeps them, even when root rewrites another user's file); with neither existing it is
    private to whoever writes it (0600, mkstemp's default).
    """
    directory = path.parent
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=temporary_prefix(path), suffix=".tmp")
    try:
        model = stat_or_none(like or path)
        if model is not None:
            adopt_owner_and_mode(fd, model)
        for chunk in [data] if isinstance(data, bytes) else data:
            _write_all(fd, chunk)
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(temp_name, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    fsync_directory(directory)
    return os.stat(path)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (a no-op where directories cannot be opened)."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        # Some file systems refuse fsync on directories (EINVAL); the data is already safe.
        pass
    finally:
        os.close(dir_fd)


def remove_stale_temporaries(path: Path) -> int:
    """Delete temporaries a killed writer left beside ``path``; returns how many."""
    removed = 0
    prefix = temporary_prefix(path)
    try:
        names = os.listdir(path.parent)
    except OSError:
        return 0
    for name in names:
        if name.startswith(prefix) and name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                os.unlink(path.parent / name)
                removed += 1
    return removed
