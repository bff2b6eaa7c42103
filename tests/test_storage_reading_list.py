"""ReadingList behaviour, always checked against the JSON file it writes."""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tinydb import TinyDB

from reader.model.annotation import Annotation
from reader.model.paper import Paper
from reader.storage.errors import ReadOnlyError, UnknownPaperError
from reader.storage.json_file_storage import JSONFileStorage
from reader.storage.reading_list import ReadingList
from reader.storage.schema import empty_tables, read_snapshot


def make_paper(n: int, title: str | None = None, authors: tuple[str, ...] = ("Ada Lovelace",)):
    return Paper(
        id=f"{n:012x}",
        title=title if title is not None else f"Paper number {n}",
        authors=authors,
        abstract="An abstract.",
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: int = 1) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "lists" / "reading_list.json"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def reading_list(db_path: Path, clock: FakeClock) -> ReadingList:
    return ReadingList.open(db_path, clock=clock, backup_interval=0)


def on_disk(path: Path) -> dict[str, Annotation]:
    """The annotations as a fresh process would read them from the file."""
    return read_snapshot(json.loads(path.read_bytes())).annotations


def test_open_creates_a_tinydb_file_with_schema_and_no_annotations(db_path: Path) -> None:
    reading_list = ReadingList.open(db_path)
    assert len(reading_list) == 0 and not reading_list.read_only
    assert json.loads(db_path.read_text()) == {"meta": {"1": {"schema": 1}}, "annotations": {}}
    with TinyDB(db_path, access_mode="r") as db:
        assert db.table("meta").all() == [{"schema": 1}]


def test_annotations_are_real_tinydb_documents(reading_list: ReadingList, db_path: Path) -> None:
    reading_list.add_tags([make_paper(1)], ["ML"])
    reading_list.set_starred([make_paper(2)], True)
    with TinyDB(db_path, access_mode="r") as db:
        documents = db.table("annotations").all()
    by_paper = {doc["paper_id"]: doc for doc in documents}
    assert by_paper[make_paper(1).id]["tags"] == ["ml"]
    assert by_paper[make_paper(2).id]["starred"] is True
    assert sorted(doc.doc_id for doc in documents) == [1, 2]


def test_star_records_paper_details_and_timestamps(
    reading_list: ReadingList, db_path: Path, clock: FakeClock
) -> None:
    paper = make_paper(1, title="Attention", authors=("Émilie du Châtelet", "B"))
    assert reading_list.set_starred([paper], True) == "starred 1 paper"
    clock.advance()
    reading_list.set_status([paper], "read")
    saved = on_disk(db_path)[paper.id]
    assert saved.starred and saved.status == "read"
    assert (saved.title, saved.first_author) == ("Attention", "Émilie du Châtelet")
    assert saved.created == "2026-03-01T12:00:00+00:00"
    assert saved.updated == "2026-03-01T12:01:00+00:00"
    assert reading_list.get(paper.id) == saved


def test_tags_are_normalised_added_and_removed(reading_list: ReadingList, db_path: Path) -> None:
    papers = [make_paper(n) for n in range(3)]
    reading_list.add_tags(papers, ["  Deep   Learning ", "to read, ÉTÉ", 'say "hi"'])
    reading_list.add_tags(papers[:1], ["deep learning"])
    assert on_disk(db_path)[papers[0].id].tags == ("deep learning", "say hi", "to read", "été")
    reading_list.remove_tags(papers[1:], ["TO READ", "absent"])
    saved = on_disk(db_path)
    assert saved[papers[1].id].tags == ("deep learning", "say hi", "été")
    assert reading_list.all_tags() == ["deep learning", "say hi", "to read", "été"]
    counts = Counter(tag for a in reading_list.all().values() for tag in a.tags)
    assert counts == {"deep learning": 3, "say hi": 3, "été": 3, "to read": 1}
    assert reading_list.add_tags(papers, [" , "]) is None


def test_note_is_saved_with_unix_newlines_and_cleared_when_blank(
    reading_list: ReadingList, db_path: Path
) -> None:
    paper = make_paper(1)
    reading_list.set_note(paper, "first line\r\nsecond — ünïcode")
    assert on_disk(db_path)[paper.id].note == "first line\nsecond — ünïcode"
    assert reading_list.set_note(paper, "   \n") == "cleared the note of 1 paper"
    assert on_disk(db_path)[paper.id].note == ""


def test_invalid_status_is_refused_without_writing(reading_list: ReadingList) -> None:
    with pytest.raises(ValueError, match="unknown status 'done'"):
        reading_list.set_status([make_paper(1)], "done")  # type: ignore[arg-type]
    assert len(reading_list) == 0


def test_an_annotation_emptied_by_the_user_is_kept(
    reading_list: ReadingList, db_path: Path
) -> None:
    paper = make_paper(1)
    reading_list.set_starred([paper], True)
    reading_list.add_tags([paper], ["x"])
    reading_list.set_starred([paper], False)
    reading_list.remove_tags([paper], ["x"])
    saved = on_disk(db_path)[paper.id]
    assert not saved.in_reading_list and saved.status == "unread"


def test_a_change_that_changes_nothing_writes_nothing(
    reading_list: ReadingList, db_path: Path
) -> None:
    paper = make_paper(1)
    reading_list.set_starred([paper], True)
    before = os.stat(db_path)
    assert reading_list.set_starred([paper], True) is None
    assert reading_list.set_status([paper], "unread") is None
    assert reading_list.remove_tags([paper], ["never-added"]) is None
    after = os.stat(db_path)
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert undone(reading_list) == "starred 1 paper"  # no-ops left no undo steps
    assert reading_list.undo() is None


def test_undo_restores_exactly_the_previous_annotations(
    reading_list: ReadingList, db_path: Path, clock: FakeClock
) -> None:
    first, second = make_paper(1), make_paper(2)
    reading_list.add_tags([first], ["a"])
    snapshot = on_disk(db_path)
    clock.advance()
    reading_list.set_starred([first, second], True)
    reading_list.set_note(second, "note")
    assert undone(reading_list) == "edited the note of 1 paper"
    assert undone(reading_list) == "starred 2 papers"
    assert on_disk(db_path) == snapshot  # including timestamps; `second` removed again
    assert reading_list.all() == snapshot
    assert undone(reading_list) == "tagged 1 paper with a"
    assert on_disk(db_path) == {}
    assert reading_list.undo() is None


def test_undo_keeps_other_processes_changes_to_other_papers(db_path: Path) -> None:
    mine, theirs = ReadingList.open(db_path), ReadingList.open(db_path)
    mine.set_starred([make_paper(1)], True)
    theirs.add_tags([make_paper(2)], ["theirs"])
    assert undone(mine) == "starred 1 paper"
    assert set(on_disk(db_path)) == {make_paper(2).id}


def test_changes_by_id_need_the_paper_in_the_reading_list(
    reading_list: ReadingList, db_path: Path
) -> None:
    known = make_paper(1, title="Known")
    reading_list.set_starred([known], True)
    reading_list.add_tags([known.id], ["by-id"])
    assert on_disk(db_path)[known.id].title == "Known"  # kept when no Paper is given
    with pytest.raises(UnknownPaperError, match="unknown paper id: feedfeedfeed") as caught:
        reading_list.set_status([known.id, "feedfeedfeed"], "read")
    assert str(db_path) in str(caught.value)
    assert on_disk(db_path)[known.id].status == "unread"  # nothing changed


def test_orphans_are_annotations_of_papers_not_loaded(reading_list: ReadingList) -> None:
    papers = [make_paper(n) for n in range(3)]
    reading_list.set_starred(papers, True)
    orphans = reading_list.orphans({papers[0].id})
    assert sorted(a.paper_id for a in orphans) == [papers[1].id, papers[2].id]
    assert orphans[0].title.startswith("Paper number")


def test_other_processes_changes_are_merged_not_overwritten(db_path: Path) -> None:
    app, script = ReadingList.open(db_path), ReadingList.open(db_path)
    app.set_starred([make_paper(1)], True)
    assert not app.changed_on_disk()
    script.add_tags([make_paper(1)], ["from-script"])
    script.set_note(make_paper(2), "script note")
    assert app.changed_on_disk()
    assert app.get(make_paper(2).id) is None  # reads answer from memory until refresh
    app.refresh()
    assert not app.changed_on_disk()
    assert app.get(make_paper(2).id).note == "script note"
    app.set_status([make_paper(3)], "skipped")  # re-reads under the lock before writing
    saved = on_disk(db_path)
    assert saved[make_paper(1).id].starred and saved[make_paper(1).id].tags == ("from-script",)
    assert set(saved) == {make_paper(n).id for n in (1, 2, 3)}


def test_a_change_picks_up_outside_edits_without_refresh(db_path: Path) -> None:
    app, script = ReadingList.open(db_path), ReadingList.open(db_path)
    script.set_starred([make_paper(1)], True)
    app.set_starred([make_paper(2)], True)
    assert set(app.all()) == {make_paper(1).id, make_paper(2).id}


def test_unknown_fields_survive_a_round_trip(db_path: Path) -> None:
    data = empty_tables()
    data["annotations"]["7"] = {"paper_id": "abc", "starred": True, "colour": "teal"}
    data["other"] = {"1": {"kept": True}}
    db_path.parent.mkdir(parents=True)
    db_path.write_text(json.dumps(data))
    reading_list = ReadingList.open(db_path)
    assert reading_list.get("abc") == Annotation(paper_id="abc", starred=True)
    reading_list.add_tags(["abc"], ["t"])
    saved = json.loads(db_path.read_text())
    assert saved["annotations"]["7"]["colour"] == "teal"
    assert saved["other"] == {"1": {"kept": True}}


def test_read_only_open_refuses_changes_and_leaves_the_file(db_path: Path) -> None:
    ReadingList.open(db_path).set_starred([make_paper(1)], True)
    content = db_path.read_bytes()
    viewer = ReadingList.open(db_path, read_only=True)
    assert viewer.read_only and viewer.read_only_reason == "opened read-only"
    assert viewer.get(make_paper(1).id).starred
    with pytest.raises(ReadOnlyError, match="cannot save changes: opened read-only"):
        viewer.set_starred([make_paper(1)], False)
    assert viewer.get(make_paper(1).id).starred
    assert db_path.read_bytes() == content


def test_read_only_open_of_a_missing_file_is_empty_and_creates_nothing(tmp_path: Path) -> None:
    viewer = ReadingList.open(tmp_path / "none.json", read_only=True)
    assert len(viewer) == 0 and list(tmp_path.iterdir()) == []


def test_storage_serves_plain_tinydb_tables_inside_a_transaction(db_path: Path) -> None:
    ReadingList.open(db_path)
    storage = JSONFileStorage(db_path, on_load=read_snapshot, empty=empty_tables)
    db = TinyDB(storage=lambda: storage)
    with storage.transaction():
        db.table("annotations").insert({"paper_id": "zzz", "note": "via tinydb"})
    assert on_disk(db_path)["zzz"].note == "via tinydb"
    with pytest.raises(RuntimeError, match=r"inside storage\.transaction"):
        db.table("annotations").insert({"paper_id": "yyy"})
    assert "yyy" not in on_disk(db_path)


def test_a_symlinked_reading_list_is_saved_through_the_link(tmp_path: Path) -> None:
    target = tmp_path / "synced" / "reading_list.json"
    ReadingList.open(target)
    link = tmp_path / "reading_list.json"
    link.symlink_to(target)
    ReadingList.open(link).set_starred([make_paper(1)], True)
    assert link.is_symlink()
    assert on_disk(target)[make_paper(1).id].starred


def test_the_whole_sample_corpus_round_trips(tmp_path: Path, sample_corpus_dir: Path) -> None:
    from reader.parsing.corpus import load_corpus

    papers = load_corpus([sample_corpus_dir], use_cache=False).papers
    assert len(papers) == 651
    db_path = tmp_path / "reading_list.json"
    reading_list = ReadingList.open(db_path)
    assert reading_list.set_starred(papers, True) == "starred 651 papers"
    reading_list.add_tags(papers[::2], ["even"])
    saved = on_disk(db_path)
    assert saved == reading_list.all() and len(saved) == 651
    for paper in papers:
        annotation = saved[paper.id]
        assert (annotation.title, annotation.first_author) == (paper.title, paper.first_author)
    assert Counter(t for a in reading_list.all().values() for t in a.tags) == {"even": 326}
    assert reading_list.orphans({p.id for p in papers}) == []
    assert len(reading_list.orphans({p.id for p in papers[1:]})) == 1


def undone(reading_list: ReadingList) -> str | None:
    """Undo the latest change; its description (None when there was nothing to undo)."""
    result = reading_list.undo()
    return None if result is None else result.description
