"""The scripting subcommands: ``search``, ``annotate`` and ``export``.

Each loads the corpus (cached) and the reading list exactly as the app does, so a script and
a window on the same database see the same papers, ids and ranking.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from reader.cli import printable
from reader.cli_parsing import ExitlessParser, ParserExit
from reader.model.paper import Paper
from reader.parsing.corpus import Corpus, load_corpus
from reader.paths import default_db_path, sample_corpus_dir
from reader.storage.errors import StoreError

EXIT_OK, EXIT_INPUT = 0, 1


def _load(paths: Sequence[Path], err: TextIO) -> Corpus:
    corpus = load_corpus(list(paths) or [sample_corpus_dir()])
    for problem in corpus.problems:
        print(problem, file=err)
    return corpus


def _annotations(db: Path | None, err: TextIO) -> dict | None:
    from reader.storage.errors import CorruptStoreError
    from reader.storage.reading_list import ReadingList

    path = db or default_db_path()
    try:
        return ReadingList.open(path, read_only=True).all()
    except StoreError as error:
        print(f"reader: {error}", file=err)
        if isinstance(error, CorruptStoreError):
            print(restore_hint(path), file=err)
        return None


def restore_hint(db: Path) -> str:
    """Only for a damaged file: a newer-schema one must be opened by a newer reader, never
    "restored" to an older backup."""
    return (
        f"reader: the file was left untouched; `reader restore --db {db}` replaces it with "
        "the newest valid backup (the damaged file is kept beside it)"
    )


# --------------------------------------------------------------------------- search


def run_search(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    from reader.search import SortKey
    from reader.search.cached import engine_for

    parser = ExitlessParser(prog="reader search", description="Search the corpus.", stderr=err)
    parser.add_argument("query", metavar="QUERY", help="e.g. 'author:vincent \"normalizing flow\"'")
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    parser.add_argument("--json", action="store_true", help="print JSON records")
    parser.add_argument("--limit", type=int, default=None, metavar="N")
    parser.add_argument(
        "--sort", choices=[key.value for key in SortKey], default=SortKey.RELEVANCE.value
    )
    parser.add_argument("--db", type=Path, default=None, metavar="PATH")
    args = parser.parse_args(list(argv))
    if args.limit is not None and args.limit < 0:
        parser.error("--limit must be zero or more")
    corpus = _load(args.paths, err)
    annotations = _annotations(args.db, err)
    if annotations is None:
        return EXIT_INPUT
    result = engine_for(corpus).search(
        args.query, annotations, SortKey(args.sort), limit=args.limit
    )
    if result.hint:
        print(f"reader search: {result.hint}", file=err)
    found = [corpus.papers[i] for i in result.indices][: args.limit]
    if args.json:
        json.dump([_search_json(p, annotations) for p in found], out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        for paper in found:
            out.write(f"{paper.id}  {printable(paper.display_title)}\n")
    return EXIT_OK


def _search_json(paper: Paper, annotations: dict) -> dict:
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


# --------------------------------------------------------------------------- annotate

_ANNOTATE_VALUE_OPTIONS = {"--tag", "--untag", "--note", "--status", "--db"}


def run_annotate(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    """``reader annotate ID... [PATH...]``: positional words naming existing files or
    directories are corpus paths, the rest are paper ids."""
    from reader.storage import cli_support

    ids: list[str] = []
    paths: list[Path] = []
    takes_value = False
    for word in argv:
        if not takes_value and not word.startswith("-") and Path(word).exists():
            paths.append(Path(word))
        else:
            ids.append(word)
        takes_value = word in _ANNOTATE_VALUE_OPTIONS
    corpus = _load(paths, err)
    code = cli_support.run_annotate(ids, stdout=out, stderr=err, papers_by_id=corpus.by_id)
    if code == EXIT_INPUT:
        db = Path(_db_argument(ids) or default_db_path())
        if _is_damaged(db):
            print(restore_hint(db), file=err)
    return code


def _is_damaged(db: Path) -> bool:
    from reader.storage.errors import CorruptStoreError
    from reader.storage.reading_list import ReadingList

    try:
        ReadingList.open(db, read_only=True)
    except CorruptStoreError:
        return True
    except StoreError:
        return False
    return False


def _db_argument(argv: Sequence[str]) -> str | None:
    for index, word in enumerate(argv):
        if word == "--db" and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith("--db="):
            return word.split("=", 1)[1]
    return None


# --------------------------------------------------------------------------- restore


def run_restore(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    from reader.storage.restore import RestorePlan, restore_newest_backup

    parser = ExitlessParser(
        prog="reader restore",
        description="Replace a damaged reading list with its newest valid backup.",
        stderr=err,
    )
    parser.add_argument("--db", type=Path, default=None, metavar="PATH")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace even a valid reading list (says what it replaces first)",
    )
    args = parser.parse_args(list(argv))
    path = args.db or default_db_path()

    def announce(plan: RestorePlan) -> None:
        out.write(f"reader restore: {plan.describe()}\n")
        out.flush()

    try:
        plan = restore_newest_backup(path, force=args.force, before_replacing=announce)
    except StoreError as error:
        print(f"reader restore: {error}", file=err)
        return EXIT_INPUT
    if plan is None:
        print(f"reader restore: no valid backup of {path} was found; nothing changed", file=err)
        return EXIT_INPUT
    kept = f"; the replaced file was kept as {plan.kept}" if plan.kept else ""
    out.write(f"restored {path} from {plan.backup.path}{kept}\n")
    return EXIT_OK


# --------------------------------------------------------------------------- export


def run_export(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    from reader.export.service import FORMATS, ExportError, ExportOptions, export
    from reader.search.cached import engine_for

    parser = ExitlessParser(
        prog="reader export", description="Export the reading list.", stderr=err
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    parser.add_argument("--format", choices=FORMATS, default="bibtex")
    parser.add_argument("--query", default=None, metavar="Q", help="narrow with a search")
    parser.add_argument("--all", action="store_true", help="export the whole corpus")
    parser.add_argument("--abstracts", action="store_true", help="Markdown: include abstracts")
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="FILE")
    parser.add_argument("--db", type=Path, default=None, metavar="PATH")
    args = parser.parse_args(list(argv))
    corpus = _load(args.paths, err)
    annotations = _annotations(args.db, err)
    if annotations is None:
        return EXIT_INPUT

    def matches(query: str) -> list[Paper]:
        result = engine_for(corpus).search(query, annotations)
        if result.hint:
            print(f"reader export: query: {result.hint}", file=err)
        return [corpus.papers[i] for i in result.indices]

    options = ExportOptions(
        fmt=args.format,
        query=args.query,
        everything=args.all,
        abstracts=args.abstracts,
        output=args.output,
    )
    try:
        outcome = export(corpus.papers, annotations, options, matches=matches)
    except ExportError as error:
        print(f"reader export: {error}", file=err)
        return EXIT_INPUT
    if args.output is None:
        out.write(outcome.text)
    print(outcome.summary(), file=err)
    return EXIT_OK


COMMANDS = {
    "search": run_search,
    "annotate": run_annotate,
    "export": run_export,
    "restore": run_restore,
}


def run(command: str, argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    try:
        return COMMANDS[command](argv, out, err)
    except ParserExit as done:
        return done.status
