"""``reader export``: the reading list (or a query, or everything) as BibTeX or Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from reader.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    ExitlessParser,
    add_db_argument,
    add_paths_argument,
    load_and_report,
    read_annotations,
    say,
    script_settings,
)
from reader.model import Paper


def build_parser(err: TextIO) -> ExitlessParser:
    from reader.export.service import FORMATS

    parser = ExitlessParser(
        prog="reader export", description="Export the reading list.", stderr=err
    )
    add_paths_argument(parser)
    parser.add_argument("--format", choices=FORMATS, default="bibtex")
    parser.add_argument("--query", default=None, metavar="Q", help="narrow with a search")
    parser.add_argument("--all", action="store_true", help="export the whole corpus")
    parser.add_argument("--abstracts", action="store_true", help="Markdown: include abstracts")
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="FILE")
    add_db_argument(parser)
    return parser


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    from reader.export.links import web_search_for
    from reader.export.service import ExportError
    from reader.search.cached import engine_for
    from reader.service.exporting import ExportRequest, run_export
    from reader.service.scopes import Scope

    args = build_parser(err).parse_args(list(argv))
    corpus = load_and_report(args.paths, err)
    annotations = read_annotations(args.db, err, "export")
    if annotations is None:
        return EXIT_INPUT

    def matches(query: str) -> list[Paper]:
        result = engine_for(corpus).search(query, annotations)
        if result.hint:
            say(err, f"reader export: query: {result.hint}")
        return [corpus.papers[i] for i in result.indices]

    scope = Scope("all" if args.all else "reading-list", query=args.query)
    web_search = web_search_for(script_settings(err).open_url)
    request = ExportRequest(
        scope, args.format, args.output, abstracts=args.abstracts, web_search=web_search
    )
    try:
        outcome = run_export(
            request, papers=corpus.papers, annotations=annotations, matches=matches
        )
    except ExportError as error:
        say(err, f"reader export: {error}")
        return EXIT_INPUT
    if args.output is None:
        out.write(outcome.text)
    say(err, outcome.summary())
    return EXIT_OK
