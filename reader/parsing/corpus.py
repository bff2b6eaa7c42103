"""Loading a corpus: files and directories in, merged paper records and problems out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reader.model.paper import Paper
from reader.parsing.cache import cache_key, read_entry, write_blob, write_entry
from reader.parsing.decode import BinaryFileError, decode_lines
from reader.parsing.merge import link_near_duplicates, merge_duplicates
from reader.parsing.problems import ParsedFile, Problem
from reader.parsing.table import AbstractStore, PaperIndex, PaperTable
from reader.paths import cache_dir

BIBTEX = "bibtex"
Progress = Callable[[int, int], None]  # (bytes parsed, bytes in all files)


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


@dataclass(slots=True)
class Corpus:
    papers: Sequence[Paper]  # a list after parsing, a PaperTable when read from the cache
    files: list[FileSummary]
    problems: list[Problem] = field(default_factory=list)
    by_id: Mapping[str, Paper] = field(default_factory=dict)
    # Identifies these inputs in the cache, so derived data (the search index) can be
    # cached beside the corpus; None when caching was bypassed.
    cache_key: str | None = None

    def __post_init__(self) -> None:
        if not self.by_id:
            self.by_id = {paper.id: paper for paper in self.papers}

    @property
    def record_count(self) -> int:
        """Records read before merging."""
        return sum(f.records for f in self.files)

    @property
    def failed_files(self) -> list[FileSummary]:
        return [f for f in self.files if f.failed]


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


def parse_file(path: Path) -> ParsedFile:
    """Read and parse one file; every failure becomes a Problem, never an exception."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return ParsedFile(name, None, problems=[Problem(name, 0, f"cannot read: {error.strerror}")])
    return parse_bytes(data, name)


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


def load_corpus(
    paths: Sequence[Path],
    *,
    progress: Progress | None = None,
    use_cache: bool = True,
) -> Corpus:
    """Parse every file under ``paths`` and merge the records into one corpus."""
    files, problems = expand_paths(paths)
    key = cache_key(files) if use_cache else None
    if key is not None:
        cached = _read_cached(key, problems)
        if cached is not None:
            if progress is not None:
                progress(1, 1)
            return cached
    corpus = _parse_and_merge(files, problems, progress)
    if key is not None:
        corpus.cache_key = key
        # Stored by column: a warm start then reads a few long lists instead of building
        # a million objects (see table.py).
        abstracts = AbstractStore.write(
            (paper.abstract for paper in corpus.papers),
            lambda chunks: write_blob(cache_dir(), "abstracts", key, chunks),
        )
        if abstracts is not None:
            state = (PaperTable.from_papers(corpus.papers, abstracts), corpus.files)
            write_entry(cache_dir(), "corpus", key, state)
    return corpus


def _read_cached(key: str, path_problems: list[Problem]) -> Corpus | None:
    state = read_entry(cache_dir(), "corpus", key)
    if not (isinstance(state, tuple) and len(state) == 2 and isinstance(state[0], PaperTable)):
        return None
    table, files = state
    try:
        table.open()
    except (OSError, ValueError):  # the abstracts file is gone or damaged: a miss
        return None
    problems = path_problems + [problem for f in files for problem in f.problems]
    return Corpus(table, files, problems, PaperIndex(table), cache_key=key)


def _parse_and_merge(
    files: Sequence[Path], problems: list[Problem], progress: Progress | None
) -> Corpus:
    parsed: list[ParsedFile] = []
    sizes = [_size(path) for path in files]
    total, done = sum(sizes), 0
    for path, size in zip(files, sizes, strict=True):
        parsed.append(parse_file(path))
        done += size
        if progress is not None:
            progress(done, total)
    papers = merge_duplicates(p for f in parsed for p in f.papers)
    link_near_duplicates(papers)
    problems.extend(problem for f in parsed for problem in f.problems)
    return Corpus(papers, [FileSummary.of(f) for f in parsed], problems)
