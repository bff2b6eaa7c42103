"""Who may write the reading list, and keeping its owner and mode on every file we write.

- A file with no write bit for anyone (``chmod 444``) is read-only by the user's choice, and
  we treat it so even when running as root (for whom ``os.access`` always says yes): root
  running ``reader annotate`` or ``reader restore`` must not override that choice.
- Every save replaces the file by rename, so the new inode would belong to whoever saved it.
  When root saves another user's reading list, the new file (and its backups and copies)
  gets the original owner and group back, or the user could no longer open it.
- Backups and damaged copies hold the same notes as the reading list, so they take its mode:
  never more readable than the list itself, whatever the umask says.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

_ANY_WRITE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def why_not_writable(path: Path) -> str | None:
    """Why saving to ``path`` cannot (or must not) work, or None if it looks possible.

    Creates the folder if it is missing (a new reading list needs it).
    """
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"cannot create the folder {folder} ({error.strerror or error})"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable"
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"cannot check the file ({error.strerror or error})"
    if not mode & _ANY_WRITE or not os.access(path, os.W_OK):
        return "the file is not writable"
    return None


def adopt_owner_and_mode(fd: int, model: os.stat_result) -> None:
    """Give the open file ``fd`` the owner, group and permission bits of ``model``.

    Ownership first (a chown can clear set-id bits, and the mode must be the last word).
    Only root can give a file away; for anyone else a differing owner is left as it is
    (their own file was theirs anyway), and a group they are not in is skipped likewise.
    """
    current = os.fstat(fd)
    if (current.st_uid, current.st_gid) != (model.st_uid, model.st_gid):
        with contextlib.suppress(PermissionError):
            os.fchown(fd, model.st_uid, model.st_gid)
    os.fchmod(fd, stat.S_IMODE(model.st_mode))


def stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
