"""``reader sync [--init] [--remote URL] [--db PATH]``: share the reading list through git.

Exit status: 0 when the local and the remote reading list agree; 1 when they do not
(offline, no remote, the remote kept moving, a problem the message names), with local
changes committed either way when they could be; 2 for usage errors.
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


def build_parser(err: TextIO) -> ExitlessParser:
    parser = ExitlessParser(
        prog="reader sync",
        description="Commit the reading list's changes, merge the remote's, and push "
        "(git is the engine; see README, 'Several machines').",
        stderr=err,
    )
    parser.add_argument(
        "--init",
        action="store_true",
        help="make the reading list's folder a git repository (or use the one it is in) "
        "and register the merge driver, then sync",
    )
    parser.add_argument("--remote", metavar="URL", help="set the remote (git's 'origin') to URL")
    add_db_argument(parser)
    return parser


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    from reader.sync import SyncError, init_sync, sync_reading_list

    args = build_parser(err).parse_args(list(argv))
    path = db_path(args.db, err)  # --db, else config.toml's reading list, else the default
    try:
        if args.init:
            out.write(printable(init_sync(path, remote=args.remote).summary()) + "\n")
        report = sync_reading_list(path, remote=None if args.init else args.remote)
    except SyncError as error:
        say(err, f"reader sync: {error}")
        return EXIT_INPUT
    if report.commit_message:
        out.write(f"committed: {printable(report.commit_message)}\n")
    if report.incoming_description:
        out.write(f"merged in: {printable(report.incoming_description)}\n")
    if report.in_sync:
        out.write(printable(report.summary()) + "\n")
        return EXIT_OK
    say(err, f"reader sync: {report.summary()}")
    return EXIT_INPUT
