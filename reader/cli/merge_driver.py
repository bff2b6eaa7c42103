"""``reader merge-driver BASE OURS THEIRS``: git's merge driver for the reading list.

Registered by ``reader sync --init`` as ``merge.reader.driver`` (``%O %A %B``). Exit 0:
merged, the result written over OURS (atomically). Exit 1: one of the files is not a valid
reading list; OURS is untouched and git reports a conflict. Exit 2: usage error.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from reader.cli.common import EXIT_INPUT, EXIT_OK, ExitlessParser, say


def build_parser(err: TextIO) -> ExitlessParser:
    parser = ExitlessParser(
        prog="reader merge-driver",
        description="Three-way merge of reading lists, per paper and per field (for git).",
        stderr=err,
    )
    parser.add_argument("base", type=Path, metavar="BASE", help="common ancestor (git's %%O)")
    parser.add_argument("ours", type=Path, metavar="OURS", help="our version, overwritten (%%A)")
    parser.add_argument("theirs", type=Path, metavar="THEIRS", help="their version (%%B)")
    return parser


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    from reader.sync.driver import DriverError, merge_files

    args = build_parser(err).parse_args(list(argv))
    try:
        result = merge_files(args.base, args.ours, args.theirs)
    except DriverError as error:
        say(err, f"reader merge-driver: {error}; not merged")
        return EXIT_INPUT
    if result.stats.note_conflicts:
        say(
            err,
            f"reader merge-driver: {result.stats.note_conflicts} note(s) edited on both sides; "
            "both texts kept",
        )
    del out
    return EXIT_OK
