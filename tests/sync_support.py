"""Two machines sharing a reading list through a bare git repository, all on this disk.

Each machine has its own folder, reading list and HOME (with its own git identity and
``reader.host`` name), so nothing reads or writes the real user's git configuration.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reader.model.paper import Paper
from reader.storage.reading_list import ReadingList
from reader.sync import SyncReport, init_sync, sync_reading_list

Judgement = tuple[bool, tuple[str, ...], str, str]


class Clock:
    """A clock shared by the machines: every reading a minute later, so "later" is exact."""

    def __init__(self) -> None:
        self._ticks: Iterator[int] = itertools.count()

    def __call__(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=next(self._ticks))


def paper(index: int) -> Paper:
    return Paper(id=f"{index:012x}", title=f"Paper {index}", authors=("A. Author",), abstract="")


def git_env(home: Path, name: str) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text(
        f"[user]\n\tname = {name}\n\temail = {name}@example.org\n[reader]\n\thost = {name}\n"
        "[init]\n\tdefaultBranch = trunk\n",  # must not matter: sync picks the remote's
        encoding="utf-8",
    )
    return {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }


@dataclass
class Machine:
    name: str
    db: Path
    env: dict[str, str]
    clock: Clock
    _list: ReadingList | None = field(default=None, repr=False)

    @property
    def folder(self) -> Path:
        return self.db.parent

    @property
    def reading_list(self) -> ReadingList:
        """An open reading list, as an app window would hold it (refreshed before use)."""
        if self._list is None:
            self._list = ReadingList.open(self.db, clock=self.clock, backup_interval=0)
        self._list.refresh()
        return self._list

    def sync(self, **options: Any) -> SyncReport:
        return sync_reading_list(self.db, environ=self.env, **options)

    def sync_cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """``reader sync`` in a real process, as a user would run it."""
        return subprocess.run(
            [sys.executable, "-m", "reader", "sync", "--db", str(self.db), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def state(self) -> dict[str, Judgement]:
        """The reading list as a fresh process reads it from disk."""
        annotations = ReadingList.open(self.db, read_only=True).all()
        return {
            pid: (a.starred, a.tags, a.note, a.status) for pid, a in sorted(annotations.items())
        }

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", *args],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout


def make_remote(root: Path) -> Path:
    remote = root / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    return remote


def make_machine(
    root: Path, name: str, remote: Path, clock: Clock, *, sync: bool = True
) -> Machine:
    machine = Machine(
        name, root / name / "reading_list.json", git_env(root / f"home-{name}", name), clock
    )
    init_sync(machine.db, remote=str(remote), environ=machine.env)
    if sync:
        report = machine.sync()
        assert report.in_sync, report
    return machine
