"""The three-way merge of reading lists (reader.sync.merge) and the merge driver's file I/O."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.storage.schema import empty_tables
from reader.sync.changes import describe_changes
from reader.sync.driver import DriverError, merge_files
from reader.sync.merge import CONFLICT_MARK, decode_tables, encode_tables, merge_tables

HOSTILE = st.sampled_from(
    [
        "{",
        "}",
        "%s",
        "%",
        "\\",
        "$",
        "~",
        "\0",
        "\x1b[31m",
        "\x1b]8;;http://x\x07",
        "[bold]",
        "\u202e",
        "\r\n",
        "\n",
        "é",
        "🙂",
        "{n}",
        "--- conflicting edit from x, y\n",
    ]
)
NOTES = st.lists(st.one_of(HOSTILE, st.text(max_size=8)), max_size=6).map("".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def doc(pid: str, updated: str = "2026-01-01T00:00:00+00:00", **fields: Any) -> dict[str, Any]:
    base = {
        "paper_id": pid,
        "starred": False,
        "tags": [],
        "note": "",
        "status": "unread",
        "title": None,
        "first_author": None,
        "created": updated,
        "updated": updated,
    }
    base.update(fields)
    return base


def tables(*docs: dict[str, Any], **other: dict[str, Any]) -> dict[str, Any]:
    data = empty_tables()
    data["annotations"] = {str(i + 1): d for i, d in enumerate(docs)}
    data.update(other)
    return data


def by_paper(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["paper_id"]: d for d in data["annotations"].values()}


T1, T2 = "2026-01-01T10:00:00+00:00", "2026-01-01T11:00:00+00:00"


def test_changes_to_different_papers_and_fields_are_all_kept() -> None:
    base = tables(doc("a"), doc("b"))
    ours = tables(doc("a", T1, starred=True), doc("b"), doc("c", T1, note="new here"))
    theirs = tables(doc("a", T2, status="read", tags=["x"]), doc("b", T2, note="b note"))
    merged, stats = merge_tables(base, ours, theirs)
    papers = by_paper(merged)
    assert papers["a"]["starred"] is True and papers["a"]["status"] == "read"
    assert papers["a"]["tags"] == ["x"] and papers["a"]["updated"] == T2
    assert papers["b"]["note"] == "b note" and papers["c"]["note"] == "new here"
    assert stats.conflicts == 0
    decode_tables(encode_tables(merged))  # a valid reading list


def test_note_conflict_keeps_both_texts_later_first() -> None:
    base = tables(doc("a", note="start"))
    ours = tables(doc("a", T2, note="ours", host="laptop"))
    theirs = tables(doc("a", T1, note="theirs", host="workstation"))
    merged, stats = merge_tables(base, ours, theirs)
    assert by_paper(merged)["a"]["note"] == f"ours\n\n{CONFLICT_MARK} workstation, {T1}\ntheirs"
    assert stats.note_conflicts == 1
    # Merging the same conflict again (the other machine, or a retry) does not grow it.
    again, _ = merge_tables(base, merged, theirs)
    assert by_paper(again)["a"]["note"] == by_paper(merged)["a"]["note"]


def test_both_sides_pick_the_same_winner_on_equal_times() -> None:
    base = tables(doc("a"))
    one, two = tables(doc("a", T1, status="read")), tables(doc("a", T1, status="skipped"))
    left, _ = merge_tables(base, one, two)
    right, _ = merge_tables(base, two, one)
    assert by_paper(left)["a"]["status"] == by_paper(right)["a"]["status"]


def test_tags_union_of_additions_and_untouched_removals() -> None:
    base = tables(doc("a", tags=["keep", "drop-ours", "drop-theirs"]))
    ours = tables(doc("a", T1, tags=["keep", "drop-theirs", "add-ours"]))
    theirs = tables(doc("a", T2, tags=["keep", "drop-ours", "add-theirs"]))
    merged, _ = merge_tables(base, ours, theirs)
    assert by_paper(merged)["a"]["tags"] == ["add-ours", "add-theirs", "keep"]


def test_removed_paper_stays_removed_unless_changed_on_the_other_side() -> None:
    base = tables(doc("a"), doc("b"))
    ours = tables(doc("a"), doc("b", T2, starred=True))  # b changed here
    theirs = tables()  # both undone there
    merged, _ = merge_tables(base, ours, theirs)
    assert set(by_paper(merged)) == {"b"}


def test_added_on_both_sides_merges_fields_and_renumbers_nothing_twice() -> None:
    ours = tables(doc("x", T1, starred=True, tags=["a"]))
    theirs = tables(doc("y", T1), doc("x", T2, tags=["b"], note="n"))
    merged, _ = merge_tables(None, ours, theirs)
    papers = by_paper(merged)
    assert papers["x"]["starred"] and papers["x"]["tags"] == ["a", "b"]
    assert papers["x"]["note"] == "n" and "y" in papers
    assert len(merged["annotations"]) == 2 and len(set(merged["annotations"])) == 2


def test_unknown_keys_and_tables_are_merged_generically_and_kept() -> None:
    base = tables(doc("a", extra=1), saved_searches={"1": {"name": "s", "query": "q"}})
    ours = tables(doc("a", T1, extra=2), saved_searches={"1": {"name": "S", "query": "q"}})
    theirs = tables(
        doc("a", T2, other="kept"),  # 'extra' removed there, untouched here... changed here
        saved_searches={"1": {"name": "s", "query": "q2"}, "2": {"name": "t"}},
        future_table={"1": {"anything": [1, 2]}},
    )
    merged, _ = merge_tables(base, ours, theirs)
    a = by_paper(merged)["a"]
    assert a["other"] == "kept" and "extra" not in a  # later (theirs) wins the conflict
    assert merged["saved_searches"] == {"1": {"name": "S", "query": "q2"}, "2": {"name": "t"}}
    assert merged["future_table"] == {"1": {"anything": [1, 2]}}


def test_records_added_on_both_sides_under_one_id_are_both_kept() -> None:
    ours = tables(saved_searches={"1": {"name": "mine"}})
    theirs = tables(saved_searches={"1": {"name": "theirs"}})
    merged, _ = merge_tables(empty_tables(), ours, theirs)
    assert sorted(d["name"] for d in merged["saved_searches"].values()) == ["mine", "theirs"]
    decode_tables(encode_tables(merged))


@SETTINGS
@given(base=NOTES, ours=NOTES, theirs=NOTES, host=NOTES, swap=st.booleans())
def test_no_note_text_is_ever_lost(
    base: str, ours: str, theirs: str, host: str, swap: bool
) -> None:
    b = tables(doc("a", note=base))
    o = tables(doc("a", T1, note=ours, host=host))
    t = tables(doc("a", T2 if swap else T1, note=theirs, host=host))
    merged, _ = merge_tables(b, o, t)
    note = by_paper(merged)["a"]["note"]
    for text in (ours, theirs):
        if text != base and text.strip():  # an edit (blank = cleared); unchanged may go
            assert text in note
    # The conflict line names the host on one line, without control characters.
    for line in note.splitlines():
        if line.startswith(CONFLICT_MARK) and line not in (ours + theirs).splitlines():
            assert all(ch.isprintable() or ch == " " for ch in line)
    again = decode_tables(encode_tables(merged))
    assert by_paper(again)["a"]["note"] == note
    other_way, _ = merge_tables(b, t, o)
    assert by_paper(other_way)["a"]["note"] == note  # both machines end with the same text


@SETTINGS
@given(
    tags=st.lists(
        st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True), min_size=3, max_size=3
    )
)
def test_tag_merge_rule(tags: list[list[str]]) -> None:
    b, o, t = (set(x) for x in tags)
    merged, _ = merge_tables(
        tables(doc("p", tags=sorted(b))),
        tables(doc("p", T1, tags=sorted(o))),
        tables(doc("p", T2, tags=sorted(t))),
    )
    result = set(by_paper(merged)["p"]["tags"])
    for tag in "abcd":
        added = (tag in o and tag not in b) or (tag in t and tag not in b)
        removed = (tag in b) and (tag not in o or tag not in t)
        assert (tag in result) == (added or (tag in b and not removed))


def test_describe_changes_in_words() -> None:
    old = tables(doc("a"), doc("b", starred=True))
    new = tables(doc("a", T1, starred=True, tags=["x"], note="n"), doc("b", status="read"))
    counts = describe_changes(old, new)
    assert counts.describe() == "starred 1, unstarred 1, tagged 1, 1 note, marked 1 read"
    assert counts.total == 2


# -- the driver's files ---------------------------------------------------------------------


def write(path: Path, data: Any) -> Path:
    path.write_bytes(data if isinstance(data, bytes) else encode_tables(data))
    return path


@pytest.mark.parametrize(
    "broken",
    [
        b"",
        b"{ not json",
        b"\xff\xfe invalid utf-8",
        b"[]",
        b'{"annotations": {}}',  # no schema version
        json.dumps({"meta": {"1": {"schema": 99}}, "annotations": {}}).encode(),
        json.dumps({"meta": {"1": {"schema": 1}}, "annotations": {"1": {"paper_id": 5}}}).encode(),
        # Shaped like OURS, one document broken / duplicated (OURS is checked in full, the
        # others only where they differ from it: these must still be caught).
        json.dumps(
            {
                "meta": {"1": {"schema": 1}},
                "annotations": {"1": {"paper_id": "a", "starred": "yes"}},
            }
        ).encode(),
        json.dumps(
            {
                "meta": {"1": {"schema": 1}},
                "annotations": {"1": {"paper_id": "a"}, "2": {"paper_id": "a"}},
            }
        ).encode(),
    ],
)
def test_driver_refuses_a_file_that_is_not_a_reading_list(tmp_path: Path, broken: bytes) -> None:
    base = write(tmp_path / "base", tables(doc("a")))
    ours = write(tmp_path / "ours", tables(doc("a", T1, starred=True)))
    before = ours.read_bytes()
    theirs = write(tmp_path / "theirs", broken)
    with pytest.raises(DriverError):
        merge_files(base, ours, theirs)
    assert ours.read_bytes() == before
    with pytest.raises(DriverError):  # a broken OURS is refused as well, and left alone
        merge_files(base, theirs, ours)
    assert theirs.read_bytes() == broken


def test_driver_writes_ours_atomically_with_the_merge(tmp_path: Path) -> None:
    base = write(tmp_path / "base", b"")  # git's add/add: no ancestor
    ours = write(tmp_path / "ours", tables(doc("a", T1, starred=True)))
    theirs = write(tmp_path / "theirs", tables(doc("b", T1, note="x")))
    inode = ours.stat().st_ino
    result = merge_files(base, ours, theirs)
    assert result.changed
    assert set(by_paper(decode_tables(ours.read_bytes()))) == {"a", "b"}
    assert ours.stat().st_ino != inode  # replaced by rename, never rewritten in place
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
