"""``reader similar ID [PATH...]``: more like this, the app's ``m``, for scripts.

    reader similar ID [PATH...] [--limit N] [--json]

Lists the papers nearest to paper ``ID`` by cosine similarity of their TF-IDF features (title,
authors, category, organisations, abstract), most similar first. Exit status 1 for an id that
is not in the corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from reader.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    ExitlessParser,
    add_paths_argument,
    load_and_report,
    printable,
    say,
)
from reader.model.sanitize import json_chunks

DEFAULT_LIMIT = 10


def build_parser(err: TextIO) -> ExitlessParser:
    parser = ExitlessParser(
        prog="reader similar", description="List the papers most like one paper.", stderr=err
    )
    parser.add_argument("id", metavar="ID", help="a paper id, as printed by reader search")
    add_paths_argument(parser)
    parser.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, metavar="N", help="papers to list (10)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON records")
    return parser


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    from reader.learning import Recommender, UnknownPaper, features_for

    parser = build_parser(err)
    args = parser.parse_args(list(argv))
    paper_id: str = args.id
    if args.limit < 0:
        parser.error("--limit must be zero or more")
    corpus = load_and_report(args.paths, err)
    if paper_id not in corpus.by_id:
        where = "the corpus is empty" if not corpus.papers else "it is not in the corpus"
        say(err, f"reader similar: unknown paper id {printable(paper_id)!r}: {where}")
        return EXIT_INPUT
    recommender = Recommender(features_for(corpus), corpus.papers)
    try:
        neighbours = recommender.similar(paper_id, args.limit)
    except UnknownPaper:  # the corpus and its features disagree: never expected
        say(err, f"reader similar: unknown paper id {printable(paper_id)!r}")
        return EXIT_INPUT
    records = [
        {
            "id": n.id,
            "title": corpus.papers[n.position].display_title,
            "score": round(n.similarity, 4),
        }
        for n in neighbours
    ]
    if args.json:
        out.writelines(json_chunks(records))
        out.write("\n")
    else:
        for n in neighbours:
            title = printable(corpus.papers[n.position].display_title)
            out.write(f"{n.id}  {n.similarity:.3f}  {title}\n")
    return EXIT_OK
