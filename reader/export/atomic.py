"""Writing a file so that readers see either the old contents or the new, never a mix.

The text goes to a temporary file in the destination's directory (``os.replace`` is only
atomic within one file system), is flushed and fsynced, then renamed over the destination.
The directory is fsynced afterwards where the platform allows, so the rename itself survives
a crash. On any failure the temporary file is removed and the destination is untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_text_atomic(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text``; raises OSError (destination unchanged) on failure."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(descriptor, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        _keep_permissions(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_directory(directory)


def _keep_permissions(path: Path, temporary: str) -> None:
    # mkstemp creates 0600 files; an export replacing a file keeps that file's mode, a new
    # one gets the common 0644 (reading the umask would briefly change it for all threads).
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        mode = 0o644
    with contextlib.suppress(OSError):
        os.chmod(temporary, mode)


def _fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:  # Windows cannot open directories; the rename is still atomic there
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
