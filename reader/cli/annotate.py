"""``reader annotate``: change the reading list from scripts, beside a running app.

    reader annotate ID... [--star | --unstar] [--tag T]... [--untag T]... [--note TEXT]
                          [--status read|unread|skipped] [--db PATH]

Exit status: 0 once every change is durable on disk, 1 for store problems and unknown ids
(message on stderr), 2 for usage errors. All the requested changes (star, tags, untags,
note, status) are one ``Edit``: saved together in one atomic write, or not at all, and
undone together.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from reader.cli.common import (
    USAGE_ERROR,
    ExitlessParser,
    ParserExit,
    load_and_report,
    printable,
    say,
    store_hint,
)
from reader.cli.common import db_path as common_db_path
from reader.model.annotation import STATUSES
from reader.model.paper import Paper
from reader.model.tags import normalize_tags
from reader.storage.errors import StoreError
from reader.storage.reading_list import Edit, ReadingList, Target

STORE_ERROR = 1


def add_annotate_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``reader annotate``'s arguments to ``parser`` (a subcommand parser)."""
    parser.add_argument("ids", nargs="+", metavar="ID", help="paper ids to annotate")
    star = parser.add_mutually_exclusive_group()
    star.add_argument("--star", action="store_true", help="star the papers")
    star.add_argument("--unstar", action="store_true", help="remove the star")
    parser.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="add a tag (repeatable)"
    )
    parser.add_argument(
        "--untag", action="append", default=[], metavar="TAG", help="remove a tag (repeatable)"
    )
    parser.add_argument("--note", metavar="TEXT", help="replace the note ('' clears it)")
    parser.add_argument("--status", choices=STATUSES, help="set the read status")
    parser.add_argument("--db", type=Path, metavar="PATH", help="reading list file")


def annotate(
    args: argparse.Namespace,
    *,
    stdout: TextIO,
    stderr: TextIO,
    papers_by_id: Mapping[str, Paper] | None = None,
    default_db: Path | None = None,
) -> int:
    """Apply the parsed ``reader annotate`` arguments; returns the exit status.

    ``papers_by_id`` (the loaded corpus) lets papers not yet in the reading list be
    annotated and supplies their title and first author.
    """
    usage_problem = _usage_problem(args)
    if usage_problem:
        stderr.write(f"reader annotate: {printable(usage_problem)}\n")
        return USAGE_ERROR
    db_path = args.db or default_db or common_db_path(None, stderr)
    papers = papers_by_id or {}
    try:
        reading_list = ReadingList.open(db_path)
        targets: list[Target] = [papers.get(pid) or pid for pid in dict.fromkeys(args.ids)]
        unknown = [t for t in targets if isinstance(t, str) and t not in reading_list]
        if unknown:
            noun = "paper id" if len(unknown) == 1 else "paper ids"
            stderr.write(
                f"reader annotate: unknown {noun}: {', '.join(map(printable, unknown))} "
                f"(not in the corpus or the reading list {db_path}); nothing changed\n"
            )
            return STORE_ERROR
        done = reading_list.apply(targets, edit_from_arguments(args))
    except StoreError as error:
        say(stderr, f"reader annotate: {error}; nothing changed")
        return STORE_ERROR
    stdout.write(("\n".join(map(printable, done)) if done else "nothing to change") + "\n")
    return 0


def run_annotate(
    argv: Sequence[str],
    *,
    stdout: TextIO,
    stderr: TextIO,
    papers_by_id: Mapping[str, Paper] | None = None,
    default_db: Path | None = None,
) -> int:
    """Parse ``argv`` (the words after ``annotate``) and apply them; returns the exit status."""
    parser = ExitlessParser(prog="reader annotate", stderr=stderr)
    add_annotate_arguments(parser)
    try:
        args = parser.parse_args(list(argv))
    except ParserExit as done:
        return done.status
    return annotate(
        args, stdout=stdout, stderr=stderr, papers_by_id=papers_by_id, default_db=default_db
    )


def _usage_problem(args: argparse.Namespace) -> str | None:
    if args.star and args.unstar:
        return "--star and --unstar cannot be combined"
    for option in ("tag", "untag"):
        if any(not normalize_tags([raw]) for raw in getattr(args, option)):
            return f"--{option} needs a tag name (it was empty after removing commas/quotes)"
    overlap = set(normalize_tags(args.tag)) & set(normalize_tags(args.untag))
    if overlap:
        return f"cannot both add and remove the tag(s): {', '.join(sorted(overlap))}"
    requested = (args.star, args.unstar, args.tag, args.untag, args.note, args.status)
    if not any(value or value == "" for value in requested):
        return "nothing to do: give --star, --unstar, --tag, --untag, --note or --status"
    return None


def edit_from_arguments(args: argparse.Namespace) -> Edit:
    """Everything one ``reader annotate`` asks for, as one change."""
    return Edit.of(
        starred=True if args.star else False if args.unstar else None,
        add_tags=args.tag,
        remove_tags=args.untag,
        note=args.note,
        status=args.status,
    )


# Options that take a value: the word after them is never a corpus path.
_VALUE_OPTIONS = {"--tag", "--untag", "--note", "--status", "--db"}


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """``reader annotate ID... [PATH...]``: positional words naming existing files or
    directories are corpus paths, the rest are paper ids (and options)."""
    words: list[str] = []
    paths: list[Path] = []
    takes_value = False
    for word in argv:
        if not takes_value and not word.startswith("-") and Path(word).exists():
            paths.append(Path(word))
        else:
            words.append(word)
        takes_value = word in _VALUE_OPTIONS
    corpus = load_and_report(paths, err)
    code = run_annotate(words, stdout=out, stderr=err, papers_by_id=corpus.by_id)
    if code == STORE_ERROR:
        _print_store_hint(words, err)
    return code


def _print_store_hint(words: Sequence[str], err: TextIO) -> None:
    given = _db_argument(words)
    db = Path(given) if given else common_db_path(None, err)
    try:
        ReadingList.open(db, read_only=True)
    except StoreError as error:
        hint = store_hint(db, error)
        if hint:
            say(err, hint)


def _db_argument(words: Sequence[str]) -> str | None:
    for index, word in enumerate(words):
        if word == "--db" and index + 1 < len(words):
            return words[index + 1]
        if word.startswith("--db="):
            return word.split("=", 1)[1]
    return None
