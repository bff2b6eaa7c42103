"""The inter-process lock every change to the reading list is made under.

``fcntl.flock`` on a sibling file ``<db>.lock`` (never on the database itself: the database
is replaced by rename on every save, so a lock on it would be a lock on a stale inode).
The kernel drops the lock when its holder dies, so a killed process never blocks others.
We poll with LOCK_NB instead of blocking so a hung process cannot freeze the app forever.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from reader.storage.permissions import adopt_owner_and_mode, stat_or_none

DEFAULT_TIMEOUT = 10.0


class LockTimeout(Exception):
    pass


def lock_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def _give_back_to_owner(fd: int, db_path: Path) -> None:
    """When root locks another user's reading list, the lock file it may just have created
    must belong to that user, or their own next save could not open it."""
    if os.geteuid() != 0:
        return
    model = stat_or_none(db_path)
    if model is not None and os.fstat(fd).st_uid != model.st_uid:
        adopt_owner_and_mode(fd, model)


@contextlib.contextmanager
def exclusive_lock(db_path: Path, timeout: float = DEFAULT_TIMEOUT) -> Iterator[None]:
    """Hold the database's lock for the ``with`` block; LockTimeout after ``timeout`` s.

    OSError (e.g. a read-only directory) propagates: callers turn it into a message.
    """
    with exclusive_lock_fd(lock_path_for(db_path), timeout, owner_of=db_path):
        yield


@contextlib.contextmanager
def exclusive_lock_fd(
    lock_file: Path, timeout: float = DEFAULT_TIMEOUT, *, owner_of: Path | None = None
) -> Iterator[int]:
    """Hold an flock on ``lock_file`` (created if missing); yields the locked descriptor.
    ``owner_of``: the file whose owner a lock file created by root should belong to.

    The lock belongs to the open file description, so a child process given the descriptor
    (``pass_fds``) keeps it held until the child exits too, even if this process is killed:
    ``reader sync`` relies on that so no other writer runs while its git children still work.
    """
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if owner_of is not None:
            _give_back_to_owner(fd, owner_of)
        deadline = time.monotonic() + timeout
        delay = 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"another process has held the lock {lock_file.name} for over {timeout:g} s"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        try:
            yield fd
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
