"""Test-only stand-ins for the parse worker's function (``corpus.parse_uncached_pickled``).

They live in a module of their own, importable by name, because a worker process receives
its function pickled by reference. Each misbehaves for files whose name contains a marker,
and only inside a worker process: run in the test process, they refuse (os._exit there
would end the test run).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path
from typing import Any

from reader.parsing.corpus import parse_uncached_pickled

DIE = "die-in-worker"
RAISE = "raise-in-worker"
OUT_OF_MEMORY = "oom-in-worker"


def _in_worker() -> None:
    if multiprocessing.parent_process() is None:
        raise AssertionError("a worker-only test hook ran in the test process")


def misbehave(task: tuple[Path, Any, Any]) -> bytes:
    """Dies, raises or runs out of memory for marked files; parses the others."""
    _in_worker()
    name = task[0].name
    if DIE in name:
        os._exit(3)  # as a crash or a kill would: no reply, no clean-up
    if RAISE in name:
        raise RuntimeError("a bug in the parser")
    if OUT_OF_MEMORY in name:
        raise MemoryError
    return parse_uncached_pickled(task)


def exit_at_once(*args: object) -> None:
    """A worker that ends before it is ready (as when it cannot import the parsers)."""
    _in_worker()
    os._exit(1)


def kill_self(task: str) -> str:
    """Killed by SIGKILL (as the kernel's out-of-memory killer does) on the task "kill"."""
    _in_worker()
    if task == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    return task


def echo(task: str) -> str:
    _in_worker()
    return task
