"""What every subcommand shares: an argparse that reports to given streams, exit codes, the
corpus and reading-list loading that scripts do exactly as the app does, and safe printing.

The subcommands run inside ``main`` (and in tests) with their own output streams, so a usage
error must be written there and become an exit status, not a process exit.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Final, NoReturn, TextIO

from reader.config import Settings, load_settings
from reader.model import Annotation
from reader.model.sanitize import safe_line
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


# The settings one command has read: a command asks for them in several places (corpus,
# reading list, web search), but the file is read, and its problems printed, once.
# ``command_scope`` starts each command without any; outside a command scope (a direct call
# from a test, say) nothing is kept, so a later call never sees stale settings.
_NOT_IN_A_COMMAND: Final = Settings()
_command_settings: ContextVar[Settings | None] = ContextVar(
    "command_settings", default=_NOT_IN_A_COMMAND
)


@contextmanager
def command_scope() -> Iterator[None]:
    """One subcommand's run: config.toml is read at most once inside it, on first need."""
    token = _command_settings.set(None)
    try:
        yield
    finally:
        _command_settings.reset(token)


def script_settings(err: TextIO) -> Settings:
    """The user's config.toml as scripts use it (default corpus and reading list, the web
    search for Markdown links). Problems are printed; an error ends the command with exit 2
    rather than guessing, e.g. writing to another reading list than the one configured."""
    cached = _command_settings.get()
    if cached is not None and cached is not _NOT_IN_A_COMMAND:
        return cached
    settings, problems = load_settings()
    for problem in problems:
        say(err, str(problem))
    if any(problem.severity == "error" for problem in problems):
        raise ParserExit(USAGE_ERROR)
    if cached is None:  # inside a command: keep them for its other questions
        _command_settings.set(settings)
    return settings


def db_path(db: Path | None, err: TextIO) -> Path:
    """``--db``, else the configured reading list, else the default one."""
    return db or script_settings(err).reading_list or default_db_path()


def load_and_report(paths: Sequence[Path], err: TextIO) -> Corpus:
    """The corpus (cached) for ``paths``, every parse problem printed to ``err``."""
    corpus = load_corpus(corpus_paths(paths or script_settings(err).corpus_paths))
    for problem in corpus.problems:
        print(printable(str(problem)), file=err)
    return corpus


def input_failed(corpus: Corpus) -> bool:
    """True when a path or a line could not be used (warnings alone do not count)."""
    return any(problem.severity == "error" for problem in corpus.problems)


def read_annotations(db: Path | None, err: TextIO, command: str) -> dict[str, Annotation] | None:
    """Every annotation in the reading list, or None after saying on ``err`` why not."""
    from reader.storage.reading_list import ReadingList

    path = db_path(db, err)
    try:
        return ReadingList.open(path, read_only=True).all()
    except StoreError as error:
        say(err, f"reader {command}: {error}")
        hint = store_hint(path, error)
        if hint:
            say(err, hint)
        return None


def store_hint(path: Path, error: StoreError) -> str | None:
    """What the user can do about a reading list that could not be opened, if anything."""
    if isinstance(error, NewerSchemaError):
        # Never suggest `restore` here: it would replace newer data with an older backup.
        return "reader: the file was left untouched; open it with the newer reader that wrote it"
    from reader.storage.errors import CorruptStoreError

    if isinstance(error, CorruptStoreError):
        from reader.storage.permissions import why_not_writable

        if why_not_writable(path) is not None:
            # restore refuses a read-only file too: say what has to happen first.
            return "reader: the file was left untouched; it is read-only, so it cannot be restored"
        return (
            "reader: the file was left untouched; `reader restore --db "
            + str(path)
            + "` replaces it with the newest valid backup (the damaged file is kept beside it)"
        )
    return None


def printable(text: str) -> str:
    """Titles are data: escape sequences, control and bidi characters stay off the terminal.

    One line: line breaks and tabs become spaces. The rule is ``reader.model.sanitize``'s,
    the same as the exports' and the app's.
    """
    return safe_line(text)


def say(err: TextIO, message: str) -> None:
    """One message on ``err``, terminal-safe: it may quote paths, queries and file content."""
    print(printable(message), file=err)
