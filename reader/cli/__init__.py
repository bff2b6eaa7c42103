"""Command line: ``reader [PATH...]`` starts the app; subcommands script the same data.

    reader [PATH...] [--db PATH] [--theme NAME] [--auto-read] [--read-only]
    reader parse PATH... [--json]
    reader search QUERY [PATH...] [--json] [--limit N] [--sort KEY] [--db PATH]
    reader annotate ID... [--star|--unstar] [--tag T]... [--untag T]... [--note TEXT]
                          [--status read|unread|skipped] [--db PATH] [PATH...]
    reader export --format bibtex|markdown [--query Q] [--all] [--abstracts] [-o FILE]
                  [--db PATH] [PATH...]
    reader restore [--db PATH] [--force]
    reader config --show [--config PATH]
    reader sync [--init] [--remote URL] [--db PATH]
    reader merge-driver BASE OURS THEIRS     (git runs it; see reader sync)
    reader recommend [PATH...] [--limit N] [--json] [--db PATH] [--tag T]
    reader similar ID [PATH...] [--limit N] [--json]

One module per subcommand, each with ``run(argv, out, err) -> int``; this package's
``main`` only dispatches. A file literally named like a subcommand can be opened as
``./parse``. Exit codes: 0 success, 1 when some input could not be used (the rest is still
processed), 2 for usage errors.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import TextIO

from reader.cli.common import USAGE_ERROR, ParserExit, command_scope

# Subcommand name -> module under reader.cli (imported only when used: start-up stays fast).
SUBCOMMANDS: dict[str, str] = {
    "parse": "parse",
    "search": "search",
    "annotate": "annotate",
    "export": "export",
    "restore": "restore",
    "config": "config",
    "sync": "sync",
    "merge-driver": "merge_driver",
    "recommend": "recommend",
    "similar": "similar",
}


def run_subcommand(name: str, argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    module = importlib.import_module(f"reader.cli.{SUBCOMMANDS[name]}")
    try:
        with command_scope():
            status: int = module.run(list(argv), out, err)
    except ParserExit as done:
        return done.status
    return status


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        # Exports and JSON are UTF-8 whatever the locale says, as the README promises.
        for stream in (sys.stdout, sys.stderr):
            if hasattr(stream, "reconfigure") and stream.encoding.lower() != "utf-8":
                stream.reconfigure(encoding="utf-8")
    out, err = sys.stdout, sys.stderr
    try:
        if argv and argv[0] in SUBCOMMANDS:
            return run_subcommand(argv[0], argv[1:], out, err)
        from reader.cli import app

        return app.run(argv, out, err)
    except ParserExit as done:
        return done.status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `reader parse ... | head` closed the pipe: not our error
        return 0


__all__ = ["SUBCOMMANDS", "USAGE_ERROR", "main", "run_subcommand"]
