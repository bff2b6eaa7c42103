"""``reader recommend [PATH...]``: the app's "For you" ranking, for scripts.

    reader recommend [PATH...] [--limit N] [--json] [--db PATH] [--tag T]

Learns from the reading list (stars and tags are positive, skips negative, reads weakly
positive; see reader/learning/labels.py) and lists the unread papers not yet starred or tagged,
best first, each with the terms that raised its score and the nearest paper it learned from.
``--tag T`` ranks for that tag's classifier instead (untagged papers most like the tagged ones).
Exit status 1, with a message saying what is needed, when there are too few labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

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
from reader.model import Paper, normalize_tags
from reader.model.sanitize import json_chunks

if TYPE_CHECKING:
    from reader.learning import Reasons

DEFAULT_LIMIT = 20


def build_parser(err: TextIO) -> ExitlessParser:
    parser = ExitlessParser(
        prog="reader recommend",
        description="Rank unread papers by what your stars, tags, reads and skips say.",
        stderr=err,
    )
    add_paths_argument(parser)
    parser.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, metavar="N", help="papers to list (20)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON records")
    parser.add_argument("--tag", default=None, metavar="T", help="rank for one tag's classifier")
    add_db_argument(parser)
    return parser


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    from reader.learning import NeedsLabels, Recommender, features_for

    parser = build_parser(err)
    args = parser.parse_args(list(argv))
    if args.limit < 0:
        parser.error("--limit must be zero or more")
    tag = None
    if args.tag is not None:
        tags = normalize_tags([args.tag])
        if len(tags) != 1:
            parser.error("--tag needs exactly one tag name")
        tag = tags[0]
    corpus = load_and_report(args.paths, err)
    if not corpus.papers:
        say(err, "reader recommend: no papers to rank: the corpus is empty")
        return EXIT_INPUT
    annotations = read_annotations(args.db, err, "recommend")
    if annotations is None:
        return EXIT_INPUT
    recommender = Recommender(features_for(corpus), corpus.papers)
    ranking = recommender.rank_for_you(annotations, tag=tag, limit=args.limit)
    if isinstance(ranking, NeedsLabels):
        hint = (
            f"tag papers with `reader annotate ID --tag {printable(tag)}`"
            if tag is not None
            else "star papers with `reader annotate ID --star`"
        )
        say(err, f"reader recommend: too few labels: {ranking.message}; {hint}")
        return EXIT_INPUT
    records = []
    for position in ranking.order:
        paper = corpus.papers[position]
        reasons = recommender.reasons(paper.id, ranking)
        records.append(_record(paper, float(ranking.scores[position]), reasons, corpus.by_id))
    if args.json:
        out.writelines(json_chunks(records))
        out.write("\n")
    else:
        for record in records:
            terms = ", ".join(printable(term) for term in record["reasons"]["terms"])
            line = f"{record['id']}  {record['score']:+.3f}  {printable(record['title'])}"
            out.write(line + (f"  ({terms})" if terms else "") + "\n")
    return EXIT_OK


def _record(
    paper: Paper, score: float, reasons: Reasons | None, by_id: Mapping[str, Paper]
) -> dict[str, Any]:
    nearest = None
    if reasons is not None and reasons.nearest is not None and reasons.nearest in by_id:
        nearest = {
            "id": reasons.nearest,
            "title": by_id[reasons.nearest].display_title,
            "similarity": round(reasons.nearest_similarity, 4),
        }
    terms = [term.term for term in reasons.terms] if reasons is not None else []
    return {
        "id": paper.id,
        "title": paper.display_title,
        "score": round(score, 4),
        "reasons": {"terms": terms, "nearest": nearest},
    }
