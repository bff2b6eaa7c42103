"""``reader restore [--db PATH] [--force]``: put back the newest valid backup of a damaged
reading list.

A valid reading list is left alone (exit 1) unless ``--force`` is given, and then what will
be replaced (annotation counts and modification times of the file and the backup) is printed
before anything is written. A newer reader's file and a read-only file are never replaced
(see reader/storage/restore.py for the rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from reader.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    ExitlessParser,
    add_db_argument,
    db_path,
    printable,
    say,
)
from reader.storage.errors import StoreError


def build_parser(err: TextIO) -> ExitlessParser:
    parser = ExitlessParser(
        prog="reader restore",
        description="Replace a damaged reading list with its newest valid backup.",
        stderr=err,
    )
    add_db_argument(parser)
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace even a valid reading list (prints what it replaces first)",
    )
    return parser


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    from reader.storage.restore import RestorePlan, restore_newest_backup

    args = build_parser(err).parse_args(list(argv))
    path = db_path(args.db, err)

    def announce(plan: RestorePlan) -> None:
        out.write(printable(f"reader restore: {plan.describe()}") + "\n")
        out.flush()

    try:
        plan = restore_newest_backup(path, force=args.force, before_replacing=announce)
    except StoreError as error:
        say(err, f"reader restore: {error}")
        return EXIT_INPUT
    if plan is None:
        say(err, f"reader restore: no valid backup of {path} was found; nothing changed")
        return EXIT_INPUT
    kept = f"; the replaced file was kept as {plan.kept}" if plan.kept else ""
    out.write(printable(f"restored {path} from {plan.backup.path}{kept}") + "\n")
    return EXIT_OK
