"""Running one function over many files in worker processes, with every failure contained.

``run`` hands each task to the next free worker (largest first, so one big file does not
finish alone at the end) and hears each result as it arrives, so progress advances file by
file. Results come back in task order, identical to running ``work`` in-process.

Workers come from ``forkserver`` (``spawn`` where there is none), never ``fork``: the caller
may be a thread of a running Textual app, and forking a threaded process can copy a held lock
into the child. The forkserver is a fresh interpreter that imports the parsers once; each
worker is forked from it, so each start costs a fork rather than a fresh interpreter and its
imports (about 0.2 s of CPU here, most of it compiling the name grammar).

A worker's failure never loses another task's result and never raises here:

- workers cannot be started, or die before they are ready: the remaining tasks run in-process;
- ``work`` raises in a worker: the task runs again in-process (so a bug shows as it would
  without workers), except ``MemoryError``, which becomes ``lost(index, reason)``;
- the worker holding a task dies (killed, crashed): the task is tried once more in a fresh
  worker; if that one dies too, the task's result is ``lost(index, reason)``.

Tasks and results cross process boundaries as pickles, and ``work`` is pickled by reference:
it must be a module-level function. Nothing a worker inherits from the caller's environment
later than the forkserver's start may matter to ``work``: pass such things in the task.

As with any use of multiprocessing, each worker imports the caller's main script (as
``__mp_main__``): a script that loads a large corpus needs the usual ``if __name__ ==
"__main__":`` guard. ``reader`` and ``python -m reader`` have it. After the first parallel
parse the forkserver (about 35 MB, with the parsers imported) and multiprocessing's resource
tracker (about 12 MB) stay idle until this process exits, so later loads start faster.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Generic, TypeVar

from reader.parsing.problems import ParsedFile, Problem

T = TypeVar("T")
R = TypeVar("R")

# Parsing in workers pays only past this many bytes to parse (benchmarks/README.md, "Parallel
# parsing"): below it, starting the workers and shipping results back cost about what they
# save (20k papers, 26 MB, stay in-process; 100k papers, 129 MB, go to workers).
MIN_BYTES = 48 << 20
# Imported once by the forkserver, so no worker pays for them (the name grammar compiles on
# import).
PRELOAD = ("reader.parsing.corpus", "reader.parsing.listings", "reader.parsing.bibtex_import")

# A task whose worker dies this many times is given up (``lost``).
_TRIES = 2
# What a worker's reply says happened: (index, outcome, result or None or error text).
_DONE, _OUT_OF_MEMORY, _RAISED = "done", "out of memory", "raised"
# How long finished workers get to exit on their own before they are terminated.
_EXIT_GRACE = 2.0


def available_cores() -> int:
    """Cores this process may run on (its affinity mask where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def idle_cores() -> float:
    """The machine's cores less what other work runs on them right now.

    "Right now" is the number of runnable tasks the kernel reports (``/proc/loadavg``), less
    this one, sampled a few times over ~20 ms. The 1-minute load average would be stale: a
    user's own last command (an earlier start, a build) keeps it near 1 for a minute after
    the core is free again, and on two cores that alone would keep workers off. Where there
    is no ``/proc``, the load average is all there is.
    """
    others = _running_elsewhere()
    if others is None:
        try:
            others = os.getloadavg()[0]
        except (AttributeError, OSError):  # no load average here (Windows)
            others = 0.0
    return max(0.0, (os.cpu_count() or 1) - others)


_SAMPLES, _SAMPLE_GAP = 5, 0.004


def _running_elsewhere() -> float | None:
    """Median count of runnable tasks other than this one, or None where unknown."""
    counts: list[int] = []
    for sample in range(_SAMPLES):
        if sample:
            time.sleep(_SAMPLE_GAP)
        runnable = _runnable_now()
        if runnable is None:
            return None
        counts.append(max(0, runnable - 1))  # the reading thread is runnable itself
    return float(sorted(counts)[len(counts) // 2])


def _runnable_now() -> int | None:
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            return int(handle.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None


def usable_cores() -> int:
    """Cores this process could keep busy now: its own, less what other work runs on."""
    return min(available_cores(), int(idle_cores() + 0.5))


def workers_for(files: int, size: int) -> int:
    """How many worker processes to parse ``files`` files of ``size`` bytes in all: 0 for none.

    Workers need two idle cores: when other work already fills the cores (a shared or busy
    machine), they cannot run side by side and only add their start-up and the pickling of
    results (benchmarks/README.md, "Parallel parsing").
    """
    if files < 2 or size < MIN_BYTES:
        return 0
    workers = min(files, usable_cores())
    return workers if workers >= 2 else 0


FileTask = tuple[Path, Any, Any]  # (path, ...): the file comes first


def parse_files(
    work: Callable[[FileTask], bytes],
    local: Callable[[FileTask], ParsedFile],
    tasks: Sequence[FileTask],
    *,
    workers: int,
    sizes: Sequence[int],
    on_result: Callable[[int, ParsedFile], None] | None = None,
) -> tuple[list[ParsedFile], set[int]]:
    """``run`` for parsers whose workers return their ParsedFile pickled. A file that could
    not be parsed (its workers died) gets a problem naming it instead; the second result
    holds the indices of those files."""
    gave_up: set[int] = set()

    def lost(index: int, reason: str) -> ParsedFile:
        gave_up.add(index)
        return lost_file(tasks[index][0], reason)

    parsed = run(
        work,
        tasks,
        workers=workers,
        local=local,
        decode=_unpickle_file,
        lost=lost,
        weights=sizes,
        on_result=on_result,
        preload=PRELOAD,
    )
    return parsed, gave_up


def _unpickle_file(data: bytes) -> ParsedFile:
    # Thousands of new objects per file: without the cyclic collector scanning them as they
    # appear (as cache.read_entry does).
    gc.disable()
    try:
        parsed = pickle.loads(data)
    finally:
        gc.enable()
    assert isinstance(parsed, ParsedFile)
    return parsed


def lost_file(path: Path, reason: str) -> ParsedFile:
    """What a file that could not be parsed gives: no records, one problem naming it."""
    name = str(path)
    message = f"could not be parsed: {reason}; it is read again on the next start"
    return ParsedFile(name, None, problems=[Problem(name, 0, message)])


def process_context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def run(
    work: Callable[[T], Any],
    tasks: Sequence[T],
    *,
    workers: int,
    local: Callable[[T], R],
    decode: Callable[[Any], R],
    lost: Callable[[int, str], R],
    weights: Sequence[int] | None = None,
    on_result: Callable[[int, R], None] | None = None,
    preload: Sequence[str] = (),
) -> list[R]:
    """``[local(task) for task in tasks]``, computed as ``decode(work(task))`` by up to
    ``workers`` processes (``work`` may return its result in a form cheaper to ship, such as
    a pickle it made anyway).

    ``on_result(index, result)`` is called in this thread as each task completes (in
    completion order). ``weights`` (e.g. file sizes) orders dispatch, heaviest first.
    ``preload`` names modules the forkserver imports once for all workers.
    """
    results: dict[int, R] = {}

    def finish(index: int, result: R) -> None:
        results[index] = result
        if on_result is not None:
            on_result(index, result)

    order = sorted(range(len(tasks)), key=lambda i: -weights[i]) if weights else range(len(tasks))
    pool = _Pool(work, tasks, min(workers, len(tasks)), lost, finish, preload, decode)
    pool.queue.extend(order)
    try:
        pool.run()
    finally:
        pool.close()
    for index in [*pool.local, *pool.queue]:  # what workers could not do: here, as without them
        finish(index, local(tasks[index]))
    return [results[i] for i in range(len(tasks))]


@dataclass(slots=True)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    ready: bool = False
    task: int | None = None


class _Pool(Generic[T, R]):
    def __init__(
        self,
        work: Callable[[T], Any],
        tasks: Sequence[T],
        size: int,
        lost: Callable[[int, str], R],
        finish: Callable[[int, R], None],
        preload: Sequence[str],
        decode: Callable[[Any], R],
    ) -> None:
        self.work, self.tasks, self.size, self.decode = work, tasks, size, decode
        self.lost, self.finish, self.preload = lost, finish, preload
        self.queue: deque[int] = deque()  # for workers, next first
        self.local: list[int] = []  # to run in this process once the workers are done
        self.deaths: dict[int, int] = {}
        self.workers: list[_Worker] = []
        # Bounds restarts, so workers that keep dying for some other reason end the pool.
        self.starts_left = size + _TRIES * len(tasks)

    def run(self) -> None:
        """Until the queue is empty and nothing is in flight, or no worker can run."""
        while True:
            while self.queue and len(self.workers) < self.size and self.starts_left > 0:
                self.starts_left -= 1
                if not self._start():
                    self.starts_left = 0
            for worker in self.workers:
                if worker.task is None and self.queue:
                    self._send(worker, self.queue.popleft())
            busy = [w for w in self.workers if w.task is not None]
            if not busy:
                return  # all done, or no worker left to do the rest (run() does it here)
            watched = [w.conn for w in self.workers] + [w.process.sentinel for w in self.workers]
            ready = set(wait(watched))
            for worker in list(self.workers):
                if worker.conn in ready or worker.process.sentinel in ready:
                    self._hear(worker)

    def _start(self) -> bool:
        context = process_context()
        if self.preload and context.get_start_method() == "forkserver":
            # Only takes effect when the forkserver is not running yet (it then stays up for
            # the rest of this process, as with every forkserver user).
            context.set_forkserver_preload(list(self.preload))
        try:
            ours, theirs = context.Pipe()
            process = context.Process(  # type: ignore[attr-defined]
                target=_serve, args=(theirs, self.work), daemon=True, name="reader-parse"
            )
            try:
                with stderr_for_children():
                    process.start()
            finally:
                theirs.close()
        except Exception:  # no processes here (limits, no /dev/shm, a frozen app, ...)
            return False
        self.workers.append(_Worker(process, ours))
        return True

    def _send(self, worker: _Worker, index: int) -> None:
        worker.task = index
        # If it died already, the send fails and _hear finds out (and requeues the task).
        with contextlib.suppress(OSError, ValueError):
            worker.conn.send((index, self.tasks[index]))

    def _hear(self, worker: _Worker) -> None:
        try:
            if worker.conn.poll():
                message = worker.conn.recv()
            elif worker.process.is_alive():
                return
            else:
                message = None
        except Exception:  # EOF, a reset pipe or a truncated message: it died
            message = None
        if message is None:
            self._died(worker)
        elif message == "ready":
            worker.ready = True
        else:
            index, outcome, payload = message
            worker.task = None
            if outcome == _OUT_OF_MEMORY:
                self.finish(index, self.lost(index, "ran out of memory"))
                return
            if outcome == _DONE:
                try:
                    result = self.decode(payload)
                except Exception:  # a reply that cannot be read back: redone below
                    pass
                else:
                    self.finish(index, result)
                    return
            # A bug in work() (or in its reply): run it here, where it shows as it would
            # without workers.
            self.local.append(index)

    def _died(self, worker: _Worker) -> None:
        self._retire(worker)
        index = worker.task
        if index is None:
            return
        if not worker.ready:
            # It never came up: workers cannot run here (an import fails, say). No more
            # starts; the queue goes to the workers still alive, or to this process.
            self.starts_left = 0
            self.queue.appendleft(index)
            return
        self.deaths[index] = self.deaths.get(index, 0) + 1
        if self.deaths[index] < _TRIES:
            self.queue.appendleft(index)  # a fresh worker tries it once more
        else:
            reason = _describe_exit(worker.process.exitcode)
            self.finish(index, self.lost(index, reason))

    def _retire(self, worker: _Worker) -> None:
        self.workers.remove(worker)
        worker.conn.close()
        _end(worker.process)

    def close(self) -> None:
        """Ends every worker (after an exception here, their tasks are dropped)."""
        for worker in self.workers:
            worker.conn.close()  # the worker reads EOF and exits
        for worker in self.workers:
            _end(worker.process)
        self.workers.clear()


class _NoDescriptor:
    """A stream as it is, except that it has no file descriptor to hand to a child."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def fileno(self) -> int:
        raise OSError("no file descriptor")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def stderr_for_children() -> Iterator[None]:
    """A running Textual app replaces ``sys.stderr`` with a capture whose ``fileno()`` is -1,
    which multiprocessing (starting its resource tracker) hands on as a descriptor, and the
    start fails. While a worker starts, ``sys.stderr`` then has no descriptor at all, which
    multiprocessing skips; what is written to it still goes where it went."""
    stream = sys.stderr
    try:
        usable = stream.fileno() >= 0
    except Exception:  # no descriptor at all (or no stderr): multiprocessing skips it already
        usable = True
    if usable:
        yield
        return
    sys.stderr = _NoDescriptor(stream)
    try:
        yield
    finally:
        if isinstance(sys.stderr, _NoDescriptor):  # unless someone replaced it meanwhile
            sys.stderr = stream


def _end(process: multiprocessing.process.BaseProcess) -> None:
    process.join(_EXIT_GRACE)
    if process.is_alive():
        process.kill()
        process.join()


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"its worker process was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"its worker process was killed by signal {-code}"
    return f"its worker process stopped (exit status {code})"


def _serve(conn: Connection, work: Callable[[Any], Any]) -> None:
    """A worker: tasks in, results out, until the parent closes its end of the pipe."""
    # Ctrl+C in a terminal reaches the whole process group; the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        conn.send("ready")
        while True:
            index, task = conn.recv()
            try:
                reply: tuple[int, str, Any] = (index, _DONE, work(task))
            except MemoryError:
                reply = (index, _OUT_OF_MEMORY, None)
            except Exception as error:
                reply = (index, _RAISED, f"{type(error).__name__}: {error}")
            try:
                conn.send(reply)
            except MemoryError:  # the result is too large to pickle here
                conn.send((index, _OUT_OF_MEMORY, None))
    except (EOFError, OSError):
        return  # the parent is done (or gone)
