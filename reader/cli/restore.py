"""``reader restore [--db PATH]``: put back the newest valid backup of a damaged reading list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from reader.cli.common import EXIT_INPUT, EXIT_OK, ExitlessParser, add_db_argument
from reader.paths import default_db_path
from reader.storage.errors import StoreError


def build_parser(err: TextIO) -> ExitlessParser:
    parser = ExitlessParser(
        prog="reader restore",
        description="Replace a damaged reading list with its newest valid backup.",
        stderr=err,
    )
    add_db_argument(parser)
    return parser


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    from reader.storage.reading_list import restore_newest_backup

    args = build_parser(err).parse_args(list(argv))
    path = args.db or default_db_path()
    try:
        backup = restore_newest_backup(path)
    except StoreError as error:
        print(f"reader restore: {error}", file=err)
        return EXIT_INPUT
    if backup is None:
        print(f"reader restore: no valid backup of {path} was found", file=err)
        return EXIT_INPUT
    out.write(f"restored {path} from {backup}\n")
    return EXIT_OK
