"""The reading list's file layout (TinyDB JSON), and checking a loaded file against it.

Layout, schema 1 (a normal TinyDB file; tables are objects keyed by decimal document ids)::

    {"meta":        {"1": {"schema": 1}},
     "annotations": {"1": {"paper_id": "3f2a9c0d41be", "starred": true, "tags": ["ml"],
                           "note": "", "status": "unread", "title": "...",
                           "first_author": "...", "created": "2026-...", "updated": "..."}}}

TinyDB document ids are ints, so the paper id lives inside the document and the reading
list keeps an in-memory index paper id -> document id. Keys of a document we do not know
are kept (in ``Annotation.extra``) and written back, so a newer minor addition survives
a round trip through this version. Other tables are left untouched.

Optional key ``host`` (``HOST_KEY``), written by ``reader sync``: the name of the machine
whose sync last committed a change to this annotation. It is not a field of ``Annotation``
(so it is kept, like any unknown key, in ``extra`` and written back unchanged by local
edits); ``reader sync`` sets it on every annotation it commits as changed, so it names the
machine that made the latest change, and the merge uses it to say whose conflicting note
edit it kept (``--- conflicting edit from <host>, <time>``). Per annotation rather than
per commit because git's merge driver sees only file contents, never commits.

Missing optional fields take their defaults; fields of the wrong type make the whole file
"corrupt": guessing could silently lose a user's notes, and backups exist to recover from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn, cast

from reader.model.annotation import STATUSES, Annotation
from reader.model.tags import normalize_tags

SCHEMA_VERSION = 1
META_TABLE = "meta"
ANNOTATIONS_TABLE = "annotations"
HOST_KEY = "host"
KNOWN_FIELDS = frozenset(
    {"paper_id", "starred", "tags", "note", "status", "title", "first_author", "created", "updated"}
)

Tables = dict[str, dict[str, dict[str, Any]]]


class SchemaProblem(ValueError):
    """The data does not have the reading list's shape; the message says where and how."""


class NewerSchema(ValueError):
    def __init__(self, found: int) -> None:
        self.found = found
        super().__init__(f"schema {found}")


def empty_tables() -> Tables:
    return {META_TABLE: {"1": {"schema": SCHEMA_VERSION}}, ANNOTATIONS_TABLE: {}}


@dataclass(slots=True)
class Snapshot:
    """What a valid file holds: annotations by paper id, and each one's TinyDB document id."""

    annotations: dict[str, Annotation]
    doc_ids: dict[str, int]


def read_snapshot(data: Any) -> Snapshot:
    """The annotations in ``data``; SchemaProblem / NewerSchema unless it is a usable file."""
    if not isinstance(data, dict):
        raise SchemaProblem(f"expected a JSON object of tables, found {_json_kind(data)}")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise SchemaProblem(f"table {name!r} should be an object, found {_json_kind(table)}")
        if name != ANNOTATIONS_TABLE:  # checked below, in the same pass that reads them
            for doc_id, doc in table.items():
                _check_document(name, doc_id, doc)
    _check_schema_version(data)
    snapshot = Snapshot({}, {})
    # Tag lists repeat across documents, and normalising is the slow part of loading.
    tag_cache: dict[tuple[str, ...], tuple[str, ...]] = {}
    for doc_id, doc in data.get(ANNOTATIONS_TABLE, {}).items():
        _check_document(ANNOTATIONS_TABLE, doc_id, doc)
        annotation = annotation_from_doc(doc, doc_id=doc_id, tag_cache=tag_cache)
        if annotation.paper_id in snapshot.doc_ids:
            raise SchemaProblem(
                f"annotations {snapshot.doc_ids[annotation.paper_id]} and {doc_id} are both "
                f"for paper {annotation.paper_id!r}"
            )
        snapshot.annotations[annotation.paper_id] = annotation
        snapshot.doc_ids[annotation.paper_id] = int(doc_id)
    return snapshot


def check_tables(data: Any) -> None:
    """Check ``data`` exactly as ``read_snapshot`` does (same SchemaProblem / NewerSchema),
    without building Annotation objects: merging reading lists (reader sync) checks whole
    files of 10^5 documents and needs only the verdict."""
    if not isinstance(data, dict):
        raise SchemaProblem(f"expected a JSON object of tables, found {_json_kind(data)}")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise SchemaProblem(f"table {name!r} should be an object, found {_json_kind(table)}")
        if name != ANNOTATIONS_TABLE:
            for doc_id, doc in table.items():
                _check_document(name, doc_id, doc)
    _check_schema_version(data)
    papers: dict[str, str] = {}
    tag_lists: set[tuple[Any, ...]] = set()
    for doc_id, doc in data.get(ANNOTATIONS_TABLE, {}).items():
        _check_document(ANNOTATIONS_TABLE, doc_id, doc)
        if not _document_ok(doc):
            annotation_from_doc(doc, doc_id=doc_id)  # raises, saying what is wrong
        tags = tuple(doc.get("tags", ()))
        try:
            known = tags in tag_lists
        except TypeError:  # a list or object among the tags: not hashable, not a tag
            known = False
        if not known:
            if not all(type(tag) is str for tag in tags):
                raise SchemaProblem(f"annotation {doc_id}: 'tags' should be a list of strings")
            tag_lists.add(tags)
        paper_id = doc["paper_id"]
        if paper_id in papers:
            raise SchemaProblem(
                f"annotations {papers[paper_id]} and {doc_id} are both for paper {paper_id!r}"
            )
        papers[paper_id] = doc_id


def _document_ok(doc: dict[str, Any]) -> bool:
    """The fields' types and the status, in one cheap combined check (tags' items aside)."""
    get = doc.get
    paper_id, title, first_author = get("paper_id"), get("title"), get("first_author")
    return (
        type(paper_id) is str
        and bool(paper_id)
        and type(get("starred", False)) is bool
        and type(get("tags", [])) is list
        and type(get("note", "")) is str
        and get("status", "unread") in STATUSES
        and (title is None or type(title) is str)
        and (first_author is None or type(first_author) is str)
        and type(get("created", "")) is str
        and type(get("updated", "")) is str
    )


def _check_document(table: str, doc_id: str, doc: Any) -> None:
    if not doc_id.isdigit():
        raise SchemaProblem(f"table {table!r}: document id {doc_id!r} is not a number")
    if type(doc) is not dict:
        raise SchemaProblem(
            f"table {table!r}, document {doc_id}: expected an object, found {_json_kind(doc)}"
        )


def _check_schema_version(data: dict[str, Any]) -> None:
    meta = data.get(META_TABLE)
    if not meta:
        raise SchemaProblem("no 'meta' table with a schema version: not a reader reading list")
    versions = [doc.get("schema") for doc in meta.values() if "schema" in doc]
    if len(versions) != 1:
        raise SchemaProblem("the 'meta' table should hold exactly one schema version")
    version = versions[0]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SchemaProblem(f"schema version {version!r} is not a positive whole number")
    if version > SCHEMA_VERSION:
        raise NewerSchema(version)


def annotation_from_doc(
    doc: dict[str, Any],
    *,
    doc_id: str = "?",
    tag_cache: dict[tuple[str, ...], tuple[str, ...]] | None = None,
) -> Annotation:
    """The Annotation a stored document describes; SchemaProblem when a field is wrong.

    Written for speed (10^5 documents load in well under a second): one cheap combined type
    check, and only a failing document is examined field by field for the message.
    """
    get = doc.get
    paper_id, starred, tags = get("paper_id"), get("starred", False), get("tags", [])
    note, status = get("note", ""), get("status", "unread")
    title, first_author = get("title"), get("first_author")
    created, updated = get("created", ""), get("updated", "")
    if not _document_ok(doc):
        _explain_bad_document(doc, f"annotation {doc_id}")
    paper_id = cast(str, paper_id)  # _document_ok checked it
    cache = tag_cache if tag_cache is not None else {}
    key = tuple(tags)
    try:
        clean_tags = cache.get(key)
    except TypeError:  # a list or object among the tags (unhashable): reported just below
        clean_tags = None
    if clean_tags is None:
        if not all(type(tag) is str for tag in tags):
            raise SchemaProblem(f"annotation {doc_id}: 'tags' should be a list of strings")
        clean_tags = cache[key] = tuple(sorted(normalize_tags(tags)))
    extra = (
        {}
        if KNOWN_FIELDS.issuperset(doc)
        else {k: v for k, v in doc.items() if k not in KNOWN_FIELDS}
    )
    return Annotation(
        paper_id=paper_id,
        starred=starred,
        tags=clean_tags,
        note=note,
        status=status,
        title=title,
        first_author=first_author,
        created=created,
        updated=updated,
        extra=extra,
    )


_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "starred": (bool,),
    "tags": (list,),
    "note": (str,),
    "status": (str,),
    "title": (str, type(None)),
    "first_author": (str, type(None)),
    "created": (str,),
    "updated": (str,),
}


def _explain_bad_document(doc: dict[str, Any], where: str) -> NoReturn:
    paper_id = doc.get("paper_id")
    if not isinstance(paper_id, str) or not paper_id:
        raise SchemaProblem(f"{where}: missing or empty 'paper_id'")
    for name, kinds in _FIELD_TYPES.items():
        if name in doc and type(doc[name]) not in kinds:
            raise SchemaProblem(f"{where}: {name!r} has the wrong type ({_json_kind(doc[name])})")
    status = doc.get("status")
    raise SchemaProblem(f"{where}: unknown status {status!r} (expected {', '.join(STATUSES)})")


def doc_from_annotation(annotation: Annotation) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "paper_id": annotation.paper_id,
        "starred": annotation.starred,
        "tags": list(annotation.tags),
        "note": annotation.note,
        "status": annotation.status,
        "title": annotation.title,
        "first_author": annotation.first_author,
        "created": annotation.created,
        "updated": annotation.updated,
    }
    for key, value in annotation.extra.items():
        doc.setdefault(key, value)
    return doc


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else type(value).__name__
