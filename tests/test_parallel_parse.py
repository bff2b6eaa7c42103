"""Parsing in worker processes (reader/parsing/parallel.py): the same corpus, problems, file
summaries and per-file cache entries as parsing in-process, and no lost records or traceback
when a worker dies, raises, runs out of memory or cannot start. Real processes throughout;
the size threshold is lowered so that small corpora take the parallel path."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import parallel_support
import pytest
from hypothesis import given
from storage_support import hostile_text

import reader.parsing.corpus as corpus_module
from reader.parsing import parallel
from reader.parsing.corpus import PARSE, Corpus, load_corpus
from reader.paths import cache_dir

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for benchmarks.synthetic

RECORD = "CVApr {day}, 2023\nPaper number {n} on robustAda Lovelace, Alan Turing\nAbstract {n}.\n"


def _dated(first: int, count: int) -> str:
    return "".join(RECORD.format(day=1 + n % 28, n=n) for n in range(first, first + count))


def _two_idle_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "available_cores", lambda: 2)
    monkeypatch.setattr(parallel, "idle_cores", lambda: 2.0)


def _in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parse every corpus in workers (two, as on the 2-core machines this targets), and fail
    the test if any file is parsed in this process instead."""
    _two_idle_cores(monkeypatch)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)

    def not_here(task: object) -> None:
        raise AssertionError(f"parsed in the test process: {task}")

    monkeypatch.setattr(corpus_module, "parse_uncached", not_here)


def _in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_BYTES", 1 << 62)


def _cache_entries() -> dict[str, object]:
    """Every per-file cache entry, by its path under the cache directory, read back."""
    root = cache_dir() / "files"
    return {
        str(path.relative_to(root)): pickle.loads(path.read_bytes())
        for path in sorted(root.rglob("*.pickle"))
    }


def _load_with(
    monkeypatch: pytest.MonkeyPatch, paths: list[Path], cache: Path, *, workers: bool
) -> tuple[Corpus, dict[str, object], list[tuple[int, int]]]:
    """A cold load in its own cache directory: the corpus, the per-file entries written, and
    the parse progress reported."""
    with monkeypatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(cache))
        (_in_workers if workers else _in_process)(patch)
        events: list[tuple[int, int]] = []

        def progress(phase: str, done: int, total: int) -> None:
            if phase == PARSE:
                events.append((done, total))

        corpus = load_corpus(paths, progress=progress)
        return corpus, _cache_entries(), events


def _assert_same(serial: Corpus, parallel_corpus: Corpus) -> None:
    assert list(parallel_corpus.papers) == list(serial.papers)  # same papers, same order
    assert parallel_corpus.files == serial.files
    assert parallel_corpus.problems == serial.problems
    assert parallel_corpus.cache_key == serial.cache_key


def _assert_honest(events: list[tuple[int, int]], files: int, empty: int = 0) -> None:
    """One report per file, growing, and 100% only once the last file with any bytes is in
    (``empty`` files of no bytes may come after it)."""
    assert len(events) == files
    dones = [done for done, _ in events]
    assert dones == sorted(dones)
    total = events[0][1]
    assert dones[-1] == total
    assert dones.index(total) >= files - 1 - empty


def test_sample_corpus_parsed_in_workers_is_the_same_as_in_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_corpus_dir: Path
) -> None:
    serial, serial_entries, _ = _load_with(
        monkeypatch, [sample_corpus_dir], tmp_path / "serial", workers=False
    )
    parallel_corpus, entries, events = _load_with(
        monkeypatch, [sample_corpus_dir], tmp_path / "parallel", workers=True
    )
    assert len(serial.papers) == 651
    _assert_same(serial, parallel_corpus)
    # The workers wrote the per-file entries into this load's cache directory, not the one
    # their process was started with, and wrote the same entries.
    assert entries == serial_entries
    assert len(entries) == len(list(sample_corpus_dir.iterdir()))
    _assert_honest(events, len(entries))
    # Again with another cache directory, once the forkserver (started with the directory
    # above in its environment) is up: the entries still go where this load looks.
    again, entries_again, _ = _load_with(
        monkeypatch, [sample_corpus_dir], tmp_path / "again", workers=True
    )
    _assert_same(serial, again)
    assert entries_again == serial_entries


def test_generated_corpus_with_bad_files_is_the_same_in_workers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from benchmarks.synthetic import write_corpus

    corpus_dir = tmp_path / "corpus"
    write_corpus(corpus_dir, 3000, seed=5, per_file=400)
    (corpus_dir / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (corpus_dir / "empty.txt").write_bytes(b"")
    (corpus_dir / "long-line.txt").write_bytes(
        _dated(0, 3).encode() + b"x" * (2 << 20) + b"\n" + _dated(3, 2).encode()
    )
    files = len(list(corpus_dir.iterdir()))
    assert files >= 10

    serial, serial_entries, _ = _load_with(
        monkeypatch, [corpus_dir], tmp_path / "serial", workers=False
    )
    parallel_corpus, entries, events = _load_with(
        monkeypatch, [corpus_dir], tmp_path / "parallel", workers=True
    )
    assert len(serial.problems) == 3
    _assert_same(serial, parallel_corpus)
    assert [p.possible_duplicates for p in parallel_corpus.papers] == [
        p.possible_duplicates for p in serial.papers
    ]
    assert entries == serial_entries
    _assert_honest(events, files, empty=1)


def _three_files(directory: Path, middle: str) -> tuple[Path, Path, Path]:
    directory.mkdir(exist_ok=True)
    paths = (directory / "a.txt", directory / middle, directory / "c.txt")
    for path, first in zip(paths, (0, 10, 20), strict=True):
        path.write_text(_dated(first, 10), encoding="utf-8")
    return paths


def test_a_worker_that_dies_costs_only_its_own_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, dying, _ = _three_files(tmp_path / "corpus", f"b-{parallel_support.DIE}.txt")
    with monkeypatch.context() as patch:
        _in_workers(patch)
        patch.setattr(corpus_module, "parse_uncached_pickled", parallel_support.misbehave)
        corpus = load_corpus([tmp_path / "corpus"])
    assert sorted(p.title for p in corpus.papers) == sorted(
        [f"Paper number {n} on robust" for n in (*range(10), *range(20, 30))]
    )
    # It died in a fresh worker too, and is named; no traceback, nothing cached for it.
    assert [str(p) for p in corpus.problems] == [
        f"{dying}: error: could not be parsed: its worker process stopped (exit status 3); "
        "it is read again on the next start"
    ]
    assert [f.records for f in corpus.files] == [10, 0, 10]
    assert corpus.files[1].failed
    # The next start reads it again (here with the real parser) and has everything.
    assert len(load_corpus([tmp_path / "corpus"]).papers) == 30


def test_a_worker_killed_by_a_signal_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(parallel, "_TRIES", 1)
    result = parallel.run(
        parallel_support.kill_self,
        ["fine", "kill", "also fine"],
        workers=2,
        local=str.upper,
        decode=str.upper,
        lost=lambda index, reason: f"lost {index}: {reason}",
    )
    assert result == ["FINE", "lost 1: its worker process was killed by SIGKILL", "ALSO FINE"]


def test_a_worker_that_raises_leaves_its_file_to_this_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _three_files(tmp_path / "corpus", f"b-{parallel_support.RAISE}.txt")
    parsed_here: list[str] = []
    real = corpus_module.parse_uncached
    with monkeypatch.context() as patch:
        _in_workers(patch)
        patch.setattr(corpus_module, "parse_uncached_pickled", parallel_support.misbehave)

        def here(task: corpus_module.FileTask) -> object:
            parsed_here.append(task[0].name)
            return real(task)

        patch.setattr(corpus_module, "parse_uncached", here)
        corpus = load_corpus([tmp_path / "corpus"])
    assert parsed_here == [f"b-{parallel_support.RAISE}.txt"]
    assert len(corpus.papers) == 30
    assert corpus.problems == []


def test_a_worker_out_of_memory_gives_its_file_a_problem(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, big, _ = _three_files(tmp_path / "corpus", f"b-{parallel_support.OUT_OF_MEMORY}.txt")
    with monkeypatch.context() as patch:
        _in_workers(patch)
        patch.setattr(corpus_module, "parse_uncached_pickled", parallel_support.misbehave)
        corpus = load_corpus([tmp_path / "corpus"])
    assert len(corpus.papers) == 20
    assert [str(p) for p in corpus.problems] == [
        f"{big}: error: could not be parsed: ran out of memory; it is read again on the next start"
    ]


def test_workers_that_cannot_start_leave_everything_to_this_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_corpus_dir: Path
) -> None:
    serial, _, _ = _load_with(monkeypatch, [sample_corpus_dir], tmp_path / "serial", workers=False)
    with monkeypatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path / "unpicklable"))
        patch.setattr(parallel, "MIN_BYTES", 0)
        _two_idle_cores(patch)
        # A function that cannot be pickled cannot reach a worker: the start fails.
        patch.setattr(corpus_module, "parse_uncached_pickled", lambda task: b"")
        _assert_same(serial, load_corpus([sample_corpus_dir]))
    with monkeypatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path / "dead-on-arrival"))
        patch.setattr(parallel, "MIN_BYTES", 0)
        _two_idle_cores(patch)
        # Workers that start but end before they are ready (an import fails there, say).
        patch.setattr(parallel, "_serve", parallel_support.exit_at_once)
        _assert_same(serial, load_corpus([sample_corpus_dir]))


def test_a_file_deleted_during_a_parallel_parse(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, doomed, _ = _three_files(tmp_path / "corpus", "b.txt")
    real_keys = corpus_module.file_keys

    def keys_then_delete(files: list[Path], known: object = ()) -> object:
        keys = real_keys(files, known)  # type: ignore[arg-type]
        doomed.unlink()  # another program removes it before a worker reads it
        return keys

    _in_workers(monkeypatch)
    monkeypatch.setattr(corpus_module, "file_keys", keys_then_delete)
    corpus = load_corpus([tmp_path / "corpus"])
    assert len(corpus.papers) == 20
    assert [str(p) for p in corpus.problems] == [
        f"{doomed}: error: cannot read: No such file or directory"
    ]


def test_a_file_growing_during_a_parallel_parse(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, growing, _ = _three_files(tmp_path / "corpus", f"b-{parallel_support.GROW}.txt")
    with monkeypatch.context() as patch:
        _in_workers(patch)
        patch.setattr(corpus_module, "parse_uncached_pickled", parallel_support.misbehave)
        corpus = load_corpus([tmp_path / "corpus"])
    assert len(corpus.papers) == 30  # what was there when read, and the other files whole
    [problem] = corpus.problems
    assert str(problem).startswith(f"{growing}: warning: the file changed while it was read")
    # The half-read state was cached nowhere: the next start reads the whole file.
    assert len(load_corpus([tmp_path / "corpus"]).papers) == 31


def test_a_hostile_file_name_is_named_as_it_is(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    name = f"{{0}} %s [bold]x[bold] \x1b[31m \u202e {parallel_support.DIE}.txt"
    _, dying, _ = _three_files(tmp_path / "corpus", name)
    with monkeypatch.context() as patch:
        _in_workers(patch)
        patch.setattr(corpus_module, "parse_uncached_pickled", parallel_support.misbehave)
        corpus = load_corpus([tmp_path / "corpus"])
    [problem] = corpus.problems
    assert problem.path == str(dying)
    assert str(problem).startswith(f"{dying}: error: could not be parsed:")


@given(path=hostile_text, reason=hostile_text)
def test_a_lost_file_problem_keeps_its_path_and_reason_verbatim(path: str, reason: str) -> None:
    parsed = parallel.lost_file(Path(path or "x"), reason)
    [problem] = parsed.problems
    assert parsed.path == problem.path == str(Path(path or "x"))
    assert parsed.failed and parsed.papers == []
    assert problem.message == f"could not be parsed: {reason}; it is read again on the next start"


def test_small_corpora_single_files_and_busy_machines_stay_in_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    big = 10 * parallel.MIN_BYTES
    monkeypatch.setattr(parallel, "_runnable_now", lambda: None)  # the load-average path
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "available_cores", lambda: 2)
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (0.3, 0.3, 0.3))
    assert parallel.workers_for(20, parallel.MIN_BYTES) == 2
    assert parallel.workers_for(1, big) == 0
    assert parallel.workers_for(20, parallel.MIN_BYTES - 1) == 0
    # Other work fills one of the two cores: two workers could not run side by side.
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (1.2, 0.3, 0.3))
    assert parallel.workers_for(20, big) == 0
    # A big host where this process may use two cores: the host's load leaves them free.
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 64)
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (30.0, 30.0, 30.0))
    assert parallel.workers_for(20, big) == 2
    monkeypatch.setattr(parallel, "available_cores", lambda: 1)
    assert parallel.workers_for(20, big) == 0


def test_results_come_back_in_task_order_whatever_finishes_first() -> None:
    heard: list[int] = []
    tasks = [str(n) * (n + 1) for n in range(8)]
    result = parallel.run(
        parallel_support.echo,
        tasks,
        workers=2,
        local=str,
        decode=str,
        lost=lambda index, reason: "lost",
        weights=[len(t) for t in tasks],
        on_result=lambda index, _: heard.append(index),
    )
    assert result == tasks
    assert sorted(heard) == list(range(8))


def test_a_reply_that_cannot_be_decoded_is_redone_in_this_process() -> None:
    def decode(reply: str) -> str:
        if reply == "bad":
            raise ValueError("truncated")
        return reply

    result = parallel.run(
        parallel_support.echo,
        ["good", "bad", "fine"],
        workers=2,
        local=str.upper,
        decode=decode,
        lost=lambda index, reason: "lost",
    )
    assert result == ["good", "BAD", "fine"]


def test_loading_from_a_thread_as_the_app_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_corpus_dir: Path
) -> None:
    import threading

    serial, _, _ = _load_with(monkeypatch, [sample_corpus_dir], tmp_path / "serial", workers=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "thread"))
    _in_workers(monkeypatch)
    loaded: list[Corpus] = []
    # The app loads in a worker thread; the workers still start (no in-process fallback:
    # _in_workers fails the test if a file is parsed here) and the result is the same.
    loader = threading.Thread(target=lambda: loaded.append(load_corpus([sample_corpus_dir])))
    loader.start()
    loader.join()
    [corpus] = loaded
    _assert_same(serial, corpus)


TEXTUAL_LIKE_STDERR = """
import sys

class Capture:  # what a running Textual app puts in sys.stderr: fileno() is -1
    def write(self, text):
        return len(text)

    def flush(self):
        pass

    def fileno(self):
        return -1

capture = sys.stderr = Capture()

import reader.parsing.corpus as corpus_module
from reader.parsing import parallel

parallel.MIN_BYTES = 0
parallel.available_cores = lambda: 2
parallel.idle_cores = lambda: 2.0

def not_here(task):
    raise AssertionError("parsed in this process")

corpus_module.parse_uncached = not_here
corpus = corpus_module.load_corpus([corpus_module.Path(sys.argv[1])])
print(len(corpus.papers), sys.stderr is capture, file=sys.stdout)
"""


def test_workers_start_while_stderr_is_a_capture_without_a_descriptor(
    sample_corpus_dir: Path,
) -> None:
    # A fresh process: multiprocessing starts its resource tracker (which wants stderr's
    # descriptor) once per process, and this test process may have one already.
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", TEXTUAL_LIKE_STDERR, str(sample_corpus_dir)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "651 True\n", "")


def test_idle_cores_count_what_runs_now_not_the_last_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 1-minute load of 1.0 left by the user's previous command must not keep two idle
    cores from being used; what is runnable at this moment decides."""
    big = 10 * parallel.MIN_BYTES
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "available_cores", lambda: 2)
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (1.0, 1.5, 2.0))
    monkeypatch.setattr(parallel, "_SAMPLE_GAP", 0.0)
    monkeypatch.setattr(parallel, "_runnable_now", lambda: 1)  # only this process runs
    assert parallel.idle_cores() == 2.0
    assert parallel.workers_for(20, big) == 2
    samples = iter([3, 2, 1, 2, 2])  # another task running in most samples
    monkeypatch.setattr(parallel, "_runnable_now", lambda: next(samples))
    assert parallel.idle_cores() == 1.0
    samples = iter([3, 3, 3, 3, 3])
    assert parallel.workers_for(20, big) == 0


def test_the_kernels_runnable_count_is_read() -> None:
    count = parallel._runnable_now()
    if Path("/proc/loadavg").exists():
        assert count is not None and count >= 1  # at least the reading thread itself
