"""Command line: ``reader [PATH...]`` starts the app; subcommands script the same data.

    reader [PATH...] [--db PATH] [--theme NAME] [--auto-read]
    reader parse PATH... [--json]
    reader search QUERY [--json] [--limit N] [--sort KEY] [--db PATH] [PATH...]
    reader annotate ID... [--star|--unstar] [--tag T]... [--untag T]... [--note TEXT]
                          [--status read|unread|skipped] [--db PATH] [PATH...]
    reader export --format bibtex|markdown [--query Q] [--all] [--abstracts] [-o FILE]
                  [--db PATH] [PATH...]
    reader restore [--db PATH]

A file literally named like a subcommand can be opened as ``./parse``. Exit codes: 0 success,
1 when some input could not be used (the rest is still processed), 2 for usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from reader.parsing.corpus import Corpus, load_corpus
from reader.paths import default_db_path, sample_corpus_dir

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2
SUBCOMMANDS = ("parse", "search", "annotate", "export", "restore")


def _corpus_paths(paths: Sequence[Path]) -> list[Path]:
    return list(paths) if paths else [sample_corpus_dir()]


def _common(parser: argparse.ArgumentParser, *, db: bool = True) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="corpus files or directories (default: the bundled sample corpus)",
    )
    if db:
        parser.add_argument(
            "--db",
            type=Path,
            default=None,
            help=f"reading-list file (default: {default_db_path()})",
        )


def build_app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader",
        description="Triage paper abstracts from the keyboard. "
        f"Subcommands: {', '.join(SUBCOMMANDS)} (reader SUBCOMMAND --help).",
    )
    _common(parser)
    parser.add_argument("--theme", help="theme name, e.g. reader-dark or reader-light")
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="open the reading list without changing it",
    )
    parser.add_argument(
        "--auto-read",
        action="store_true",
        help="mark a paper read after staying on it for a moment",
    )
    return parser


def build_parse_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader parse", description="Parse listings and print the records."
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument("--json", action="store_true", help="print a JSON array of records")
    return parser


def run_parse(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    corpus = load_corpus(args.paths)
    for problem in corpus.problems:
        print(problem, file=err)
    if args.json:
        json.dump([p.to_json() for p in corpus.papers], out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        out.write(parse_summary(corpus))
    return EXIT_INPUT if input_failed(corpus) else EXIT_OK


def input_failed(corpus: Corpus) -> bool:
    """True when a path or a line could not be used (warnings alone do not count)."""
    return any(problem.severity == "error" for problem in corpus.problems)


def printable(text: str) -> str:
    """Titles are data: keep escape sequences and control characters off the terminal."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def parse_summary(corpus: Corpus) -> str:
    lines = []
    for parsed in corpus.files:
        errors = sum(p.severity == "error" for p in parsed.problems)
        warnings = len(parsed.problems) - errors
        lines.append(
            f"{parsed.path}: {parsed.format or 'unreadable'}, {parsed.records} records, "
            f"{errors} errors, {warnings} warnings"
        )
    groups = [p for p in corpus.papers if len(p.sources) > 1]
    near = [p for p in corpus.papers if p.possible_duplicates]
    lines.append(
        f"total: {len(corpus.files)} files, {corpus.record_count} records, "
        f"{len(corpus.papers)} unique papers, {len(corpus.problems)} problems"
    )
    lines.append(f"duplicate groups merged: {len(groups)}")
    for paper in groups:
        where = ", ".join(str(s) for s in paper.sources)
        lines.append(f"  {printable(paper.display_title[:70])} ({where})")
    lines.append(f"possible duplicates (not merged): {len(near)} papers")
    for paper in near:
        others = "; ".join(corpus.by_id[i].display_title[:40] for i in paper.possible_duplicates)
        lines.append(f"  {printable(paper.display_title[:50])} ~ {printable(others)}")
    return "\n".join(lines) + "\n"


def run_app(args: argparse.Namespace) -> int:
    from reader.ui.app import ReaderApp

    app = ReaderApp(
        _corpus_paths(args.paths),
        args.db or default_db_path(),
        theme=args.theme,
        auto_read=args.auto_read,
        read_only=args.read_only,
    )
    app.run()
    return app.return_code or EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        # Exports and JSON are UTF-8 whatever the locale says, as the README promises.
        for stream in (sys.stdout, sys.stderr):
            if hasattr(stream, "reconfigure") and stream.encoding.lower() != "utf-8":
                stream.reconfigure(encoding="utf-8")
    out, err = sys.stdout, sys.stderr
    try:
        if argv and argv[0] == "parse":
            return run_parse(build_parse_parser().parse_args(argv[1:]), out, err)
        if argv and argv[0] in SUBCOMMANDS:
            from reader import cli_commands

            return cli_commands.run(argv[0], argv[1:], out, err)
        return run_app(build_app_parser().parse_args(argv))
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2)
        return int(exit_.code or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `reader parse ... | head` closed the pipe: not our error
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
