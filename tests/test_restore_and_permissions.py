"""Issue 9, item 3 and the smaller items: `reader restore` only replaces a damaged file,
files keep their owner and mode, backups are never more readable than the list, and JSON
errors read well."""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from storage_support import one_paper_corpus, run_reader, stored
from textual.widgets import Button
from ui_support import app_test, make_app

from reader.cli import main
from reader.model.paper import Paper
from reader.storage.backups import backup_paths
from reader.storage.errors import CorruptStoreError
from reader.storage.locking import lock_path_for
from reader.storage.reading_list import ReadingList
from reader.storage.restore import RestoreRefused, restore_newest_backup
from reader.ui.screens.store_error import StoreErrorScreen

NEWER = '{"meta": {"1": {"schema": 99}}, "annotations": {}}'


def paper(n: int) -> Paper:
    return Paper(id=f"{n:012x}", title=f"Paper {n}", authors=("Ada",), abstract="")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A valid reading list with 3 annotations whose .bak1 holds 2 of them."""
    path = tmp_path / "list.json"
    reading_list = ReadingList.open(path, backup_interval=0)
    for n in range(3):
        reading_list.set_starred([paper(n)], True)
    return path


def side_files(db: Path) -> list[str]:
    return sorted(
        p.name for p in db.parent.iterdir() if ".damaged-" in p.name or ".replaced-" in p.name
    )


# -- restore ---------------------------------------------------------------------------------


def test_restore_leaves_a_valid_reading_list_alone(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    original = db.read_bytes()
    code, out, err = run(capsys, "restore", "--db", str(db))
    assert (code, out) == (1, "")
    assert "is a valid reading list (3 annotations, modified " in err
    assert "nothing to restore" in err and "--force" in err
    assert db.read_bytes() == original
    assert side_files(db) == []


def test_restore_force_says_what_it_replaces_then_replaces(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    original = db.read_bytes()
    backup = backup_paths(db)[0]
    code, out, err = run(capsys, "restore", "--force", "--db", str(db))
    assert (code, err) == (0, "")
    first, second = out.splitlines()
    assert first.startswith(f"reader restore: replacing {db} (3 annotations, modified 20")
    assert f"with {backup} (2 annotations, modified 20" in first
    assert second.startswith(f"restored {db} from {backup}; the replaced file was kept as ")
    assert len(stored(db)) == 2
    (kept,) = side_files(db)
    assert ".replaced-" in kept and (db.parent / kept).read_bytes() == original


def test_a_newer_schema_is_never_restored_to_an_older_backup(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    db.write_text(NEWER, encoding="utf-8")
    for argv in (["restore"], ["restore", "--force"]):
        code, out, err = run(capsys, *argv, "--db", str(db))
        assert (code, out) == (1, "")
        assert "newer version of reader (schema 99)" in err and "left untouched" in err
    assert db.read_text(encoding="utf-8") == NEWER
    assert side_files(db) == []


def test_the_newer_schema_message_does_not_recommend_restore(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    corpus, one = one_paper_corpus(tmp_path / "corpus")
    db.write_text(NEWER, encoding="utf-8")
    for argv in (
        ["search", "graph", str(corpus)],
        ["export", str(corpus)],
        ["annotate", one.id, str(corpus), "--star"],
    ):
        code, _, err = run(capsys, *argv, "--db", str(db))
        assert code == 1 and "newer version" in err
        assert "restore" not in err
    assert db.read_text(encoding="utf-8") == NEWER


def test_a_read_only_damaged_file_is_not_restored(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    db.write_text("{broken", encoding="utf-8")
    db.chmod(0o444)
    code, out, err = run(capsys, "restore", "--db", str(db))
    assert (code, out) == (1, "")
    assert "the file is not writable" in err and "left untouched" in err
    assert db.read_text(encoding="utf-8") == "{broken"
    assert stat.S_IMODE(db.stat().st_mode) == 0o444
    # annotate refuses it the same way (even as root: 0444 is the user's choice)
    code, _, err = run(capsys, "annotate", paper(0).id, "--star", "--db", str(db))
    assert code == 1 and db.read_text(encoding="utf-8") == "{broken"


def test_a_read_only_valid_file_opens_read_only_even_for_root(db: Path) -> None:
    db.chmod(0o444)
    original = db.read_bytes()
    reading_list = ReadingList.open(db)
    assert reading_list.read_only_reason == "the file is not writable"
    with pytest.raises(RestoreRefused):
        restore_newest_backup(db, force=True)
    assert db.read_bytes() == original


def test_a_damaged_file_is_restored_with_a_plan(db: Path) -> None:
    db.write_text("{broken", encoding="utf-8")
    shown = []
    plan = restore_newest_backup(db, before_replacing=shown.append)
    assert plan is not None and shown == [plan.__class__(plan.current, plan.backup)]
    assert plan.current.state == "damaged" and plan.backup.annotations == 2
    assert plan.describe().startswith(f"replacing {db} (damaged, modified ")
    assert plan.kept is not None and plan.kept.read_text() == "{broken"
    assert len(stored(db)) == 2


@app_test
async def test_the_app_offers_restore_only_for_a_damaged_file(tmp_path: Path) -> None:
    db = tmp_path / "reading_list.json"
    reading_list = ReadingList.open(db, backup_interval=0)
    reading_list.set_starred([paper(1)], True)
    reading_list.set_starred([paper(2)], True)  # a valid .bak1 exists
    db.write_text(NEWER, encoding="utf-8")
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StoreErrorScreen)
        assert [b.id for b in app.screen.query(Button)] == ["quit"]
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, StoreErrorScreen)
        await pilot.press("q")
    assert db.read_text(encoding="utf-8") == NEWER


# -- owner and mode --------------------------------------------------------------------------


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_root_rewriting_another_users_file_keeps_its_owner_and_mode(
    tmp_path: Path,
) -> None:
    corpus, one = one_paper_corpus(tmp_path / "corpus")
    db = tmp_path / "list.json"
    ReadingList.open(db).set_starred([one], True)
    os.chown(db, 12345, 12345)
    db.chmod(0o640)
    for stale in (*backup_paths(db), lock_path_for(db)):
        stale.unlink(missing_ok=True)  # made by root above; the user's own start is clean
    result = run_reader("annotate", one.id, str(corpus), "--tag", "by-root", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert stored(db)[one.id]["tags"] == ["by-root"]
    for path in (db, backup_paths(db)[0], lock_path_for(db)):
        info = path.stat()
        assert (info.st_uid, info.st_gid) == (12345, 12345), path
    assert stat.S_IMODE(db.stat().st_mode) == 0o640
    assert stat.S_IMODE(backup_paths(db)[0].stat().st_mode) == 0o640


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("umask_022")
def test_backups_and_damaged_copies_are_no_more_readable_than_the_list(tmp_path: Path) -> None:
    db = tmp_path / "list.json"
    reading_list = ReadingList.open(db, backup_interval=0)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    backup_paths(db)[0].write_text("{}")  # an old backup left 0644 by an earlier version
    for n in range(4):
        reading_list.set_starred([paper(n)], True)
    for backup in backup_paths(db):
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600, backup.name
    db.write_text("{broken", encoding="utf-8")  # keeps 0600
    with pytest.raises(CorruptStoreError) as caught:
        ReadingList.open(db)
    copy = caught.value.damaged_copy
    assert copy is not None and stat.S_IMODE(copy.stat().st_mode) == 0o600
    plan = restore_newest_backup(db)
    assert plan is not None and stat.S_IMODE(db.stat().st_mode) == 0o600


@pytest.mark.usefixtures("umask_022")
def test_a_group_readable_list_gets_group_readable_backups(tmp_path: Path) -> None:
    db = tmp_path / "list.json"
    reading_list = ReadingList.open(db, backup_interval=0)
    db.chmod(0o640)
    reading_list.set_starred([paper(1)], True)
    reading_list.set_starred([paper(2)], True)
    assert stat.S_IMODE(backup_paths(db)[0].stat().st_mode) == 0o640


# -- messages --------------------------------------------------------------------------------


def test_a_json_error_never_reads_at_at(tmp_path: Path) -> None:
    db = tmp_path / "list.json"
    db.write_text('{"meta": "unterminated', encoding="utf-8")
    with pytest.raises(CorruptStoreError) as caught:
        ReadingList.open(db)
    message = str(caught.value)
    assert " at at " not in message
    assert "Unterminated string starting at line 1 column 10" in message
    db.write_text('{"meta": {} "x": 1}', encoding="utf-8")
    with pytest.raises(CorruptStoreError, match="Expecting ',' delimiter at line 1 column 13"):
        ReadingList.open(db)
    json.loads(NEWER)


def test_deeply_nested_json_is_damage_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "list.json"
    db.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    code, _, err = run(capsys, "restore", "--db", str(db))  # no backup: nothing to do
    assert code == 1 and "Traceback" not in err
    with pytest.raises(CorruptStoreError, match="nested too deeply"):
        ReadingList.open(db)


@app_test
async def test_a_path_with_markup_is_printed_as_it_is_on_exit(tmp_path: Path) -> None:
    folder = tmp_path / "odd [bold]name[red]"
    folder.mkdir()
    app, _ = make_app(folder)
    (folder / "reading_list.json").write_text("{broken", encoding="utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StoreErrorScreen)
        await pilot.press("q")
        (message,) = app._exit_renderables
    console = Console(file=io.StringIO(), width=400)
    console.print(message)  # a markup string would lose its [bracketed] words
    assert "odd [bold]name[red]" in console.file.getvalue()
