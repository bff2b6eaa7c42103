"""``reader annotate`` support: exit codes, messages, and the file it leaves."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from reader.cli.annotate import run_annotate
from reader.model.paper import Paper
from reader.storage.reading_list import ReadingList
from reader.storage.schema import read_snapshot

PAPER = Paper(id="0123456789ab", title="Known paper", authors=("Grace Hopper",), abstract="")


def annotate(*argv: str, papers: dict[str, Paper] | None = None) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = run_annotate(list(argv), stdout=stdout, stderr=stderr, papers_by_id=papers)
    return status, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "reading_list.json"


def saved(db: Path) -> dict:
    return read_snapshot(json.loads(db.read_bytes())).annotations


def test_annotate_a_loaded_paper_with_everything(db: Path) -> None:
    status, out, err = annotate(
        PAPER.id, "--star", "--tag", "ML", "--tag", "to read", "--note", "see §3",
        "--status", "read", "--db", str(db), papers={PAPER.id: PAPER},
    )  # fmt: skip
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "starred 1 paper",
        "tagged 1 paper with ml, to read",
        "edited the note of 1 paper",
        "marked 1 paper read",
    ]
    annotation = saved(db)[PAPER.id]
    assert annotation.starred and annotation.tags == ("ml", "to read")
    assert (annotation.note, annotation.status) == ("see §3", "read")
    assert (annotation.title, annotation.first_author) == ("Known paper", "Grace Hopper")


def test_annotate_by_id_works_for_papers_already_in_the_list(db: Path) -> None:
    ReadingList.open(db).set_starred([PAPER], True)
    status, out, _ = annotate(PAPER.id, "--untag", "none", "--unstar", "--db", str(db))
    assert status == 0 and out == "unstarred 1 paper\n"
    assert not saved(db)[PAPER.id].starred
    status, out, _ = annotate(PAPER.id, "--unstar", "--db", str(db))
    assert (status, out) == (0, "nothing to change\n")


def test_unknown_ids_are_an_error_and_change_nothing(db: Path) -> None:
    status, out, err = annotate(
        PAPER.id, "ffffffffffff", "--star", "--db", str(db), papers={PAPER.id: PAPER}
    )
    assert (status, out) == (1, "")
    assert "unknown paper id: ffffffffffff" in err and str(db) in err
    assert saved(db) == {}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["x", "--star", "--unstar"], "not allowed with argument"),
        (["x"], "nothing to do"),
        ([], "the following arguments are required: ID"),
        (["x", "--status", "done"], "invalid choice: 'done'"),
        (["x", "--tag", " , "], "--tag needs a tag name"),
        (["x", "--tag", "a", "--untag", "A"], "cannot both add and remove the tag(s): a"),
    ],
)
def test_usage_errors_exit_2(db: Path, argv: list[str], message: str) -> None:
    status, out, err = annotate(*argv, "--db", str(db))
    assert status == 2 and message in err and out == ""
    assert not db.exists()


def test_store_errors_exit_1_with_the_path(db: Path) -> None:
    db.write_text("not json")
    status, _, err = annotate(PAPER.id, "--star", "--db", str(db), papers={PAPER.id: PAPER})
    assert status == 1
    assert err.startswith(f"reader annotate: {db}: not valid JSON")
    assert db.read_text() == "not json"


def test_empty_note_clears_it(db: Path) -> None:
    ReadingList.open(db).set_note(PAPER, "old")
    status, out, _ = annotate(PAPER.id, "--note", "", "--db", str(db))
    assert (status, out) == (0, "cleared the note of 1 paper\n")
    assert saved(db)[PAPER.id].note == ""
