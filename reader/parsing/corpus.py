"""Loading a corpus: files and directories in, merged paper records and problems out.

Loading runs in phases (``PHASES``): parse each file (or take it from the per-file cache),
merge exact duplicates, link near duplicates, and (in the search package) index. ``progress``
hears ``(phase, done, total)`` for each. With ``link=False``, ``load_corpus`` returns as soon as
the papers are merged: the corpus can be listed and indexed for search at once, while
``finish_loading`` links near duplicates and writes the cache (a second stage an app can run
in the background). Linking fills ``possible_duplicates`` in place.

Adding files: when the files loaded last time from the same paths are all unchanged and
come first, only the new files are parsed; their papers are merged into the old corpus and
linked against the old corpus's blocking index (see ``merge.Linker``), which gives the same
papers, ids, duplicate groups and links as loading everything from scratch.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reader.model.paper import Paper
from reader.parsing import parallel
from reader.parsing.cache import (
    PICKLE_PROTOCOL,
    FileKey,
    corpus_key,
    file_keys,
    paths_key,
    read_entry,
    write_blob,
    write_entry,
    write_pickled,
)
from reader.parsing.decode import BinaryFileError, decode_lines
from reader.parsing.merge import Linker, apply_links, merge_duplicates, merge_into
from reader.parsing.problems import ParsedFile, Problem
from reader.parsing.table import AbstractStore, PaperIndex, PaperTable, paper_reader
from reader.paths import cache_dir

BIBTEX = "bibtex"
PARSE, MERGE, LINK, INDEX = "parse", "merge", "link", "index"
PHASES = (PARSE, MERGE, LINK, INDEX)
# Reported (0 of 1) before each cache write of ``finish_loading``: seconds at 10^5 papers,
# which a progress display must not show as the previous phase at 100%.
SAVE = "save"
Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass(frozen=True, slots=True)
class FileSummary:
    """What one input file gave: its format, how many records, what went wrong."""

    path: str
    format: str | None
    records: int
    problems: tuple[Problem, ...]

    @classmethod
    def of(cls, parsed: ParsedFile) -> FileSummary:
        return cls(parsed.path, parsed.format, len(parsed.papers), tuple(parsed.problems))

    @property
    def failed(self) -> bool:
        return self.format is None


@dataclass(frozen=True, slots=True)
class Growth:
    """How a corpus grew from a cached one by files added after its own.

    The search index cached under ``base_key`` still describes the first ``base_size``
    papers, except those at ``changed`` positions below ``base_size`` (a new record merged
    into them); positions from ``base_size`` on are new. The search layer serves the old
    papers from that index and indexes only ``changed`` (see reader.search.segments).
    """

    base_key: str
    base_size: int
    changed: tuple[int, ...]  # ascending


@dataclass(slots=True)
class Corpus:
    papers: Sequence[Paper]  # a list after parsing, a PaperTable when read from the cache
    files: list[FileSummary]
    problems: list[Problem] = field(default_factory=list)
    by_id: Mapping[str, Paper] = field(default_factory=dict)
    # Identifies these inputs in the cache, so derived data (the search index) can be
    # cached beside the corpus; None when caching was bypassed.
    cache_key: str | None = None
    # Set while near duplicates are still to be linked (``load_corpus(link=False)``).
    pending: _Pending | None = None
    # Set when only added files were parsed (see Growth).
    growth: Growth | None = None

    @property
    def linked(self) -> bool:
        return self.pending is None

    def __post_init__(self) -> None:
        if not self.by_id:
            self.by_id = {paper.id: paper for paper in self.papers}

    @property
    def record_count(self) -> int:
        """Records read before merging."""
        return sum(f.records for f in self.files)


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Files named directly, plus the non-hidden files under named directories, sorted."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and not any(part.startswith(".") for part in p.parts[-1:])
                )
            )
        elif path.is_file():
            files.append(path)
        elif path.exists():
            problems.append(Problem(str(path), 0, "not a regular file"))
        else:
            problems.append(Problem(str(path), 0, "no such file or directory"))
    return files, problems


# No listing line comes near this (abstracts are a few KB); a longer line is damage or a
# pasted binary, and is skipped with a problem rather than held in memory.
MAX_LINE_BYTES = 1 << 20
# Files above this are read line by line, so one huge line never sits in memory whole.
STREAM_ABOVE_BYTES = 64 << 20
_SKIP_CHUNK = 1 << 20


def parse_file(path: Path) -> ParsedFile:
    """Read and parse one file; every failure becomes a Problem, never an exception."""
    name = str(path)
    problems: list[Problem] = []
    try:
        if path.stat().st_size > STREAM_ABOVE_BYTES:
            data = _read_bounded_lines(path, name, problems)
        else:
            data = _drop_long_lines(path.read_bytes(), name, problems)
    except OSError as error:
        return ParsedFile(name, None, problems=[Problem(name, 0, f"cannot read: {error.strerror}")])
    except MemoryError:
        return ParsedFile(name, None, problems=[Problem(name, 0, "too large to read")])
    parsed = parse_bytes(data, name)
    parsed.problems[:0] = problems
    return parsed


def _too_long(name: str, line: int, size: int) -> Problem:
    return Problem(name, line, f"line of {size:,} bytes is longer than {MAX_LINE_BYTES:,}; skipped")


def _drop_long_lines(data: bytes, name: str, problems: list[Problem]) -> bytes:
    """``data`` with every overlong line emptied (line numbers kept), each one reported."""
    if len(data) <= MAX_LINE_BYTES:
        return data
    lines = data.split(b"\n")
    if max(map(len, lines)) <= MAX_LINE_BYTES:
        return data
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_LINE_BYTES:
            problems.append(_too_long(name, number, len(line)))
            lines[number - 1] = b""
    return b"\n".join(lines)


def _read_bounded_lines(path: Path, name: str, problems: list[Problem]) -> bytes:
    """A large file read line by line; overlong lines are skipped chunk by chunk, unread."""
    kept: list[bytes] = []
    number = 0
    with path.open("rb") as handle:
        while line := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(line) <= MAX_LINE_BYTES or line.endswith(b"\n"):
                kept.append(line)
                continue
            size = len(line)
            while line and not line.endswith(b"\n"):
                line = handle.readline(_SKIP_CHUNK)
                size += len(line)
            problems.append(_too_long(name, number, size - line.endswith(b"\n")))
            kept.append(b"\n")
    return b"".join(kept)


def parse_bytes(data: bytes, name: str) -> ParsedFile:
    if not data.strip():
        return ParsedFile(name, None, problems=[Problem(name, 0, "empty file")])
    from reader.parsing import bibtex_import as bib  # decodes and reports entry by entry

    if bib.looks_like_bibtex(data):
        return bib.parse_bibtex_bytes(data, name)
    try:
        decoded = decode_lines(data, name)
    except BinaryFileError as error:
        return ParsedFile(name, None, problems=[Problem(name, 0, str(error))])
    # Imported here: compiling the name grammar costs a quarter second, which a warm start
    # served from the cache should not pay.
    from reader.parsing.listings import PARSERS, detect_format, numbered_lines

    lines = numbered_lines(decoded.lines)
    if _looks_like_bibtex(lines):
        from reader.parsing.bibtex_import import parse_bibtex

        parsed = parse_bibtex("\n".join(decoded.lines), name)
    else:
        fmt = detect_format(lines)
        if fmt is None:
            message = (
                "not a recognised listing (expected an abstract list, a dated listing, "
                "a trending list or BibTeX)"
            )
            return ParsedFile(name, None, problems=[*decoded.problems, Problem(name, 0, message)])
        parsed = PARSERS[fmt](lines, name)
    parsed.problems[:0] = decoded.problems
    return parsed


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _looks_like_bibtex(lines: list[tuple[int, str]]) -> bool:
    for _, text in lines[:50]:
        stripped = text.lstrip()
        if stripped.startswith("@") and "{" in stripped:
            return True
        if not stripped.startswith("%"):
            return False
    return False


@dataclass(slots=True)
class _Pending:
    papers: Sequence[Paper]
    linker: Linker | None  # None: read the Linker cached under ``linker_key`` when linking
    to_link: list[int]  # positions still to be linked
    relink: set[int]  # positions whose possible_duplicates must be refreshed
    manifest_key: str | None
    keys: list[FileKey]
    abstracts: AbstractStore | None = None  # once written to the cache
    # The grown corpus's predecessor, whose cached Linker (tens of MB at 10^5 papers) is
    # read only when linking starts, after the list is already on screen.
    linker_key: str | None = None

    def take_linker(self) -> Linker:
        if self.linker is None:
            key = self.linker_key
            cached = None if key is None else read_entry(cache_dir(), "links", key)
            if isinstance(cached, Linker):
                self.linker = cached
            else:  # gone or damaged: link every paper from scratch, same links
                self.linker = Linker()
                self.to_link = list(range(len(self.papers)))
                self.relink = set(self.to_link)
        return self.linker


def load_corpus(
    paths: Sequence[Path],
    *,
    progress: Progress | None = None,
    use_cache: bool = True,
    link: bool = True,
) -> Corpus:
    """Parse every file under ``paths`` and merge the records into one corpus.

    With ``link=False`` near duplicates are not linked yet: call ``finish_loading``.
    """
    files, problems = expand_paths(paths)
    if not use_cache:
        corpus = _parse_and_merge(files, [None] * len(files), problems, progress, None, [], None)
    else:
        corpus = _load_cached(paths, files, problems, progress)
    if link:
        finish_loading(corpus, progress, snapshot_first=False)
    return corpus


def finish_loading(
    corpus: Corpus, progress: Progress | None = None, *, snapshot_first: bool = True
) -> Corpus:
    """Link near duplicates and write the cache; does nothing for a finished corpus.

    With ``snapshot_first`` the merged, not yet linked corpus is cached before linking
    starts, so a user who quits while links are still being found starts warm next time
    (linking then resumes in the background).
    """
    pending = corpus.pending
    if pending is None:
        return corpus
    if snapshot_first and corpus.cache_key is not None and pending.abstracts is None:
        if progress is not None:
            progress(SAVE, 0, 1)
        _write_cache(corpus, pending, linked=False)

    def report(done: int, total: int) -> None:
        if progress is not None:
            progress(LINK, done, total)

    linker = pending.take_linker()
    touched = linker.add(pending.papers, pending.to_link, report)
    apply_links(pending.papers, linker, touched | pending.relink)
    corpus.pending = None
    if corpus.cache_key is not None:
        if progress is not None:
            progress(SAVE, 0, 1)
        _write_cache(corpus, pending, linked=True)
    return corpus


def _load_cached(
    paths: Sequence[Path], files: list[Path], problems: list[Problem], progress: Progress | None
) -> Corpus:
    manifest_key = paths_key(paths)
    manifest = read_entry(cache_dir(), "manifest", manifest_key)
    old_keys: list[FileKey] = []
    old_corpus: str | None = None
    if isinstance(manifest, tuple) and len(manifest) == 2:
        old_keys, old_corpus = manifest
    maybe_keys = file_keys(files, old_keys)
    keys = [k for k in maybe_keys if k is not None]
    key = corpus_key(keys) if len(keys) == len(files) else None
    if key is not None:
        cached = _read_cached(key, problems, manifest_key, keys)
        if cached is not None:
            if progress is not None:
                for phase in (PARSE, MERGE) if cached.pending else (PARSE, MERGE, LINK):
                    progress(phase, 1, 1)
            return cached
    appended = (
        key is not None
        and old_corpus is not None
        and 0 < len(old_keys) < len(keys)
        and keys[: len(old_keys)] == old_keys
    )
    if appended:
        assert old_corpus is not None
        grown = _add_files(old_corpus, files, keys, problems, progress, manifest_key, key)
        if grown is not None:
            return grown
    return _parse_and_merge(files, maybe_keys, problems, progress, manifest_key, keys, key)


def _cached_file(path: Path, key: FileKey | None) -> ParsedFile | None:
    """One file from the per-file cache, when its key is known and cached."""
    if key is None:
        return None
    cached = read_entry(_file_dir(key), "file", key.key)
    if isinstance(cached, ParsedFile) and cached.path == str(path):
        return cached
    return None


def _file_dir(key: FileKey) -> Path:
    # One small directory per input path: looking up or pruning an entry never lists the
    # entries of 10,000 other files.
    return cache_dir() / "files" / key.path_key


FileTask = tuple[Path, FileKey | None, Path | None]  # (file, its key, its cache directory)


def parse_uncached(task: FileTask) -> ParsedFile:
    """Parse one file and, when it was read whole and unchanged, cache it."""
    parsed, directory = _parse_checked(task)
    if directory is not None:
        write_entry(directory, "file", _entry_key(task), parsed, keep=1)
    return parsed


def parse_uncached_pickled(task: FileTask) -> bytes:
    """``parse_uncached`` for a worker process, which returns its result pickled anyway: it
    is pickled once, for the cache entry and for the trip back.

    The cache directory comes in the task: a worker's environment may be older than ours.
    """
    parsed, directory = _parse_checked(task)
    data = pickle.dumps(parsed, PICKLE_PROTOCOL)
    if directory is not None:
        write_pickled(directory, "file", _entry_key(task), data, keep=1)
    return data


def _entry_key(task: FileTask) -> str:
    key = task[1]
    assert key is not None
    return key.key


def _parse_checked(task: FileTask) -> tuple[ParsedFile, Path | None]:
    """The parsed file, and the directory to cache it in (None: not to be cached)."""
    path, key, directory = task
    parsed = parse_file(path)
    if key is None or directory is None:
        return parsed, None
    if parsed.failed and not path.exists():
        return parsed, None  # gone before it could be read: parse_file's problem says so
    if _changed_while_read(path, key):
        parsed.problems.append(
            Problem(
                str(path),
                0,
                "the file changed while it was read; used what was there (it is read "
                "again on the next start)",
                "warning",
            )
        )
        return parsed, None
    return parsed, directory


def _changed_while_read(path: Path, key: FileKey) -> bool:
    try:
        stat = path.stat()
    except OSError:
        return True
    return (stat.st_size, stat.st_mtime_ns) != (key.size, key.mtime_ns)


def _parse_all(
    files: Sequence[Path], keys: Sequence[FileKey | None], progress: Progress | None
) -> tuple[list[ParsedFile], bool]:
    """Each file from the per-file cache, or parsed (in worker processes when that pays),
    and whether every file could be parsed: when a worker died on one, the corpus must not
    be cached, or that file's records would be missing from every start until it changes.
    """
    sizes = [_size(path) for path in files]
    total, done = sum(sizes), 0
    parsed: list[ParsedFile | None] = [None] * len(files)

    def finished(index: int, result: ParsedFile) -> None:
        nonlocal done
        parsed[index] = result
        done += sizes[index]
        if progress is not None:
            progress(PARSE, done, total)

    misses: list[int] = []
    for index, (path, key) in enumerate(zip(files, keys, strict=True)):
        cached = _cached_file(path, key)
        if cached is None:
            misses.append(index)
        else:
            finished(index, cached)
    tasks: list[FileTask] = [
        (files[i], keys[i], _file_dir(k) if (k := keys[i]) else None) for i in misses
    ]
    lost: set[int] = set()
    workers = parallel.workers_for(len(misses), sum(sizes[i] for i in misses))
    if workers > 1:
        _, lost = parallel.parse_files(
            parse_uncached_pickled,
            parse_uncached,
            tasks,
            workers=workers,
            sizes=[sizes[i] for i in misses],
            on_result=lambda n, result: finished(misses[n], result),
        )
    else:
        for index, task in zip(misses, tasks, strict=True):
            finished(index, parse_uncached(task))
    complete = [p for p in parsed if p is not None]
    assert len(complete) == len(files)
    return complete, not lost


def _parse_and_merge(
    files: Sequence[Path],
    keys: Sequence[FileKey | None],
    problems: list[Problem],
    progress: Progress | None,
    manifest_key: str | None,
    complete_keys: list[FileKey],
    key: str | None,
) -> Corpus:
    parsed, cacheable = _parse_all(files, keys, progress)
    if progress is not None:
        progress(MERGE, 0, 1)
    papers = merge_duplicates(p for f in parsed for p in f.papers)
    if progress is not None:
        progress(MERGE, 1, 1)
    problems.extend(problem for f in parsed for problem in f.problems)
    corpus = Corpus(papers, [FileSummary.of(f) for f in parsed], problems)
    corpus.cache_key = key if cacheable else None
    corpus.pending = _Pending(
        papers, Linker(), list(range(len(papers))), set(), manifest_key, complete_keys
    )
    return corpus


def _add_files(
    old_key: str,
    files: Sequence[Path],
    keys: list[FileKey],
    problems: list[Problem],
    progress: Progress | None,
    manifest_key: str,
    key: str | None,
) -> Corpus | None:
    """The old corpus plus the files after its own: only those are parsed and linked.

    The old papers stay in their table, unbuilt: new papers are appended to it and a
    merged duplicate replaces its row, so adding a day's file costs that file, not the
    corpus.
    """
    old = _read_cached(old_key, [])
    if old is None or old.pending is not None or not isinstance(old.papers, PaperTable):
        return None
    start = len(old.files)
    if start >= len(files):
        return None
    parsed, cacheable = _parse_all(files[start:], keys[start:], progress)
    if progress is not None:
        progress(MERGE, 0, 1)
    table = old.papers
    base_size = len(table)
    changed = merge_into(table, (p for f in parsed for p in f.papers))
    if progress is not None:
        progress(MERGE, 1, 1)
    files_summary = old.files + [FileSummary.of(f) for f in parsed]
    problems.extend(problem for f in files_summary for problem in f.problems)
    corpus = Corpus(table, files_summary, problems, PaperIndex(table))
    corpus.cache_key = key if cacheable else None
    corpus.growth = Growth(old_key, base_size, tuple(sorted(changed)))
    corpus.pending = _Pending(
        table, None, sorted(changed), set(changed), manifest_key, keys, linker_key=old_key
    )
    return corpus


def _write_cache(corpus: Corpus, pending: _Pending, *, linked: bool) -> None:
    key = corpus.cache_key
    assert key is not None
    if pending.abstracts is None:
        # Stored by column: a warm start then reads a few long lists instead of building
        # a million objects (see table.py). Written once, reused by the linked snapshot.
        pending.abstracts = AbstractStore.write(
            (paper.abstract for paper in _unkept(corpus.papers)),
            lambda chunks: write_blob(cache_dir(), "abstracts", key, chunks),
        )
        if pending.abstracts is None:
            return
    table = PaperTable.from_papers(_unkept(corpus.papers), pending.abstracts)
    state = (table, corpus.files, linked)
    write_entry(cache_dir(), "corpus", key, state)
    if linked:
        write_entry(cache_dir(), "links", key, pending.linker)
        if pending.manifest_key is not None and pending.keys:
            manifest = (pending.keys, key)
            write_entry(cache_dir(), "manifest", pending.manifest_key, manifest, keep=16)


def _unkept(papers: Sequence[Paper]) -> Iterable[Paper]:
    """Every paper, without a table keeping each one it builds (10^6 papers would pin
    gigabytes just to be written out)."""
    return map(paper_reader(papers), range(len(papers)))


def _read_cached(
    key: str,
    path_problems: list[Problem],
    manifest_key: str | None = None,
    keys: Sequence[FileKey] = (),
) -> Corpus | None:
    state = read_entry(cache_dir(), "corpus", key)
    if not (isinstance(state, tuple) and len(state) == 3 and isinstance(state[0], PaperTable)):
        return None
    table, files, linked = state
    try:
        table.open()
    except (OSError, ValueError):  # the abstracts file is gone or damaged: a miss
        return None
    problems = path_problems + [problem for f in files for problem in f.problems]
    corpus = Corpus(table, files, problems, PaperIndex(table), cache_key=key)
    if not linked:  # cached before linking finished: link again (in the background)
        everything = list(range(len(table)))
        corpus.pending = _Pending(
            table, Linker(), everything, set(), manifest_key, list(keys), table.abstracts
        )
    return corpus
