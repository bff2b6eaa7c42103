"""The merge driver's fast path (merge.read_ours / read_like / encode_like): it splits files
into per-document byte slices and parses only what differs from OURS. Whatever the input,
it must write exactly what the full parse would, and refuse exactly what it refuses."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.storage.schema import empty_tables
from reader.sync.driver import DriverError, merge_files
from reader.sync.merge import (
    decode_tables,
    encode_like,
    encode_tables,
    merge_tables,
    read_like,
    read_ours,
)

# Text that looks like our writer's document boundary, or breaks naive scanning.
HOSTILE = st.sampled_from(
    [
        "}",
        "{",
        '"',
        "\\",
        '},"5":{',
        '"},"5":{"',
        '\\"},"2":{"paper_id":"p1"}',
        '}},"annotations":{',
        "%s",
        "$",
        "~",
        "\0",
        "\x1b[31m",
        "[bold]",
        "\u202e",
        "\u2028",
        "é",
        "🙂",
        "x" * 2000,
    ]
)
TEXT = st.lists(st.one_of(HOSTILE, st.text(max_size=6)), max_size=4).map("".join)
EXTRA = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | TEXT,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["5", "2", "a", '},"3":{', "paper_id"]), inner, max_size=3
        )
    ),
    max_leaves=8,
)
TIMES = st.sampled_from(
    ["2026-01-01T00:00:00+00:00", "2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"]
)
PAPERS = [f"p{i}" for i in range(5)]


@st.composite
def annotation(draw: st.DrawFn, paper_id: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "paper_id": paper_id,
        "starred": draw(st.booleans()),
        "tags": draw(st.lists(TEXT.filter(str.strip), max_size=3)),
        "note": draw(TEXT),
        "status": draw(st.sampled_from(["unread", "read", "skipped"])),
        "title": draw(st.none() | TEXT),
        "first_author": None,
        "created": "2026-01-01T00:00:00+00:00",
        "updated": draw(TIMES),
    }
    if draw(st.booleans()):
        doc["host"] = draw(TEXT)
    if draw(st.integers(0, 3)) == 0:
        doc["extra"] = draw(EXTRA)  # an unknown key, maybe nested objects (a newer reader)
    return doc


@st.composite
def version_of(draw: st.DrawFn, base: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A descendant of ``base``'s annotations: kept, edited, removed, added documents."""
    result: dict[str, dict[str, Any]] = {}
    for key, doc in base.items():
        action = draw(st.sampled_from(["keep", "keep", "keep", "edit", "remove"]))
        if action == "keep":
            result[key] = doc
        elif action == "edit":
            result[key] = draw(annotation(doc["paper_id"]))
    taken = {doc["paper_id"] for doc in result.values()}
    for paper_id in draw(st.lists(st.sampled_from(PAPERS), unique=True, max_size=2)):
        if paper_id not in taken:
            result[str(max(map(int, result), default=0) + 1)] = draw(annotation(paper_id))
    return result


def encoded(draw: st.DrawFn, annotations: dict[str, dict[str, Any]]) -> bytes:
    """A reading list file around ``annotations``: mostly our writer's exact form, sometimes
    another table, another order, or another (valid) JSON layout."""
    tables: dict[str, Any] = empty_tables()
    tables["annotations"] = annotations
    extra_table = draw(st.sampled_from([None, "before", "after"]))
    if extra_table is not None:
        searches = {"1": {"query": draw(TEXT), "updated": draw(TIMES)}}
        if extra_table == "before":
            tables = {"meta": tables["meta"], "searches": searches, "annotations": annotations}
        else:
            tables["searches"] = searches
    layout = draw(st.sampled_from(["ours", "ours", "ours", "spaced", "ascii"]))
    if layout == "spaced":
        return json.dumps(tables, ensure_ascii=False).encode("utf-8")
    if layout == "ascii":
        return json.dumps(tables, separators=(",", ":")).encode("utf-8")
    return encode_tables(tables)


@st.composite
def three_files(draw: st.DrawFn) -> tuple[bytes, bytes, bytes]:
    base_papers = draw(st.lists(st.sampled_from(PAPERS), unique=True, max_size=4))
    base = {str(i + 1): draw(annotation(p)) for i, p in enumerate(base_papers)}
    ours, theirs = draw(version_of(base)), draw(version_of(base))
    return encoded(draw, base), encoded(draw, ours), encoded(draw, theirs)


def slow_merge(base: bytes, ours: bytes, theirs: bytes) -> bytes:
    """What the driver wrote before the fast path: full parses, then one json.dumps."""
    o = decode_tables(ours)
    t = decode_tables(theirs, like=o)
    b = decode_tables(base, empty_ok=True, like=o)
    merged, _ = merge_tables(b, o, t)
    return encode_tables(merged)


def run_driver(base: bytes, ours: bytes, theirs: bytes) -> tuple[bytes | None, bytes]:
    """(None when the driver refused, else what it left in OURS, re-read from disk)."""
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder, name) for name in ("base", "ours", "theirs")]
        for path, content in zip(paths, (base, ours, theirs), strict=True):
            path.write_bytes(content)
        try:
            merge_files(*paths)
        except DriverError:
            return None, paths[1].read_bytes()
        return paths[1].read_bytes(), paths[1].read_bytes()


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(files=three_files())
def test_driver_writes_exactly_what_the_full_parse_writes(
    files: tuple[bytes, bytes, bytes],
) -> None:
    base, ours, theirs = files
    expected = slow_merge(base, ours, theirs)
    written, _ = run_driver(base, ours, theirs)
    assert written == expected


@SETTINGS
@given(files=three_files(), cut=st.integers(0, 10**6), byte=st.binary(min_size=1, max_size=3))
def test_a_damaged_file_is_refused_exactly_when_the_full_parse_refuses_it(
    files: tuple[bytes, bytes, bytes], cut: int, byte: bytes
) -> None:
    base, ours, theirs = files
    position = cut % (len(theirs) + 1)
    damaged = theirs[:position] + byte + theirs[position + len(byte) :]
    try:
        expected: bytes | None = slow_merge(base, ours, damaged)
    except ValueError:
        expected = None
    written, left = run_driver(base, ours, damaged)
    assert written == expected
    if expected is None:
        assert left == ours  # refused: OURS untouched


@SETTINGS
@given(files=three_files())
def test_read_like_gives_the_full_parse_and_shares_ours_documents(
    files: tuple[bytes, bytes, bytes],
) -> None:
    base, ours, theirs = files
    parsed = read_ours(ours)
    assert encode_tables(parsed.tables) == encode_tables(decode_tables(ours))
    for content in (base, theirs):
        fast = read_like(content, parsed, empty_ok=True)
        slow = decode_tables(content, empty_ok=True, like=parsed.tables)
        assert fast == slow and list(fast) == list(slow)
        assert encode_tables(fast) == encode_tables(slow)  # same types: True is not 1
    merged, _ = merge_tables(read_like(base, parsed, empty_ok=True), parsed.tables, parsed.tables)
    assert encode_like(merged, parsed) == encode_tables(merged)


def doc(paper_id: str, **fields: Any) -> dict[str, Any]:
    return {"paper_id": paper_id, "note": "", "updated": "2026-01-01T00:00:00+00:00", **fields}


def file_of(annotations: dict[str, Any]) -> bytes:
    tables: dict[str, Any] = empty_tables()
    tables["annotations"] = annotations
    return encode_tables(tables)


def test_fast_path_is_taken_for_our_own_files() -> None:
    """Without this, the tests above could pass with the fast path never used."""
    ours_docs = {str(i): doc(f"p{i}", note=f'}},"{i + 1}":{{ {i}') for i in range(1, 50)}
    theirs_docs = dict(ours_docs, **{"7": doc("p7", note="changed")})
    parsed = read_ours(file_of(ours_docs))
    assert parsed.fragments is not None and len(parsed.fragments) == 49
    theirs = read_like(file_of(theirs_docs), parsed)
    assert theirs["annotations"]["8"] is parsed.tables["annotations"]["8"]  # not re-parsed
    assert theirs["annotations"]["7"] == theirs_docs["7"]


def test_nested_objects_that_mimic_a_boundary_fall_back_to_the_full_parse() -> None:
    """A document (written by hand or by a newer reader) whose nested object holds a key
    '2' whose value is byte for byte OURS's document 2: a naive split would see two
    documents and keep OURS's '2'. The full parse has one document, and '2' removed."""
    ours_docs = {"1": doc("p1"), "2": doc("p2")}
    nested = dict(doc("p1"), extra={"a": {}, "2": doc("p2"), "3": {}})
    theirs_docs = {"1": nested}
    base, ours, theirs = file_of(ours_docs), file_of(ours_docs), file_of(theirs_docs)
    bait = (
        b"}," + file_of({"2": doc("p2")})[len(b'{"meta":{"1":{"schema":1}},"annotations":{') : -2]
    )
    assert bait + b',"3":{' in theirs  # byte for byte OURS's document 2, between boundaries
    parsed = read_ours(ours)
    assert read_like(theirs, parsed) == decode_tables(theirs)
    written, _ = run_driver(base, ours, theirs)
    assert written == slow_merge(base, ours, theirs)
    assert written is not None
    assert list(decode_tables(written)["annotations"]) == ["1"]


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param(lambda t: json.dumps(t, indent=1).encode(), id="indented"),
        pytest.param(lambda t: json.dumps(t).encode(), id="spaced"),
        pytest.param(lambda t: b"\xef\xbb\xbf" + encode_tables(t), id="bom"),
        pytest.param(lambda t: encode_tables(t).replace(b'"2":', b'"\\u0032":'), id="escaped"),
        pytest.param(lambda t: encode_tables(t)[:-1] + b',"annotations":{}}', id="repeated"),
    ],
)
def test_ours_not_in_our_exact_form_is_read_in_full(layout: Any) -> None:
    tables: dict[str, Any] = empty_tables()
    tables["annotations"] = {"1": doc("p1", note="é"), "2": doc("p2")}
    content = layout(tables)
    try:
        expected: Any = decode_tables(content)
    except ValueError:
        with pytest.raises(ValueError):
            read_ours(content)
        return
    parsed = read_ours(content)
    assert parsed.fragments is None and parsed.tables == expected


def test_a_lone_surrogate_escape_is_refused_not_a_traceback(tmp_path: Path) -> None:
    """json reads '\\udc00' as a lone surrogate that UTF-8 cannot encode: the driver used to
    fail with a UnicodeEncodeError traceback; now it refuses like for any broken file."""
    base = tmp_path / "base"
    base.write_bytes(file_of({"1": doc("p1")}))
    ours = tmp_path / "ours"
    ours.write_bytes(file_of({"1": doc("p1", note="mine")}))
    theirs = tmp_path / "theirs"
    theirs.write_bytes(file_of({"1": doc("p1")}).replace(b'"note":""', b'"note":"\\udc00"'))
    before = ours.read_bytes()
    with pytest.raises(DriverError, match="lone surrogate"):
        merge_files(base, ours, theirs)
    assert ours.read_bytes() == before


def _theirs_variants() -> list[bytes]:
    good = file_of({"1": doc("p1"), "2": doc("p2", note="theirs")})
    head = b'{"meta":{"1":{"schema":1}}'
    utf16_doc = '{"paper_id":"p2","note":"x"}'.encode("utf-16-le")
    return [
        good.replace(head, b"{"),  # '{,"annotations":{...}}': no table before the comma
        good.replace(b'"2":{"paper_id":"p2","note":"theirs"', b'"2":' + utf16_doc[:-2]),
        good.replace(b'"note":"theirs"', b'"note":"\xed\xa0\x80"'),  # UTF-8 of a surrogate
        good.replace(b'"note":"theirs"', b'"note":"\xff"'),  # not UTF-8
        # The second document in UTF-16: read as a whole, the file is not JSON (raw NULs); a
        # slice must not be read as UTF-16 just because it starts with '{\0'.
        file_of({"1": doc("p1")})[:-2] + b',"2":' + utf16_doc + b"}}",
        good.replace(b',"2":{', b', "2":{'),  # valid JSON, not our layout
        good.replace(b',"2":{', b',"\\u0032":{'),
        good.replace(b',"2":{', b',"1":{'),  # a repeated id: the last one wins
        good[:-1] + b',"searches":{"1":{"q":1},"2":{"q":2}}}',
        good.replace(b'"note":"theirs"', b'"note":"theirs","x":' + b"[" * 5000 + b"]" * 5000),
        good[:-1] + b"} ",
        good[:-1],
    ]


@pytest.mark.parametrize("theirs", _theirs_variants())
def test_odd_theirs_is_read_exactly_as_the_full_parse_reads_it(theirs: bytes) -> None:
    base = file_of({"1": doc("p1"), "2": doc("p2")})
    ours = file_of({"1": doc("p1", note="ours"), "2": doc("p2")})
    assert read_ours(ours).fragments is not None
    try:
        expected: bytes | None = slow_merge(base, ours, theirs)
    except ValueError:
        expected = None
    written, left = run_driver(base, ours, theirs)
    assert written == expected
    assert left == (ours if expected is None else expected)


def test_a_missed_boundary_and_a_false_one_in_ours_do_not_cancel_out() -> None:
    """OURS in our exact form, with a document id of non-ASCII digits (no '},"<digits>":{'
    before it: a missed boundary) and a nested object with key '7' (a false one): the split
    has as many slices as there are documents, but not the same ids, so it is not trusted;
    trusting it would write a truncated document 1."""
    nested = dict(doc("p1"), extra={"z": {}, "7": doc("p7")})
    ours = file_of({"1": nested, "\u0663": doc("p3")})  # ARABIC-INDIC DIGIT THREE
    assert read_ours(ours).fragments is None
    written, _ = run_driver(ours, ours, file_of({"1": nested, "\u0663": doc("p3", note="x")}))
    assert written is not None
    assert decode_tables(written)["annotations"]["1"] == nested
