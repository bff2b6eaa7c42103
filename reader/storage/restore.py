"""``restore``: put the newest valid backup in place of a damaged reading list.

Restoring throws away whatever the current file holds, so it is refused unless that is
clearly right:

- a valid reading list is not replaced (RestoreRefused), unless ``force`` is given; then the
  caller is shown what will be replaced (annotation counts and modification times of both
  files) before anything is written, and the replaced file is kept as ``.replaced-<time>``;
- a file written by a newer reader is never replaced by an older backup, even with
  ``force``: that would be a silent downgrade;
- a file the user made read-only (or in a folder we cannot write) is left alone, exactly
  as ``annotate`` leaves it.

A damaged file is kept as ``.damaged-<time>`` before it is replaced. Everything happens
under the reading list's lock, so no window saves in between the check and the swap.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from reader.storage.atomic_file import write_atomically
from reader.storage.backups import backup_paths, keep_damaged_copy
from reader.storage.errors import SaveError, StoreError
from reader.storage.locking import DEFAULT_TIMEOUT, LockTimeout, exclusive_lock
from reader.storage.permissions import why_not_writable
from reader.storage.schema import NewerSchema, SchemaProblem, read_snapshot

State = Literal["missing", "damaged", "valid", "newer"]


class RestoreRefused(StoreError):
    """Restoring was not done because it would lose data; the message says why."""


@dataclass(frozen=True, slots=True)
class FileState:
    """What a reading list file (current or backup) holds, as far as restore cares."""

    path: Path
    state: State
    annotations: int | None  # None unless the file is a valid reading list
    modified: float | None  # st_mtime; None for a missing file
    schema: int | None = None  # for a newer file: its schema version

    def describe(self) -> str:
        """E.g. ``3 annotations, modified 2026-03-01 12:00:00+00:00``."""
        if self.state == "missing":
            return "missing"
        what = {
            "damaged": "damaged",
            "newer": f"written by a newer reader (schema {self.schema})",
            "valid": f"{self.annotations} annotation{'' if self.annotations == 1 else 's'}",
        }[self.state]
        return f"{what}, modified {format_mtime(self.modified)}"


@dataclass(frozen=True, slots=True)
class RestorePlan:
    current: FileState
    backup: FileState
    kept: Path | None = None  # where the replaced file was kept, once restored

    def describe(self) -> str:
        return (
            f"replacing {self.current.path} ({self.current.describe()}) "
            f"with {self.backup.path} ({self.backup.describe()})"
        )


def format_mtime(mtime: float | None) -> str:
    if mtime is None:
        return "unknown"
    return datetime.fromtimestamp(mtime).astimezone().isoformat(sep=" ", timespec="seconds")


def inspect(path: Path) -> FileState:
    """Read ``path`` and classify it (never raises for a bad or missing file)."""
    try:
        with open(path, "rb") as handle:
            modified = os.fstat(handle.fileno()).st_mtime
            content = handle.read()
    except FileNotFoundError:
        return FileState(path, "missing", None, None)
    except OSError:
        return FileState(path, "damaged", None, _mtime(path))
    try:
        snapshot = read_snapshot(json.loads(content))
    except NewerSchema as newer:
        return FileState(path, "newer", None, modified, schema=newer.found)
    except (ValueError, SchemaProblem, RecursionError):
        return FileState(path, "damaged", None, modified)
    return FileState(path, "valid", len(snapshot.annotations), modified)


def _mtime(path: Path) -> float | None:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def newest_valid_backup(path: Path) -> FileState | None:
    for candidate in backup_paths(path):
        state = inspect(candidate)
        if state.state == "valid":
            return state
    return None


def refusal(current: FileState, *, force: bool) -> str | None:
    """Why restoring over ``current`` must not happen (None: go ahead)."""
    if current.state == "newer":
        return (
            f"was written by a newer version of reader (schema {current.schema}); an older "
            "backup would downgrade it, so it was left untouched: upgrade reader instead"
        )
    if current.state == "missing":
        return None
    reason = why_not_writable(current.path)
    if reason is not None:
        return f"cannot restore a backup: {reason}; the file was left untouched"
    if current.state == "valid" and not force:
        return (
            f"is a valid reading list ({current.describe()}); nothing to restore. "
            "Use --force to replace it with the newest backup anyway"
        )
    return None


def restore_newest_backup(
    path: Path | str,
    *,
    force: bool = False,
    before_replacing: Callable[[RestorePlan], None] | None = None,
    lock_timeout: float = DEFAULT_TIMEOUT,
) -> RestorePlan | None:
    """Replace ``path`` with its newest valid backup; the plan carried out, or None when
    there is no valid backup (nothing changed).

    Raises RestoreRefused (see the module docstring) and SaveError when the restore cannot
    be written (the current file is then unchanged). ``before_replacing`` is called with
    the plan after every check and before anything is written.
    """
    path = Path(path)
    try:
        with exclusive_lock(path, lock_timeout):
            current = inspect(path)
            problem = refusal(current, force=force)
            if problem is not None:
                raise RestoreRefused(path, problem)
            backup = newest_valid_backup(path)
            if backup is None:
                return None
            plan = RestorePlan(current, backup)
            if before_replacing is not None:
                before_replacing(plan)
            kept = _keep_current(path, current)
            write_atomically(path, backup.path.read_bytes())
            return replace(plan, kept=kept)
    except LockTimeout as timeout:
        raise SaveError(path, f"cannot restore a backup: {timeout}") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise SaveError(path, f"cannot restore a backup: {reason}") from error


def _keep_current(path: Path, current: FileState) -> Path | None:
    """Keep what is about to be replaced (a damaged file as evidence, a valid one because
    it is the user's data), under a name saying which."""
    if current.state == "missing":
        return None
    kind = "replaced" if current.state == "valid" else "damaged"
    return keep_damaged_copy(path, path.read_bytes(), kind=kind)
