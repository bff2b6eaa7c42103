"""``reader search QUERY [PATH...]``: the app's search, ranking and filters, for scripts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from reader.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    ExitlessParser,
    add_db_argument,
    add_paths_argument,
    load_and_report,
    printable,
    read_annotations,
    say,
)
from reader.model import Annotation, Paper
from reader.model.sanitize import json_chunks


def build_parser(err: TextIO) -> ExitlessParser:
    from reader.search import SortKey

    parser = ExitlessParser(prog="reader search", description="Search the corpus.", stderr=err)
    parser.add_argument("query", metavar="QUERY", help="e.g. 'author:vincent \"normalizing flow\"'")
    add_paths_argument(parser)
    parser.add_argument("--json", action="store_true", help="print JSON records")
    parser.add_argument("--limit", type=int, default=None, metavar="N")
    parser.add_argument(
        "--sort",
        choices=[key.value for key in SortKey if key is not SortKey.FOR_YOU],
        default=SortKey.RELEVANCE.value,
    )
    add_db_argument(parser)
    return parser


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    from reader.search import SortKey
    from reader.search.cached import engine_for

    parser = build_parser(err)
    args = parser.parse_args(list(argv))
    if args.limit is not None and args.limit < 0:
        parser.error("--limit must be zero or more")
    corpus = load_and_report(args.paths, err)
    annotations = read_annotations(args.db, err, "search")
    if annotations is None:
        return EXIT_INPUT
    result = engine_for(corpus).search(
        args.query, annotations, SortKey(args.sort), limit=args.limit
    )
    if result.hint:
        say(err, f"reader search: {result.hint}")
    found = [corpus.papers[i] for i in result.indices][: args.limit]
    if args.json:
        records = [search_json(p, annotations) for p in found]
        out.writelines(json_chunks(records))
        out.write("\n")
    else:
        for paper in found:
            out.write(f"{paper.id}  {printable(paper.display_title)}\n")
    return EXIT_OK


def search_json(paper: Paper, annotations: dict[str, Annotation]) -> dict[str, Any]:
    record = paper.to_json()
    note = annotations.get(paper.id)
    if note is not None:
        record["annotation"] = {
            "starred": note.starred,
            "tags": list(note.tags),
            "note": note.note,
            "status": note.status,
        }
    return record
