"""Issue 9, item 1: user text is data. Tags, notes and statuses with format-string, markup,
escape and invalid-UTF-8 characters are stored exactly (normalised) and never evaluated,
and one `reader annotate` is one all-or-nothing write."""

from __future__ import annotations

import errno
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from storage_support import hostile_text, one_paper_corpus, run_reader, stored

from reader.cli import main
from reader.cli.annotate import run_annotate
from reader.model.annotation import STATUSES
from reader.model.tags import normalize_tags
from reader.storage import json_file_storage
from reader.storage.changes import normalize_note
from reader.storage.reading_list import ReadingList

# -- regressions, through a real `reader` process --------------------------------------------


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, str]:
    path, paper = one_paper_corpus(tmp_path / "corpus")
    return path, paper.id


def test_a_closing_brace_in_a_tag_is_saved_and_reported(
    tmp_path: Path, corpus: tuple[Path, str]
) -> None:
    path, pid = corpus
    db = tmp_path / "list.json"
    result = run_reader("annotate", pid, str(path), "--tag", "a}b", "--db", str(db))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "tagged 1 paper with a}b\n"
    assert stored(db)[pid]["tags"] == ["a}b"]


def test_a_format_field_in_a_tag_is_printed_not_evaluated(
    tmp_path: Path, corpus: tuple[Path, str]
) -> None:
    path, pid = corpus
    db = tmp_path / "list.json"
    result = run_reader("annotate", pid, str(path), "--tag", "{n.__class__}", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "tagged 1 paper with {n.__class__}\n"
    assert "<class" not in result.stdout
    assert stored(db)[pid]["tags"] == ["{n.__class__}"]


def test_tag_note_and_status_together_are_all_saved(
    tmp_path: Path, corpus: tuple[Path, str]
) -> None:
    path, pid = corpus
    db = tmp_path / "list.json"
    result = run_reader(
        "annotate", pid, str(path), "--tag", "x{", "--note", "N {0} %s", "--status", "read",
        "--db", str(db),
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "tagged 1 paper with x{",
        "edited the note of 1 paper",
        "marked 1 paper read",
    ]
    saved = stored(db)[pid]
    assert (saved["tags"], saved["note"], saved["status"]) == (["x{"], "N {0} %s", "read")


def test_untag_with_braces_removes_the_tag(tmp_path: Path, corpus: tuple[Path, str]) -> None:
    path, pid = corpus
    db = tmp_path / "list.json"
    assert run_reader("annotate", pid, str(path), "--tag", "a}b", "--db", str(db)).returncode == 0
    result = run_reader("annotate", pid, str(path), "--untag", "a}b", "--db", str(db))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "removed a}b from 1 paper\n"
    assert stored(db)[pid]["tags"] == []


def test_invalid_utf8_in_argv_is_stored_as_replacement_characters(
    tmp_path: Path, corpus: tuple[Path, str]
) -> None:
    path, pid = corpus
    db = tmp_path / "list.json"
    # The OS hands Python the raw byte 0xff; it arrives as a lone surrogate.
    result = run_reader("annotate", pid, str(path), "--note", "caf\udcff", "--db", str(db))
    assert (result.returncode, result.stderr) == (0, "")
    assert stored(db)[pid]["note"] == "caf\ufffd"


# -- one command, one write ------------------------------------------------------------------


def test_an_annotate_with_every_option_is_one_durable_write(
    tmp_path: Path, corpus: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, pid = corpus
    db = tmp_path / "list.json"
    ReadingList.open(db)  # the file exists: opening it again writes nothing
    writes: list[Path] = []
    real_write = json_file_storage.write_atomically

    def counting(target: Path, data: object, **kwargs: object) -> object:
        writes.append(target)
        return real_write(target, data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(json_file_storage, "write_atomically", counting)
    argv = ["annotate", pid, str(path), "--star", "--tag", "a", "--untag", "b", "--note", "n"]
    assert main([*argv, "--status", "skipped", "--db", str(db)]) == 0
    assert writes == [db]
    saved = stored(db)[pid]
    assert (saved["starred"], saved["tags"], saved["note"], saved["status"]) == (
        True, ["a"], "n", "skipped",
    )  # fmt: skip


def test_a_failed_annotate_saves_none_of_its_changes(
    tmp_path: Path, corpus: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _path, pid = corpus
    db = tmp_path / "list.json"
    ReadingList.open(db)
    before = db.read_bytes()

    def disk_full(*args: object, **kwargs: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(json_file_storage, "write_atomically", disk_full)
    out, err = io.StringIO(), io.StringIO()
    argv = [pid, "--star", "--tag", "x{", "--note", "n", "--status", "read", "--db", str(db)]
    _, paper = one_paper_corpus(tmp_path / "again")
    status = run_annotate(argv, stdout=out, stderr=err, papers_by_id={pid: paper})
    assert status == 1 and out.getvalue() == ""
    assert "No space left on device" in err.getvalue() and "nothing changed" in err.getvalue()
    assert db.read_bytes() == before


# -- arbitrary hostile text through the CLI --------------------------------------------------

CLI_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@CLI_SETTINGS
@given(tag=hostile_text, untag=hostile_text, note=hostile_text, status=hostile_text)
@example(tag="a}b", untag="{n.__class__}", note="x{", status="read")
def test_any_text_through_annotate_is_stored_exactly(
    tag: str, untag: str, note: str, status: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _path, paper = one_paper_corpus(Path(folder) / "corpus")
        db = Path(folder) / "list.json"
        out, err = io.StringIO(), io.StringIO()
        argv = [paper.id, f"--tag={tag}", f"--untag={untag}", f"--note={note}", "--db", str(db)]
        argv.append(f"--status={status}")
        code = run_annotate(argv, stdout=out, stderr=err, papers_by_id={paper.id: paper})
        added, removed = set(normalize_tags([tag])), set(normalize_tags([untag]))
        if not added or not removed or added & removed or status not in STATUSES:
            assert code == 2, err.getvalue()
            assert not db.exists()
            return
        assert (code, err.getvalue()) == (0, "")
        saved = stored(db)[paper.id]
        assert saved["tags"] == sorted(added)
        assert saved["note"] == normalize_note(note)
        assert saved["status"] == status
        assert "Traceback" not in out.getvalue()


@CLI_SETTINGS
@given(tags=st.lists(hostile_text, min_size=1, max_size=3))
def test_any_tag_added_then_removed_through_main_leaves_no_tag(tags: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path, paper = one_paper_corpus(Path(folder) / "corpus")
        db = Path(folder) / "list.json"
        wanted = normalize_tags(tags)
        adds = [f"--tag={t}" for t in tags]
        code = main(["annotate", paper.id, str(path), *adds, "--db", str(db)])
        if any(not normalize_tags([t]) for t in tags):
            assert code == 2
            return
        assert code == 0
        assert stored(db)[paper.id]["tags"] == sorted(wanted)
        removes = [f"--untag={t}" for t in tags]
        assert main(["annotate", paper.id, str(path), *removes, "--db", str(db)]) == 0
        assert stored(db)[paper.id]["tags"] == []
        json.loads(db.read_bytes())  # still valid UTF-8 JSON
