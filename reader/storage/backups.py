"""Rotating backups of the reading list, and copies of damaged files.

Beside ``reading_list.json`` live ``reading_list.json.bak1`` (newest) .. ``.bak3`` (oldest).
Before a save replaces the database, the version being replaced (which was read and
validated under the lock, so it is good) becomes ``.bak1`` and older ones shift down.
Rotating on every keystroke would leave three nearly identical versions, so a rotation
happens only when ``.bak1`` is older than ``interval`` seconds (five minutes by default):
the backups then span a useful stretch of time. Tests pass ``interval=0``.

A file that fails to load is never overwritten; it is copied to
``reading_list.json.damaged-<UTC timestamp>`` (once per distinct content) so the user can
inspect it, and ``restore.restore_newest_backup`` puts the newest valid backup in its place.
"""

from __future__ import annotations

import contextlib
import glob
import os
import stat
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from reader.storage.atomic_file import write_atomically

BACKUP_COUNT = 3
DEFAULT_INTERVAL = 300.0


def backup_paths(path: Path, count: int = BACKUP_COUNT) -> list[Path]:
    """Newest first."""
    return [path.with_name(f"{path.name}.bak{n}") for n in range(1, count + 1)]


def rotate_backups(
    path: Path,
    *,
    interval: float = DEFAULT_INTERVAL,
    count: int = BACKUP_COUNT,
    now: Callable[[], float] = time.time,
) -> bool:
    """Copy the current ``path`` to ``.bak1`` (shifting older ones) if ``.bak1`` is stale.

    Call under the lock, before replacing ``path``. Returns True when a backup was made.
    OSError propagates: a failed backup must not be mistaken for a safe one.
    """
    if count < 1 or not path.exists():
        return False
    paths = backup_paths(path, count)
    try:
        newest_age = now() - paths[0].stat().st_mtime
    except FileNotFoundError:
        newest_age = float("inf")
    if newest_age < interval:
        return False
    model = os.stat(path)
    for older, newer in zip(reversed(paths[1:]), reversed(paths[:-1]), strict=True):
        if newer.exists():
            os.replace(newer, older)
            # Backups made by an older reader may be 0644: never more readable than the list.
            with contextlib.suppress(OSError):
                os.chmod(older, stat.S_IMODE(os.stat(older).st_mode) & stat.S_IMODE(model.st_mode))
    # A fresh file with the list's owner and mode (never the umask's 0644: backups hold the
    # same notes); its mtime is now, which the age check above relies on.
    write_atomically(paths[0], path.read_bytes(), like=path)
    return True


def keep_damaged_copy(
    path: Path,
    content: bytes,
    *,
    clock: Callable[[], datetime] | None = None,
    kind: str = "damaged",
) -> Path:
    """Save ``content`` (what ``path`` held) as ``<name>.<kind>-<timestamp>``; returns it.

    If an earlier copy of that kind holds the same bytes it is returned instead of a new
    one, so retrying a load of the same broken file does not litter the folder. The copy
    has the reading list's owner and mode (it holds the same notes).
    """
    for existing in sorted(path.parent.glob(f"{glob.escape(path.name)}.{kind}-*")):
        with contextlib.suppress(OSError):
            if existing.stat().st_size == len(content) and existing.read_bytes() == content:
                return existing
    stamp = (clock or (lambda: datetime.now(UTC)))().strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{kind}-{stamp}")
    suffix = 1
    while target.exists():
        target = path.with_name(f"{path.name}.{kind}-{stamp}-{suffix}")
        suffix += 1
    write_atomically(target, content, like=path)
    return target
