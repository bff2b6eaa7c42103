"""Three-way merge of two reading lists that grew apart from a common ancestor.

Used by ``reader merge-driver`` (git's merge driver) and, in-process, by ``reader sync``.
Everything here works on the parsed JSON tables (``schema.Tables``), except the fast
reading of three versions at the end (``read_ours``, ``read_like``, ``encode_like``), which
works on their bytes; nothing touches git.

Rules, per paper (annotations are matched by ``paper_id``, never by TinyDB document id:
document ids are allocated locally, so the same paper has different ids on two machines):

- A paper changed on one side only takes that side's document. A paper added on both sides
  is merged field by field against an empty annotation.
- A paper removed on one side (only undo of its creation removes one) stays removed if the
  other side left it alone; if the other side changed it, the change wins, so nothing a user
  did is dropped.
- ``starred``, ``status``, ``title``, ``first_author`` and unknown keys: when both sides
  changed the field, the later timestamp wins. The field's time is the document's ``updated``
  time (ISO 8601): the reading list keeps no per-field times, and both sides changing the
  same field of the same paper is rare, so the document's time is a fair proxy. Equal times
  are broken by comparing the values, so both machines pick the same winner.
- ``note``: as above, but the losing text is kept, appended to the winner under a line
  ``--- conflicting edit from <host>, <time>`` (host and time of the losing edit). A losing
  text already contained in the winner is not appended again, so merging the same conflict
  twice does not grow the note.
- ``tags``: a tag is kept when both sides have it or when one side added it (it was not in
  the ancestor); a tag one side removed and the other left in place is removed.
- ``updated`` is the later of the two, ``created`` the earlier.

``host`` (see schema.HOST_KEY) is an ordinary key for the merge: it follows the later edit.

Other tables (``meta``, saved searches, whatever a later version adds) merge the same way,
per document (matched by document id) and per key, with the document's ``updated`` key as
its time when it has one. Two documents added on both sides under the same id with different
contents are two different records (ids are allocated locally as "max + 1"), so the other
side's one is kept under a fresh id; ``meta`` is the exception: it holds one document, the
schema version, and merges key by key.

Inputs must already be valid reading lists (``check_tables``); the result is one as well.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reader.model.tags import normalize_tags
from reader.storage.schema import (
    ANNOTATIONS_TABLE,
    HOST_KEY,
    META_TABLE,
    NewerSchema,
    SchemaProblem,
    Tables,
    annotation_from_doc,
    empty_tables,
)
from reader.storage.schema import check_tables as schema_check

Document = dict[str, Any]

CONFLICT_MARK = "--- conflicting edit from"
UNKNOWN_HOST = "another machine"

# What a missing known field means (schema.py reads missing optional fields as these).
_DEFAULTS: dict[str, Any] = {"starred": False, "tags": [], "note": "", "status": "unread"}


class _Missing:
    """A key absent from a document (distinct from a JSON null)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


@dataclass(slots=True)
class MergeStats:
    """What a merge did: documents taken from the other side, and both-sides conflicts."""

    from_theirs: int = 0
    conflicts: int = 0
    note_conflicts: int = 0
    kept_both: int = 0
    hosts: dict[str, int] = field(default_factory=dict)


def check_tables(data: Any, *, like: Tables | None = None) -> Tables:
    """``data`` if it is a reading list this version can merge; SchemaProblem / NewerSchema
    (from schema.py) otherwise.

    ``like``: a reading list already checked. Its annotations that ``data`` holds unchanged
    (equal, under the same document id) are not checked again: the three versions a merge
    reads share almost all their documents, and checking 10^5 of them three times over
    would be most of a merge's time.
    """
    if like is None:
        schema_check(data)
        return data  # type: ignore[no-any-return]
    if not isinstance(data, dict):
        raise SchemaProblem(f"expected a JSON object of tables, found {type(data).__name__}")
    annotations = data.get(ANNOTATIONS_TABLE, {})
    rest = {name: table for name, table in data.items() if name != ANNOTATIONS_TABLE}
    if not isinstance(annotations, dict):
        schema_check(data)  # raises with the right message
    known = like.get(ANNOTATIONS_TABLE, {})
    get = known.get
    # "is" first: read_like shares OURS's document objects, and == on a dict has no
    # identity shortcut of its own (it compares every field).
    fresh = {k: doc for k, doc in annotations.items() if (o := get(k)) is not doc and o != doc}
    schema_check({**rest, ANNOTATIONS_TABLE: fresh})
    if fresh and len({doc["paper_id"] for doc in annotations.values()}) != len(annotations):
        schema_check(data)  # two documents for one paper: let it say which
    return data


def merge_tables(base: Tables | None, ours: Tables, theirs: Tables) -> tuple[Tables, MergeStats]:
    """The three-way merge of ``ours`` and ``theirs`` (``base`` None: no common ancestor).

    The inputs are not modified; documents that are taken unchanged are shared with them.
    """
    base = base if base is not None else empty_tables()
    stats = MergeStats()
    result: Tables = {}
    names = list(ours) + [name for name in theirs if name not in ours]
    for name in names:
        b, o, t = base.get(name, {}), ours.get(name, {}), theirs.get(name, {})
        if name == ANNOTATIONS_TABLE:
            result[name] = _merge_annotations(b, o, t, stats)
        else:
            result[name] = _merge_generic_table(name, b, o, t, stats)
    return result, stats


# -- annotations -------------------------------------------------------------------------


class _PaperIndex:
    """A table's documents by paper id, answering from the document id first.

    Versions of one reading list mostly keep each paper under the same document id, so a
    lookup tries "the document with the id the other side uses" and builds the full index
    (a pass over 10^5 documents) only when that guess fails.
    """

    def __init__(self, table: dict[str, Document]) -> None:
        self.table = table
        self._index: dict[str, tuple[str, Document]] | None = None

    def find(self, paper_id: str, hint: str) -> tuple[str, Document] | None:
        doc = self.table.get(hint)
        if doc is not None and doc["paper_id"] == paper_id:
            return hint, doc
        if self._index is None:
            self._index = {d["paper_id"]: (i, d) for i, d in self.table.items()}
        return self._index.get(paper_id)

    def papers(self) -> set[str]:
        if self._index is None:
            self._index = {d["paper_id"]: (i, d) for i, d in self.table.items()}
        return set(self._index)


def _merge_annotations(
    base: dict[str, Document],
    ours: dict[str, Document],
    theirs: dict[str, Document],
    stats: MergeStats,
) -> dict[str, Document]:
    if theirs == base:  # the common case when only this machine changed things
        return ours
    b_index, o_index, t_index = _PaperIndex(base), _PaperIndex(ours), _PaperIndex(theirs)
    result = dict(ours)
    ids = _IdAllocator(result)
    for t_id, t_doc in theirs.items():
        same_id = ours.get(t_id)
        if same_id is t_doc or same_id == t_doc:  # "is": see check_tables
            continue  # the same paper, the same document on both sides: most of them
        paper_id = t_doc["paper_id"]
        b_entry = b_index.find(paper_id, t_id)
        b_doc = b_entry[1] if b_entry else None
        o_entry = o_index.find(paper_id, t_id)
        if o_entry is None:
            if b_doc is None or t_doc != b_doc:
                # Added there, or changed there while removed here: the change wins.
                result[ids.take(t_id)] = t_doc
                _count_theirs(stats, t_doc)
            continue
        o_id, o_doc = o_entry
        if t_doc in (o_doc, b_doc):
            continue
        if o_doc == b_doc:
            result[o_id] = t_doc
            _count_theirs(stats, t_doc)
        else:
            result[o_id] = _merge_annotation(b_doc, o_doc, t_doc, stats)
            _count_theirs(stats, t_doc)
    # Papers the other side removed (only undo of an annotation's creation removes one).
    t_papers: set[str] | None = None
    for b_id, b_doc in base.items():
        same_id = theirs.get(b_id)
        if same_id is not None and same_id["paper_id"] == b_doc["paper_id"]:
            continue  # still there (the common case, answered without an index)
        if t_papers is None:
            t_papers = t_index.papers()
        paper_id = b_doc["paper_id"]
        if paper_id in t_papers:
            continue
        o_entry = o_index.find(paper_id, b_id)
        if o_entry is not None and o_entry[1] == b_doc:
            # Removed there, untouched here: remove here too.
            del result[o_entry[0]]
            stats.from_theirs += 1
    return result


def _count_theirs(stats: MergeStats, doc: Document) -> None:
    stats.from_theirs += 1
    host = doc.get(HOST_KEY)
    if isinstance(host, str) and host:
        stats.hosts[host] = stats.hosts.get(host, 0) + 1


def _merge_annotation(
    base: Document | None, ours: Document, theirs: Document, stats: MergeStats
) -> Document:
    base = base or {"paper_id": ours["paper_id"]}
    o_time, t_time = _moment(ours.get("updated")), _moment(theirs.get("updated"))
    merged: Document = {}
    keys = list(ours) + [key for key in theirs if key not in ours]
    keys += [key for key in base if key not in keys]
    conflicted = False
    for key in keys:
        if key == "paper_id":
            merged[key] = ours[key]
            continue
        if key == "updated":
            merged[key] = max(ours.get(key, ""), theirs.get(key, ""), key=_moment_key)
            continue
        if key == "created":
            found = [v for v in (ours.get(key, ""), theirs.get(key, "")) if v]
            merged[key] = min(found, key=_moment_key) if found else ""
            continue
        default = _DEFAULTS.get(key, MISSING)
        b, o, t = base.get(key, default), ours.get(key, default), theirs.get(key, default)
        value: Any
        if key == "tags":
            value = _merge_tags(b, o, t)
        elif o == t or t == b:
            value = o
        elif o == b:
            value = t
        else:
            conflicted = True
            ours_wins = _later(o_time, o, t_time, t)
            if key == "note":
                stats.note_conflicts += 1
                winner, loser = (ours, theirs) if ours_wins else (theirs, ours)
                value = merge_note_texts(
                    winner.get("note", ""),
                    loser.get("note", ""),
                    host=loser.get(HOST_KEY),
                    time=loser.get("updated", ""),
                )
            else:
                value = o if ours_wins else t
        if value is not MISSING:
            merged[key] = value
    if conflicted:
        stats.conflicts += 1
    # A document we built ourselves: check it as loading would, so the merged file is a
    # valid reading list without re-reading all of it.
    annotation_from_doc(merged, doc_id="(merged)")
    return merged


def _merge_tags(base: Any, ours: Any, theirs: Any) -> list[str]:
    b, o, t = (set(normalize_tags(tags)) for tags in (base, ours, theirs))
    # Kept on both sides, or added by either; a removal on one side stands when the other
    # side still has the tag only because it never touched it (it was in the ancestor).
    return sorted((o & t) | (o - b) | (t - b))


def merge_note_texts(winner: str, loser: str, *, host: Any, time: Any) -> str:
    """The winning note with the losing one appended under a conflict line (no text lost)."""
    if not loser.strip() or loser in winner:
        return winner
    where = _printable(host) if isinstance(host, str) and _printable(host) else UNKNOWN_HOST
    when = _printable(time) if isinstance(time, str) and time else "an unknown time"
    header = f"{CONFLICT_MARK} {where}, {when}"
    return f"{winner}\n\n{header}\n{loser}" if winner else f"{header}\n{loser}"


def _printable(text: str) -> str:
    """Host names and times go on one line of a note: no control or format characters."""
    kept = (ch for ch in text if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    return "".join(kept).strip()[:200]


# -- other tables --------------------------------------------------------------------------


def _merge_generic_table(
    name: str,
    base: dict[str, Document],
    ours: dict[str, Document],
    theirs: dict[str, Document],
    stats: MergeStats,
) -> dict[str, Document]:
    if theirs == base:
        return ours
    result = dict(ours)
    ids = _IdAllocator(result)
    for doc_id, t_doc in theirs.items():
        b_doc, o_doc = base.get(doc_id), ours.get(doc_id)
        if o_doc is None:
            if b_doc is None or t_doc != b_doc:
                result[ids.take(doc_id)] = t_doc
                _count_theirs(stats, t_doc)
            continue
        if t_doc in (o_doc, b_doc):
            continue
        _count_theirs(stats, t_doc)
        if o_doc == b_doc:
            result[doc_id] = t_doc
        elif b_doc is None and name != META_TABLE:
            result[ids.take(doc_id)] = t_doc  # two different records that got the same id
            stats.kept_both += 1
        else:
            result[doc_id] = _merge_generic_document(b_doc or {}, o_doc, t_doc, stats)
    for doc_id, b_doc in base.items():
        if doc_id not in theirs and ours.get(doc_id) == b_doc:
            del result[doc_id]
    return result


def _merge_generic_document(
    base: Document, ours: Document, theirs: Document, stats: MergeStats
) -> Document:
    o_time, t_time = _moment(ours.get("updated")), _moment(theirs.get("updated"))
    merged: Document = {}
    conflicted = False
    keys = list(ours) + [key for key in theirs if key not in ours]
    keys += [key for key in base if key not in keys]
    for key in keys:
        b, o, t = base.get(key, MISSING), ours.get(key, MISSING), theirs.get(key, MISSING)
        if o == t or t == b:
            value = o
        elif o == b:
            value = t
        else:
            conflicted = True
            value = o if _later(o_time, o, t_time, t) else t
        if value is not MISSING:
            merged[key] = value
    if conflicted:
        stats.conflicts += 1
    return merged


# -- helpers --------------------------------------------------------------------------------


class _IdAllocator:
    """Document ids for documents coming from the other side: theirs when free, else new.

    ``table`` is the result being built (its keys are the ids in use); the highest id is
    found only when a fresh one is first needed.
    """

    def __init__(self, table: dict[str, Document]) -> None:
        self._table = table
        self._next: int | None = None

    def take(self, wanted: str) -> str:
        if wanted not in self._table:
            if self._next is not None:
                self._next = max(self._next, int(wanted) + 1)
            return wanted
        if self._next is None:
            self._next = max((int(key) for key in self._table), default=0) + 1
        key = str(self._next)
        self._next += 1
        return key


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _moment_key(value: Any) -> tuple[int, Any]:
    """Sort key for timestamps: parsable ones by instant, after unparsable or empty ones."""
    moment = _moment(value)
    if moment is None:
        return (0, value if isinstance(value, str) else "")
    return (1, moment)


def _later(o_time: datetime | None, o_value: Any, t_time: datetime | None, t_value: Any) -> bool:
    """True when our edit wins: the later time, else (same or unknown times) a fixed order
    of the values, so the machine merging either way round picks the same winner."""
    if o_time is not None and t_time is not None and o_time != t_time:
        return o_time > t_time
    if (o_time is None) != (t_time is None):
        return o_time is not None
    return _canonical(o_value) >= _canonical(t_value)


def _canonical(value: Any) -> str:
    if value is MISSING:
        return ""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def encode_tables(tables: Tables) -> bytes:
    """The file's bytes, in the same compact form the reading list's own writer uses."""
    return json.dumps(tables, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_tables(content: bytes, *, empty_ok: bool = False, like: Tables | None = None) -> Tables:
    """Parse and check a reading list file's bytes; ValueError (with a readable message)
    when they are not one. ``empty_ok``: zero bytes mean "no ancestor" (git's add/add).
    ``like``: see ``check_tables``."""
    if not content.strip():
        if empty_ok:
            return empty_tables()
        raise ValueError("the file is empty; expected a JSON reading list")
    try:
        data = json.loads(content)
    except UnicodeDecodeError as error:
        raise ValueError(f"not valid UTF-8 text (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise ValueError(
            f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise ValueError("not a reading list: JSON nested too deeply to read") from None
    return _checked(data, like=like)


def _checked(data: Any, *, like: Tables | None) -> Tables:
    try:
        return check_tables(data, like=like)
    except SchemaProblem as problem:
        raise ValueError(f"not a valid reading list: {problem}") from None
    except NewerSchema as newer:
        raise ValueError(
            f"written by a newer version of reader (schema {newer.found}); upgrade reader"
        ) from None


# -- reading three versions that share most of their bytes ----------------------------------
#
# The three files a merge reads are versions of one reading list: all but a few thousand of
# their 10^5 annotations are byte for byte the same in all three. Parsing the whole of THEIRS
# and BASE (0.4 s each at 10^5 annotations) is most of a merge's time, so they are split into
# one byte slice per annotation instead, and only the slices that differ from OURS are parsed.
#
# Why the split is sound (everything not matching falls back to a full parse):
# - Our writers (json_file_storage._serialise, encode_tables) write a table as
#   '{"<id>":{...},"<id>":{...}}' with no spaces, so the boundary between two documents is the
#   bytes '},"<digits>":{'. Inside a JSON string every '"' is written '\"', so '},"' followed
#   by a digit is never inside a string: the '}' always closes an object. It closes a
#   document unless a document holds a nested object (an unknown key written by hand or by a
#   newer reader), which can make a false boundary.
# - Each slice is accepted only if it is a complete JSON object: either it parses on its own,
#   or it is byte-identical to a slice of OURS that is known to be exactly one of OURS's
#   documents. The first slice starts right after the top-level '"annotations":{' (checked by
#   parsing everything before it), so by induction every accepted slice is exactly one
#   document of the annotations table: a false boundary inside a nested object would cut a
#   slice that opens more braces than it closes, which neither parses nor equals a document.
# - OURS is parsed and checked in full. Its slices are trusted only when OURS is exactly what
#   encode_tables writes for its parsed content, with the annotations table last, and the
#   split found exactly the parsed table's document ids: a boundary can then be missed only
#   before an id of non-ASCII digits (which loses that id) and a false one only adds an id.
# - The output reuses OURS's slices for the documents the merge took unchanged from OURS
#   (the same objects), so it is byte for byte what encode_tables would write.

_FIRST_KEY = re.compile(rb'"(\d+)":\{')
_BOUNDARY = re.compile(rb'\},"(\d+)":\{')
_ANNOTATIONS_START = b',"' + ANNOTATIONS_TABLE.encode("ascii") + b'":{'


@dataclass(slots=True)
class ParsedList:
    """A reading list file checked in full (``tables``), with its documents' bytes.

    ``fragments``: per annotation id, the bytes '"<id>":{...}' of that document in the
    file, or None when the file is not in our writer's exact form (then the other
    versions are parsed in full, and the output is encoded in full).
    """

    tables: Tables
    fragments: dict[str, bytes] | None


def _split_annotations(
    content: bytes, start: int | None = None
) -> tuple[bytes, dict[str, bytes]] | None:
    """Everything before the annotations table (closed with '}', to be parsed), and the
    table's candidate document slices '"<id>":{...}' (unchecked); None when the file does
    not look like our writer's output with the annotations table last. ``start``: where
    ',"annotations":{' is known to be, else its first occurrence."""
    if start is None:
        start = content.find(_ANNOTATIONS_START)
    if (
        start < 0
        or not content.startswith(_ANNOTATIONS_START, start)
        or not content.startswith(b"{")
        or not content.endswith(b"}}")
    ):
        return None
    head = content[:start] + b"}"
    body, end = start + len(_ANNOTATIONS_START), len(content) - 2
    fragments: dict[str, bytes] = {}
    if body == end:
        return head, fragments
    first = _FIRST_KEY.match(content, body, end)
    if first is None:
        return None
    key, begin = first.group(1).decode("ascii"), body
    for match in _BOUNDARY.finditer(content, first.end() - 1, end):
        if key in fragments:
            return None  # a repeated id: json.loads keeps the last one; leave it to it
        fragments[key] = content[begin : match.start() + 1]
        key, begin = match.group(1).decode("ascii"), match.start() + 2
    if key in fragments:
        return None
    fragments[key] = content[begin:end]
    return head, fragments


def read_ours(content: bytes) -> ParsedList:
    """OURS, parsed and checked in full (ValueError as ``decode_tables``), with its document
    slices when they can be trusted (see above)."""
    tables = decode_tables(content)
    return ParsedList(tables, _trusted_fragments(tables, content))


def _trusted_fragments(tables: Tables, content: bytes) -> dict[str, bytes] | None:
    """OURS's document slices, when ``content`` is exactly encode_tables(tables) with the
    annotations table last (so the slices' end is the table's end) and the split found
    exactly the table's document ids: a missed boundary (only possible for an id that is
    not ASCII digits) would lose an id, a false one (inside a nested object) add one."""
    annotations = tables.get(ANNOTATIONS_TABLE)
    if annotations is None or len(tables) < 2 or list(tables)[-1] != ANNOTATIONS_TABLE:
        return None
    rest = {name: table for name, table in tables.items() if name != ANNOTATIONS_TABLE}
    try:
        if encode_tables(tables) != content:
            return None
        start = len(encode_tables(rest)) - 1  # where ',"annotations":{' is
    except UnicodeEncodeError:  # a lone surrogate (an '\ud800' escape): not our form
        return None
    split = _split_annotations(content, start)
    if split is None or split[1].keys() != annotations.keys():
        return None
    return split[1]


def read_like(content: bytes, ours: ParsedList, *, empty_ok: bool = False) -> Tables:
    """Exactly ``decode_tables(content, empty_ok=empty_ok, like=ours.tables)`` (same result,
    same ValueError), parsing only the annotations whose bytes differ from OURS's; documents
    equal to OURS's are OURS's own objects."""

    def slow() -> Tables:
        return decode_tables(content, empty_ok=empty_ok, like=ours.tables)

    known = ours.fragments
    split = _split_annotations(content) if known is not None else None
    if known is None or split is None:
        return slow()
    head, fragments = split
    # json.loads(bytes) guesses the encoding from the first bytes and decodes with
    # "surrogatepass"; the full parse would have read these bytes as UTF-8 (the file starts
    # with '{"'), so decode them exactly so: a slice must not be read as UTF-16.
    try:
        data = json.loads(head.decode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError):
        return slow()
    if type(data) is not dict or not data or ANNOTATIONS_TABLE in data:
        return slow()  # not data: '{,"annotations":' is not JSON
    ours_docs = ours.tables[ANNOTATIONS_TABLE]
    table: dict[str, Document] = {}
    for key, fragment in fragments.items():
        if known.get(key) == fragment:
            table[key] = ours_docs[key]
            continue
        try:
            table[key] = json.loads(fragment[len(key) + 3 :].decode("utf-8", "surrogatepass"))
        except (ValueError, RecursionError):
            return slow()  # not one whole document: let the full parse say what is wrong
    data[ANNOTATIONS_TABLE] = table
    return _checked(data, like=ours.tables)


def encode_like(tables: Tables, ours: ParsedList) -> bytes:
    """Exactly ``encode_tables(tables)``, reusing OURS's bytes for the annotations that are
    OURS's own document objects under the same id (most of a merge's result)."""
    known = ours.fragments
    if known is None:
        return encode_tables(tables)
    ours_docs = ours.tables.get(ANNOTATIONS_TABLE, {})
    parts: list[bytes] = []
    for name, table in tables.items():
        if name != ANNOTATIONS_TABLE:
            parts.append(encode_tables({name: table})[1:-1])
            continue
        get = ours_docs.get
        pieces = [
            known[key] if get(key) is doc else _encode_document(key, doc)
            for key, doc in table.items()
        ]
        parts.append(_json_key(name) + b":{" + b",".join(pieces) + b"}")
    return b"{" + b",".join(parts) + b"}"


def _json_key(name: str) -> bytes:
    return json.dumps(name, ensure_ascii=False).encode("utf-8")


def _encode_document(key: str, document: Document) -> bytes:
    """'"<id>":{...}' as encode_tables writes it inside a table."""
    encoded = json.dumps({key: document}, ensure_ascii=False, separators=(",", ":"))
    return encoded[1:-1].encode("utf-8")
