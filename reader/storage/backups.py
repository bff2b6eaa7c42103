"""Rotating backups of the reading list, copies of damaged files, and restoring.

Beside ``reading_list.json`` live ``reading_list.json.bak1`` (newest) .. ``.bak3`` (oldest).
Before a save replaces the database, the version being replaced (which was read and
validated under the lock, so it is good) becomes ``.bak1`` and older ones shift down.
Rotating on every keystroke would leave three nearly identical versions, so a rotation
happens only when ``.bak1`` is older than ``interval`` seconds (five minutes by default):
the backups then span a useful stretch of time. Tests pass ``interval=0``.

A file that fails to load is never overwritten; it is copied to
``reading_list.json.damaged-<UTC timestamp>`` (once per distinct content) so the user can
inspect it, and ``restore_newest_backup`` puts the newest valid backup in its place.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from reader.storage.atomic_file import fsync_directory, write_atomically
from reader.storage.errors import SaveError
from reader.storage.locking import LockTimeout, exclusive_lock
from reader.storage.schema import NewerSchema, SchemaProblem, read_snapshot

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
    for older, newer in zip(reversed(paths[1:]), reversed(paths[:-1]), strict=True):
        if newer.exists():
            os.replace(newer, older)
    temp = paths[0].with_name(paths[0].name + ".tmp")
    shutil.copyfile(path, temp)
    # copyfile keeps the source's mtime; the age check needs the time the backup was made.
    os.utime(temp)
    os.replace(temp, paths[0])
    fsync_directory(path.parent)
    return True


def keep_damaged_copy(
    path: Path, content: bytes, *, clock: Callable[[], datetime] | None = None
) -> Path:
    """Save ``content`` (what ``path`` held) as ``<name>.damaged-<timestamp>``; returns it.

    If an earlier damaged copy holds the same bytes it is returned instead of a new one, so
    retrying a load of the same broken file does not litter the folder.
    """
    for existing in sorted(path.parent.glob(f"{path.name}.damaged-*")):
        with contextlib.suppress(OSError):
            if existing.stat().st_size == len(content) and existing.read_bytes() == content:
                return existing
    stamp = (clock or (lambda: datetime.now(UTC)))().strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    suffix = 1
    while target.exists():
        target = path.with_name(f"{path.name}.damaged-{stamp}-{suffix}")
        suffix += 1
    write_atomically(target, content)
    return target


def newest_valid_backup(path: Path, is_valid: Callable[[object], bool]) -> Path | None:
    """The newest ``.bakN`` whose JSON passes ``is_valid``, or None."""
    for candidate in backup_paths(path):
        try:
            data = json.loads(candidate.read_bytes())
        except (OSError, ValueError):
            continue
        if is_valid(data):
            return candidate
    return None


def restore_newest_backup(path: Path) -> Path | None:
    """Replace ``path`` with its newest valid backup; returns that backup, or None if none.

    The current file, if any and not already saved as a damaged copy, is kept as one first.
    Backups are left in place (restoring twice is harmless). Raises SaveError when the
    restore cannot be written (the current file is then unchanged).
    """

    def is_valid(data: object) -> bool:
        try:
            read_snapshot(data)
        except (SchemaProblem, NewerSchema):
            return False
        return True

    path = Path(path)
    try:
        with exclusive_lock(path):
            backup = newest_valid_backup(path, is_valid)
            if backup is None:
                return None
            with contextlib.suppress(FileNotFoundError):
                keep_damaged_copy(path, path.read_bytes())
            write_atomically(path, backup.read_bytes())
            return backup
    except LockTimeout as timeout:
        raise SaveError(path, f"cannot restore a backup: {timeout}") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise SaveError(path, f"cannot restore a backup: {reason}") from error
