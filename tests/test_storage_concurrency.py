"""Real processes sharing one reading list: interleaved writers, and writers killed mid-save."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reader.storage.reading_list import ReadingList

REPO = Path(__file__).resolve().parent.parent

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from reader.model.paper import Paper
    from reader.storage.reading_list import ReadingList

    db, name, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    reading_list = ReadingList.open(db)
    while not go.exists():  # start both writers together so their saves interleave
        time.sleep(0.001)
    shared = Paper(id="5a5a5a5a5a5a", title="Shared", authors=("S",), abstract="")
    for i in range(40):
        own = Paper(id=f"{name}-{i}", title=f"{name} {i}", authors=("W",), abstract="")
        reading_list.add_tags([shared], [f"{name}-{i}"])
        reading_list.set_starred([own], True)
        if i % 10 == 9:
            reading_list.set_note(own, f"note by {name}")
    print(len(reading_list))
    """
)


def test_two_processes_writing_interleaved_lose_nothing(tmp_path: Path) -> None:
    db_path = tmp_path / "reading_list.json"
    ReadingList.open(db_path)
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db_path), name, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("alpha", "beta")
    ]
    go.touch()
    for writer in writers:
        _, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors
    annotations = ReadingList.open(db_path).all()
    shared = annotations["5a5a5a5a5a5a"]
    expected_tags = {f"{name}-{i}" for name in ("alpha", "beta") for i in range(40)}
    assert set(shared.tags) == expected_tags
    for name in ("alpha", "beta"):
        for i in range(40):
            own = annotations[f"{name}-{i}"]
            assert own.starred
            assert own.note == (f"note by {name}" if i % 10 == 9 else "")
    assert len(annotations) == 81


def test_killing_writers_at_random_moments_never_corrupts_or_loses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("kill_test", REPO / "benchmarks" / "kill_test.py")
    assert spec and spec.loader
    kill_test = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "kill_test", kill_test)  # dataclasses look it up there
    spec.loader.exec_module(kill_test)
    report = kill_test.run(30, tmp_path, seed=7)
    assert report.problems == []
    assert (report.kills, report.corrupt_files, report.lost_changes) == (30, 0, 0)
    assert report.acknowledged > 30  # the kills really interrupted a stream of saves
