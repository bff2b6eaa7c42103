"""``reader [PATH...]``: start the app, after checking there is something sensible to start.

The checks happen before any UI starts: a typo'd subcommand or only missing paths would
otherwise open an empty app, and with no terminal Textual would spin on a dead input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from reader.cli.common import (
    EXIT_OK,
    USAGE_ERROR,
    ExitlessParser,
    add_db_argument,
    add_paths_argument,
    corpus_paths,
    say,
)
from reader.config import ConfigProblem, Settings, load_settings


def build_parser(err: TextIO) -> ExitlessParser:
    from reader.cli import SUBCOMMANDS

    parser = ExitlessParser(
        prog="reader",
        description="Triage paper abstracts from the keyboard. "
        f"Subcommands: {', '.join(SUBCOMMANDS)} (reader SUBCOMMAND --help).",
        stderr=err,
    )
    add_paths_argument(parser)
    add_db_argument(parser)
    parser.add_argument("--theme", help="theme name, e.g. reader-dark or reader-light")
    parser.add_argument("--config", type=Path, default=None, metavar="PATH", help="config file")
    parser.add_argument(
        "--read-only", action="store_true", help="open the reading list without changing it"
    )
    parser.add_argument(
        "--auto-read",
        action="store_true",
        default=None,
        help="mark a paper read after you stay on it for a moment",
    )
    return parser


def usage_problem(paths: Sequence[Path]) -> str | None:
    """Why these positional words cannot start the app, or None."""
    from reader.cli import SUBCOMMANDS

    missing = [path for path in paths if not path.exists()]
    for path in missing:
        word = str(path)
        if os.sep not in word and "." not in word:
            return (
                f"unknown subcommand or missing path {word!r} "
                f"(subcommands: {', '.join(SUBCOMMANDS)})"
            )
    if paths and len(missing) == len(paths):
        return "no such file or directory: " + ", ".join(str(path) for path in missing)
    return None


def has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    args = build_parser(err).parse_args(list(argv))
    settings = effective_settings(args, err)
    if settings is None:
        return USAGE_ERROR
    paths = list(args.paths) or list(settings.corpus_paths)
    problem = usage_problem(paths)
    if problem:
        say(err, f"reader: {problem}")
        return USAGE_ERROR
    if not has_terminal():
        print("reader needs a terminal; use reader parse/search/export in scripts", file=err)
        return USAGE_ERROR
    from reader.paths import default_db_path
    from reader.ui.app import ReaderApp

    app = ReaderApp(
        corpus_paths(paths),
        settings.reading_list or default_db_path(),
        settings=settings,
        read_only=args.read_only,
    )
    app.run()
    return app.return_code or EXIT_OK


def effective_settings(args: argparse.Namespace, err: TextIO) -> Settings | None:
    """Flags over config over defaults; None (after saying why on ``err``) when the config
    file has errors: starting with a setting silently ignored would surprise more."""
    settings, problems = load_settings(args.config)
    problems += keymap_problems(settings)
    for problem in problems:
        say(err, str(problem))
    if any(problem.severity == "error" for problem in problems):
        return None
    flags = {"theme": args.theme, "auto_read": args.auto_read, "reading_list": args.db}
    return settings.with_flags(flags)


def keymap_problems(settings: Settings) -> list[ConfigProblem]:
    """Keymap entries naming no action (a warning: a newer reader may know them)."""
    from reader.ui.actions import BY_ID

    problems = []
    for action_id in settings.keymap:
        if action_id in BY_ID:
            continue
        path, _, line = settings.source(f"keymap.{action_id}").rpartition(":")
        message = (
            f"keymap: unknown action id {json.dumps(action_id, ensure_ascii=True)} ignored "
            "(`reader config --show` lists them)"
        )
        problems.append(
            ConfigProblem(Path(path), int(line) if line.isdigit() else 0, message, "warning")
        )
    return problems
