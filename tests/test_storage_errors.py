"""Bad files, unwritable places, failed saves, backups and restoring from them."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.model.paper import Paper
from reader.storage import atomic_file
from reader.storage import permissions as permissions_module
from reader.storage.backups import backup_paths
from reader.storage.errors import (
    CorruptStoreError,
    NewerSchemaError,
    ReadOnlyError,
    SaveError,
)
from reader.storage.locking import lock_path_for
from reader.storage.reading_list import ReadingList
from reader.storage.restore import restore_newest_backup
from reader.storage.schema import read_snapshot


def make_paper(n: int) -> Paper:
    return Paper(id=f"{n:012x}", title=f"Paper {n}", authors=("A. Author",), abstract="")


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


def damaged_copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".damaged-*"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "reading_list.json"


@pytest.fixture
def respect_permissions_as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Root may write anything, so os.access says yes; judge by the owner's mode bits instead
    (the files are root's own) so permission handling is tested whoever runs the suite."""
    if os.geteuid() != 0:
        return
    real_access = os.access

    def access(path: os.PathLike[str] | str, mode: int) -> bool:
        if not real_access(path, os.F_OK):
            return False
        bits = os.stat(path).st_mode
        needed = {os.W_OK: stat.S_IWUSR, os.R_OK: stat.S_IRUSR, os.X_OK: stat.S_IXUSR}
        return all(bits & flag for wanted, flag in needed.items() if mode & wanted)

    monkeypatch.setattr(permissions_module.os, "access", access)


# -- files we cannot use ------------------------------------------------------------------


def test_not_json_is_reported_with_the_path_and_kept_untouched(db_path: Path) -> None:
    db_path.write_text('{"meta": {"1": {"schema": 1}},\n "annotations": {oops}}')
    original = db_path.read_bytes()
    with pytest.raises(CorruptStoreError) as caught:
        ReadingList.open(db_path)
    message = str(caught.value)
    assert str(db_path) in message and "not valid JSON" in message and "line 2" in message
    assert db_path.read_bytes() == original
    [copy] = damaged_copies(db_path)
    assert copy.read_bytes() == original and caught.value.damaged_copy == copy
    assert copy.name in message
    with pytest.raises(CorruptStoreError):
        ReadingList.open(db_path)
    assert damaged_copies(db_path) == [copy]  # the same damage is copied once


def test_invalid_utf8_is_corruption(db_path: Path) -> None:
    db_path.write_bytes(b'{"meta": "\xff\xfe"}')
    with pytest.raises(CorruptStoreError, match="not valid UTF-8"):
        ReadingList.open(db_path)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([1, 2], "expected a JSON object of tables, found a list"),
        ({"annotations": {}}, "no 'meta' table"),
        ({"meta": {"1": {"schema": "1"}}}, "schema version '1' is not a positive whole number"),
        ({"meta": {"1": {"schema": 1}}, "annotations": []}, "table 'annotations' should be"),
        ({"meta": {"1": {"schema": 1}}, "annotations": {"x": {}}}, "id 'x' is not a number"),
        ({"meta": {"1": {"schema": 1}}, "annotations": {"1": "p"}}, "expected an object"),
        ({"meta": {"1": {"schema": 1}}, "annotations": {"1": {"starred": True}}}, "paper_id"),
        (
            {"meta": {"1": {"schema": 1}}, "annotations": {"3": {"paper_id": "p", "starred": 1}}},
            "annotation 3: 'starred' has the wrong type (a number)",
        ),
        (
            {"meta": {"1": {"schema": 1}}, "annotations": {"1": {"paper_id": "p", "tags": [1]}}},
            "'tags' should be a list of strings",
        ),
        (
            {"meta": {"1": {"schema": 1}}, "annotations": {"1": {"paper_id": "p", "status": "x"}}},
            "unknown status 'x'",
        ),
        (
            {
                "meta": {"1": {"schema": 1}},
                "annotations": {"1": {"paper_id": "p"}, "2": {"paper_id": "p"}},
            },
            "annotations 1 and 2 are both for paper 'p'",
        ),
    ],
)
def test_valid_json_of_the_wrong_shape_is_corruption(
    db_path: Path, data: object, expected: str
) -> None:
    write_json(db_path, data)
    original = db_path.read_bytes()
    with pytest.raises(CorruptStoreError) as caught:
        ReadingList.open(db_path)
    assert expected in str(caught.value) and str(db_path) in str(caught.value)
    assert db_path.read_bytes() == original
    assert len(damaged_copies(db_path)) == 1


def test_newer_schema_is_refused_and_left_alone(db_path: Path) -> None:
    write_json(db_path, {"meta": {"1": {"schema": 2}}, "annotations": {}})
    original = db_path.read_bytes()
    with pytest.raises(NewerSchemaError, match=r"schema 2; this version reads up to 1") as caught:
        ReadingList.open(db_path)
    assert caught.value.path == db_path
    assert db_path.read_bytes() == original and damaged_copies(db_path) == []


def test_an_empty_file_is_damage_not_an_empty_reading_list(db_path: Path) -> None:
    db_path.write_bytes(b"")
    with pytest.raises(CorruptStoreError, match=r"the file is empty \(0 bytes\)"):
        ReadingList.open(db_path)
    assert db_path.read_bytes() == b""


def test_a_folder_in_place_of_the_file_is_reported(db_path: Path) -> None:
    db_path.mkdir()
    with pytest.raises(CorruptStoreError, match="is a folder"):
        ReadingList.open(db_path)


def test_damage_appearing_while_open_blocks_saving_and_keeps_state(db_path: Path) -> None:
    reading_list = ReadingList.open(db_path)
    reading_list.set_starred([make_paper(1)], True)
    db_path.write_text("garbage")
    assert reading_list.changed_on_disk()
    with pytest.raises(CorruptStoreError):
        reading_list.set_starred([make_paper(2)], True)
    assert db_path.read_text() == "garbage"
    assert set(reading_list.all()) == {make_paper(1).id}
    with pytest.raises(CorruptStoreError):
        reading_list.refresh()
    assert set(reading_list.all()) == {make_paper(1).id}


# -- places we cannot write ---------------------------------------------------------------


@pytest.mark.usefixtures("respect_permissions_as_root")
def test_read_only_file_opens_read_only(db_path: Path) -> None:
    ReadingList.open(db_path).set_starred([make_paper(1)], True)
    original = db_path.read_bytes()
    db_path.chmod(0o444)
    reading_list = ReadingList.open(db_path)
    assert reading_list.read_only
    assert reading_list.read_only_reason == "the file is not writable"
    assert reading_list.get(make_paper(1).id).starred
    with pytest.raises(ReadOnlyError, match="cannot save changes: the file is not writable"):
        reading_list.add_tags([make_paper(1)], ["x"])
    assert db_path.read_bytes() == original


@pytest.mark.usefixtures("respect_permissions_as_root")
def test_read_only_folder_opens_read_only(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    db_path = folder / "reading_list.json"
    ReadingList.open(db_path).set_starred([make_paper(1)], True)
    original = db_path.read_bytes()
    listing = sorted(folder.iterdir())
    folder.chmod(0o555)
    try:
        reading_list = ReadingList.open(db_path)
        assert reading_list.read_only
        assert "is not writable" in (reading_list.read_only_reason or "")
        with pytest.raises(ReadOnlyError, match=re.escape(str(db_path))):
            reading_list.set_starred([make_paper(2)], True)
        assert sorted(folder.iterdir()) == listing
    finally:
        folder.chmod(0o755)
    assert db_path.read_bytes() == original


def test_permission_denied_while_saving_turns_read_only(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reading_list = ReadingList.open(db_path)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic_file.tempfile, "mkstemp", refuse)
    with pytest.raises(ReadOnlyError, match="Permission denied"):
        reading_list.set_starred([make_paper(1)], True)
    assert reading_list.read_only and reading_list.get(make_paper(1).id) is None


# -- failed saves -------------------------------------------------------------------------


def test_disk_full_mid_save_keeps_the_old_file_and_rolls_back(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reading_list = ReadingList.open(db_path, backup_interval=1e9)
    reading_list.set_starred([make_paper(1)], True)
    original = db_path.read_bytes()
    real_write = os.write
    calls = []

    def write_then_fill_up(fd: int, data: bytes) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data)[: max(1, len(data) // 2)])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic_file.os, "write", write_then_fill_up)
    with pytest.raises(SaveError) as caught:
        reading_list.add_tags([make_paper(1), make_paper(2)], ["lost"])
    monkeypatch.undo()
    assert "No space left on device" in str(caught.value) and str(db_path) in str(caught.value)
    assert "previous version is intact" in str(caught.value)
    assert db_path.read_bytes() == original
    assert reading_list.get(make_paper(1).id).tags == ()
    assert reading_list.get(make_paper(2).id) is None
    assert undone(reading_list) == "starred 1 paper"  # the failed change left no undo step
    assert sorted(p.name for p in db_path.parent.iterdir()) == sorted(
        ["reading_list.json", "reading_list.json.bak1", "reading_list.json.lock"]
    )


def test_fsync_failure_is_a_save_error(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reading_list = ReadingList.open(db_path)
    original = db_path.read_bytes()

    def fail(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(atomic_file.os, "fsync", fail)
    with pytest.raises(SaveError, match="Input/output error"):
        reading_list.set_note(make_paper(1), "lost")
    monkeypatch.undo()
    assert db_path.read_bytes() == original and len(reading_list) == 0
    reading_list.set_note(make_paper(1), "kept")
    assert reading_list.get(make_paper(1).id).note == "kept"


def test_a_held_lock_times_out_with_a_clear_message(db_path: Path) -> None:
    reading_list = ReadingList.open(db_path, lock_timeout=0.05)
    fd = os.open(lock_path_for(db_path), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(SaveError, match="another process has held the lock"):
            reading_list.set_starred([make_paper(1)], True)
    finally:
        os.close(fd)
    assert reading_list.get(make_paper(1).id) is None
    reading_list.set_starred([make_paper(1)], True)
    assert reading_list.get(make_paper(1).id).starred


def test_temporaries_left_by_a_killed_writer_are_cleaned_on_open(db_path: Path) -> None:
    ReadingList.open(db_path)
    stale = db_path.parent / ".reading_list.json.abc123.tmp"
    stale.write_text("{half")
    ReadingList.open(db_path)
    assert not stale.exists()


# -- backups ------------------------------------------------------------------------------


def test_backups_rotate_keeping_the_three_previous_versions(db_path: Path) -> None:
    reading_list = ReadingList.open(db_path, backup_interval=0)
    versions = [db_path.read_bytes()]
    for n in range(5):
        reading_list.set_starred([make_paper(n)], True)
        versions.append(db_path.read_bytes())
    bak1, bak2, bak3 = backup_paths(db_path)
    assert [bak1.read_bytes(), bak2.read_bytes(), bak3.read_bytes()] == versions[-2:-5:-1]
    assert not db_path.with_name("reading_list.json.bak4").exists()


def test_backups_are_spaced_out_by_the_interval(db_path: Path) -> None:
    reading_list = ReadingList.open(db_path, backup_interval=3600)
    first = db_path.read_bytes()
    for n in range(3):
        reading_list.set_starred([make_paper(n)], True)
    bak1, bak2, _ = backup_paths(db_path)
    assert bak1.read_bytes() == first and not bak2.exists()
    old = time.time() - 7200
    os.utime(bak1, (old, old))
    reading_list.set_starred([make_paper(9)], True)
    assert bak2.read_bytes() == first and bak1.read_bytes() != first


def test_restore_newest_backup_after_corruption(db_path: Path) -> None:
    reading_list = ReadingList.open(db_path, backup_interval=0)
    reading_list.set_starred([make_paper(1)], True)
    reading_list.set_starred([make_paper(2)], True)
    reading_list.set_starred([make_paper(3)], True)  # backups now: {1, 2}, {1}, {}
    db_path.write_text("{broken")
    with pytest.raises(CorruptStoreError):
        ReadingList.open(db_path)
    bak1 = backup_paths(db_path)[0]
    bak1.write_text('{"meta": {"1": {"schema": 1}}, "annotations": {"1": 5}}')  # bad too
    restored = restore_newest_backup(db_path)
    assert restored is not None and restored.backup.path == backup_paths(db_path)[1]
    assert set(ReadingList.open(db_path).all()) == {make_paper(1).id}
    assert [p.read_text() for p in damaged_copies(db_path)] == ["{broken"]


def test_restore_without_a_valid_backup_changes_nothing(db_path: Path) -> None:
    db_path.write_text("nope")
    assert restore_newest_backup(db_path) is None
    assert db_path.read_text() == "nope"


def test_backups_are_valid_reading_lists(db_path: Path) -> None:
    reading_list = ReadingList.open(db_path, backup_interval=0)
    for n in range(4):
        reading_list.add_tags([make_paper(n)], [f"t{n}"])
    backups = backup_paths(db_path)
    # Four saves with no minimum interval: three earlier versions are kept, newest first.
    assert len(backups) == 3
    counts = [len(read_snapshot(json.loads(b.read_bytes())).annotations) for b in backups]
    assert counts == [3, 2, 1]


@pytest.fixture(autouse=True)
def _restore_permissions(tmp_path: Path) -> Iterator[None]:
    yield
    for path in tmp_path.rglob("*"):
        if path.is_dir():
            path.chmod(0o755)


def test_a_restore_that_cannot_be_written_is_a_save_error(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reading_list = ReadingList.open(db_path, backup_interval=0)
    reading_list.set_starred([make_paper(1)], True)
    db_path.write_text("{broken")

    def fill_up(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("reader.storage.restore.write_atomically", fill_up)
    with pytest.raises(SaveError, match="cannot restore a backup: No space left on device"):
        restore_newest_backup(db_path)
    assert db_path.read_text() == "{broken"


def test_an_undo_that_cannot_be_saved_stays_available(db_path: Path) -> None:
    reading_list = ReadingList.open(db_path, lock_timeout=0.05)
    reading_list.set_starred([make_paper(1)], True)
    fd = os.open(lock_path_for(db_path), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(SaveError):
            reading_list.undo()
    finally:
        os.close(fd)
    assert reading_list.get(make_paper(1).id).starred
    assert undone(reading_list) == "starred 1 paper"
    assert reading_list.get(make_paper(1).id) is None


def undone(reading_list: ReadingList) -> str | None:
    """Undo the latest change; its description (None when there was nothing to undo)."""
    result = reading_list.undo()
    return None if result is None else result.description
