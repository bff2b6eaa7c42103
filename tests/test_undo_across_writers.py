"""Issue 9, item 2: undo and redo take back only what this window wrote, field by field,
and keep what another window or script changed since (and say so)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storage_support import one_paper_corpus, run_reader, stored

from reader.model.paper import Paper
from reader.service.session import Session
from reader.storage.changes import Edit, Judgement, judgement
from reader.storage.reading_list import ReadingList


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Paper, Path]:
    corpus, paper = one_paper_corpus(tmp_path / "corpus")
    return corpus, paper, tmp_path / "list.json"


def test_undo_keeps_what_a_real_annotate_process_saved_meanwhile(
    setup: tuple[Path, Paper, Path],
) -> None:
    corpus, paper, db = setup
    window = ReadingList.open(db)
    window.set_starred([paper], True)
    result = run_reader(
        "annotate", paper.id, str(corpus), "--tag", "fromcli", "--note", "cli note",
        "--db", str(db),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    undone = window.undo()

    assert undone is not None
    assert undone.reverted == {"starred"}
    assert undone.kept == {"tags", "note"}
    assert (
        undone.message() == "Undid star; kept the tags and note changed elsewhere (starred 1 paper)"
    )
    saved = stored(db)[paper.id]
    assert (saved["starred"], saved["tags"], saved["note"]) == (False, ["fromcli"], "cli note")
    assert window.get(paper.id) is not None and window.get(paper.id).tags == ("fromcli",)


def test_a_field_another_writer_changed_is_not_undone(setup: tuple[Path, Paper, Path]) -> None:
    _corpus, paper, db = setup
    window, other = ReadingList.open(db), ReadingList.open(db)
    window.apply([paper], Edit.of(starred=True, note="mine", status="read"))
    other.set_note(paper.id, "theirs")  # the note is someone else's decision now

    undone = window.undo()

    assert undone is not None and undone.reverted == {"starred", "status"}
    assert undone.kept == {"note"}
    saved = stored(db)[paper.id]
    assert (saved["starred"], saved["note"], saved["status"]) == (False, "theirs", "unread")


def test_tags_are_undone_one_by_one(setup: tuple[Path, Paper, Path]) -> None:
    _, paper, db = setup
    window, other = ReadingList.open(db), ReadingList.open(db)
    window.add_tags([paper], ["mine", "shared"])
    other.add_tags([paper.id], ["theirs"])
    other.remove_tags([paper.id], ["shared"])  # they removed one of ours: leave it removed

    undone = window.undo()

    assert undone is not None and undone.kept == {"tags"}
    assert stored(db)[paper.id]["tags"] == ["theirs"]


def test_a_whole_annotate_is_one_undo_step(setup: tuple[Path, Paper, Path]) -> None:
    _, paper, db = setup
    window = ReadingList.open(db)
    lines = window.apply([paper], Edit.of(starred=True, add_tags=["a}b"], note="n", status="read"))
    assert len(lines) == 4
    undone = window.undo()
    assert undone is not None and undone.reverted == {"starred", "tags", "note", "status"}
    assert stored(db) == {}  # the annotation this change created is gone again
    assert window.undo() is None


def test_redo_puts_back_only_fields_still_as_the_undo_left_them(
    setup: tuple[Path, Paper, Path],
) -> None:
    corpus, paper, db = setup
    window = ReadingList.open(db)
    window.apply([paper], Edit.of(starred=True, status="read"))
    assert window.undo() is not None
    result = run_reader("annotate", paper.id, str(corpus), "--status", "skipped", "--db", str(db))
    assert result.returncode == 0, result.stderr

    redone = window.redo()

    assert redone is not None and redone.reverted == {"starred"} and redone.kept == {"status"}
    assert redone.message("Redid").startswith("Redid star; kept the status changed elsewhere")
    saved = stored(db)[paper.id]
    assert (saved["starred"], saved["status"]) == (True, "skipped")
    assert window.redo() is None
    assert window.undo() is not None  # the redo can be undone again
    assert stored(db)[paper.id]["starred"] is False


def test_a_new_change_clears_redo(setup: tuple[Path, Paper, Path]) -> None:
    _, paper, db = setup
    window = ReadingList.open(db)
    window.set_starred([paper], True)
    window.undo()
    window.add_tags([paper], ["x"])
    assert window.redo() is None
    assert stored(db)[paper.id]["starred"] is False


def test_the_session_says_what_undo_kept(setup: tuple[Path, Paper, Path]) -> None:
    corpus_path, paper, db = setup
    from reader.parsing.corpus import load_corpus

    session = Session(load_corpus([corpus_path]), ReadingList.open(db))
    session.toggle_star([paper])
    ReadingList.open(db).add_tags([paper.id], ["elsewhere"])
    outcome = session.undo()
    assert outcome.severity == "warning"
    assert outcome.message.startswith("Undid star; kept the tags changed elsewhere")
    assert stored(db)[paper.id]["tags"] == ["elsewhere"]
    assert session.redo().message.startswith("Redid star")
    assert stored(db)[paper.id]["starred"] is True


def test_a_closing_session_refuses_every_change(setup: tuple[Path, Paper, Path]) -> None:
    corpus_path, paper, db = setup
    from reader.parsing.corpus import load_corpus

    session = Session(load_corpus([corpus_path]), ReadingList.open(db))
    session.toggle_star([paper])
    session.close()
    for outcome in (
        session.undo(),
        session.redo(),
        session.toggle_star([paper]),
        session.add_tags([paper], ["x"]),
        session.set_note(paper, "n"),
        session.toggle_read([paper]),
    ):
        assert outcome.severity == "error" and "closing" in outcome.message
    saved = stored(db)[paper.id]
    assert (saved["starred"], saved["tags"], saved["note"], saved["status"]) == (
        True, [], "", "unread",
    )  # fmt: skip


# -- property: undo never takes back another writer's decision -------------------------------

TAGS = ["a", "b", "c{", "}d"]
edits = st.builds(
    Edit.of,
    starred=st.none() | st.booleans(),
    add_tags=st.lists(st.sampled_from(TAGS), max_size=2),
    remove_tags=st.lists(st.sampled_from(TAGS), max_size=2),
    note=st.none() | st.sampled_from(["", "mine", "{0}", "theirs"]),
    status=st.none() | st.sampled_from(["unread", "read", "skipped"]),
)


def expected_after_undo(start: Judgement, mine: Judgement, theirs: Judgement) -> Judgement:
    """Per field (per tag): the other writer's value if they changed it, else ours undone."""

    def pick(name: str) -> object:
        if getattr(theirs, name) != getattr(mine, name):
            return getattr(theirs, name)
        return getattr(start, name)

    tags = {
        tag
        for tag in set(TAGS)
        if (tag in theirs.tags if (tag in theirs.tags) != (tag in mine.tags) else tag in start.tags)
    }
    return Judgement(pick("starred"), tuple(sorted(tags)), pick("note"), pick("status"))  # type: ignore[arg-type]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=edits, ours=edits, theirs=edits)
def test_undo_keeps_every_field_another_writer_changed(
    tmp_path_factory: pytest.TempPathFactory, first: Edit, ours: Edit, theirs: Edit
) -> None:
    db = tmp_path_factory.mktemp("undo") / "list.json"
    target = Paper("0123456789ab", "T", ("A",), "")
    setup, window, other = ReadingList.open(db), ReadingList.open(db), ReadingList.open(db)
    setup.apply([target], first)
    window.refresh()
    start = judgement(window.get(target.id))
    window.apply([target], ours)
    mine = judgement(window.get(target.id))
    other.refresh()
    other.apply([target], theirs)
    theirs_state = judgement(ReadingList.open(db).get(target.id))

    window.undo()

    on_disk = judgement(ReadingList.open(db).get(target.id))
    assert on_disk == expected_after_undo(start, mine, theirs_state)
    window.redo()
    redone = judgement(ReadingList.open(db).get(target.id))
    # Redo brings back our values wherever the undo took them back and nobody changed since.
    for name in ("starred", "note", "status"):
        if getattr(theirs_state, name) == getattr(mine, name):
            assert getattr(redone, name) == getattr(mine, name)


def test_toggling_a_star_gives_the_whole_batch_one_value(tmp_path: Path) -> None:
    """One rule, in the Session: star all when any is unstarred, else unstar all."""
    from reader.parsing.corpus import load_corpus
    from reader.paths import sample_corpus_dir

    db = tmp_path / "reading_list.json"
    corpus = load_corpus([sample_corpus_dir()])
    session = Session(corpus, ReadingList.open(db))
    papers = list(corpus.papers[:3])
    session.toggle_star(papers[:1])
    assert session.toggle_star(papers).message == "Starred 3 papers"
    assert [stored(db)[p.id]["starred"] for p in papers] == [True, True, True]
    assert session.toggle_star(papers).message == "Unstarred 3 papers"
    assert [stored(db)[p.id]["starred"] for p in papers] == [False, False, False]
