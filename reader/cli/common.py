"""What every subcommand shares: an argparse that reports to given streams, exit codes, the
corpus and reading-list loading that scripts do exactly as the app does, and safe printing.

The subcommands run inside ``main`` (and in tests) with their own output streams, so a usage
error must be written there and become an exit status, not a process exit.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from reader.model import Annotation
from reader.parsing.corpus import Corpus, load_corpus
from reader.paths import default_db_path, sample_corpus_dir
from reader.storage.errors import NewerSchemaError, StoreError

EXIT_OK, EXIT_INPUT, USAGE_ERROR = 0, 1, 2


class ParserExit(Exception):
    """Parsing ended (``--help`` or a usage error); ``status`` is the exit status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class ExitlessParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors go to ``stderr`` and end in ``ParserExit``.

    ``parse_args`` accepts options after positionals in any order (``reader search Q PATH
    --limit 3``), the way users type them.
    """

    def __init__(self, *, prog: str, stderr: TextIO, description: str | None = None) -> None:
        super().__init__(prog=prog, description=description)
        self._stderr = stderr

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        return self.parse_intermixed_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        self.print_usage(self._stderr)
        self._stderr.write(f"{self.prog}: error: {message}\n")
        raise ParserExit(USAGE_ERROR)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self._stderr.write(message)
        raise ParserExit(status)


def add_paths_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="corpus files or directories (default: the bundled sample corpus)",
    )


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None, metavar="PATH", help="reading-list file")


def corpus_paths(paths: Sequence[Path]) -> list[Path]:
    return list(paths) if paths else [sample_corpus_dir()]


def load_and_report(paths: Sequence[Path], err: TextIO) -> Corpus:
    """The corpus (cached) for ``paths``, every parse problem printed to ``err``."""
    corpus = load_corpus(corpus_paths(paths))
    for problem in corpus.problems:
        print(problem, file=err)
    return corpus


def input_failed(corpus: Corpus) -> bool:
    """True when a path or a line could not be used (warnings alone do not count)."""
    return any(problem.severity == "error" for problem in corpus.problems)


def read_annotations(db: Path | None, err: TextIO, command: str) -> dict[str, Annotation] | None:
    """Every annotation in the reading list, or None after saying on ``err`` why not."""
    from reader.storage.reading_list import ReadingList

    path = db or default_db_path()
    try:
        return ReadingList.open(path, read_only=True).all()
    except StoreError as error:
        print(f"reader {command}: {error}", file=err)
        hint = store_hint(path, error)
        if hint:
            print(hint, file=err)
        return None


def store_hint(path: Path, error: StoreError) -> str | None:
    """What the user can do about a reading list that could not be opened, if anything."""
    if isinstance(error, NewerSchemaError):
        # Never suggest `restore` here: it would replace newer data with an older backup.
        return "reader: the file was left untouched; open it with the newer reader that wrote it"
    from reader.storage.errors import CorruptStoreError

    if isinstance(error, CorruptStoreError):
        return (
            "reader: the file was left untouched; `reader restore --db "
            + str(path)
            + "` replaces it with the newest valid backup (the damaged file is kept beside it)"
        )
    return None


def printable(text: str) -> str:
    """Titles are data: keep escape sequences and control characters off the terminal."""
    return "".join(ch if ch.isprintable() else " " for ch in text)
