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

import reader.parsing.corpus as corpus_module
from reader.parsing.corpus import parse_uncached_pickled

DIE = "die-in-worker"
GROW = "grow-in-worker"
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
    if GROW in name:
        return _growing_while_parsed(task)
    return parse_uncached_pickled(task)


def _growing_while_parsed(task: tuple[Path, Any, Any]) -> bytes:
    """A writer appends to the file after the worker read its bytes, before it is parsed."""
    path = task[0]
    real_parse_bytes = corpus_module.parse_bytes

    def append_meanwhile(data: bytes, name: str) -> Any:
        with path.open("a", encoding="utf-8") as out:
            out.write(GROWN_BY)
        return real_parse_bytes(data, name)

    corpus_module.parse_bytes = append_meanwhile  # type: ignore[assignment]
    try:
        return parse_uncached_pickled(task)
    finally:
        corpus_module.parse_bytes = real_parse_bytes


GROWN_BY = "CVApr 2, 2023\nPaper written later on robustAda Lovelace\nAbstract later.\n"


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
