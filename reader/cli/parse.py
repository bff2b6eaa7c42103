"""``reader parse PATH... [--json]``: parse listings and print the records or a summary."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from reader.cli.common import EXIT_INPUT, EXIT_OK, ExitlessParser, input_failed, printable
from reader.model.sanitize import json_chunks
from reader.parsing.corpus import Corpus, load_corpus


def build_parser(err: TextIO) -> ExitlessParser:
    parser = ExitlessParser(
        prog="reader parse", description="Parse listings and print the records.", stderr=err
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument("--json", action="store_true", help="print a JSON array of records")
    return parser


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    args = build_parser(err).parse_args(list(argv))
    corpus = load_corpus(args.paths)
    for problem in corpus.problems:
        print(printable(str(problem)), file=err)
    if args.json:
        records = [p.to_json() for p in corpus.papers]
        out.writelines(json_chunks(records))
        out.write("\n")
    else:
        out.write(parse_summary(corpus))
    return EXIT_INPUT if input_failed(corpus) else EXIT_OK


def parse_summary(corpus: Corpus) -> str:
    lines = []
    for parsed in corpus.files:
        errors = sum(p.severity == "error" for p in parsed.problems)
        warnings = len(parsed.problems) - errors
        lines.append(
            f"{printable(str(parsed.path))}: {parsed.format or 'unreadable'}, "
            f"{parsed.records} records, {errors} errors, {warnings} warnings"
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
        lines.append(f"  {printable(paper.display_title[:70])} ({printable(where)})")
    lines.append(f"possible duplicates (not merged): {len(near)} papers")
    for paper in near:
        others = "; ".join(corpus.by_id[i].display_title[:40] for i in paper.possible_duplicates)
        lines.append(f"  {printable(paper.display_title[:50])} ~ {printable(others)}")
    return "\n".join(lines) + "\n"
