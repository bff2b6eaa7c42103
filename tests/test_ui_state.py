"""The UI state file: typed values survive a round trip; nothing on disk can crash loading."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.ui.state import UiState, default_state_path

HOSTILE = st.one_of(
    st.text(),
    st.sampled_from(
        [
            "{ } % \\ $ ~",
            "\0",
            "\x1b[31mred\x1b]8;;http://x\x07",
            "[bold]markup[/]",
            "\u202egnp.exe",
            "x" * 100_000,
            "\udcff",
        ]
    ),
)


def test_default_path_is_in_the_user_state_dir() -> None:
    assert default_state_path() == Path(os.environ["XDG_STATE_HOME"]) / "reader" / "state.json"


def test_missing_file_is_empty_state() -> None:
    state = UiState.load()
    assert state.as_dict() == {} and state.problem is None
    assert state.get_str("export.scope", "results") == "results"


def test_typed_values_round_trip_through_the_file(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state.json"
    state = UiState.load(path)
    state.set("export.directory", tmp_path)
    state.set("export.scope", "tag:to read")
    state.set("list.cursor", 12)
    state.set("app.sidebar", False)
    state.set("search.history", ["graph", "tag:ml"])
    assert state.save() is None
    again = UiState.load(path)
    assert again.get_path("export.directory") == tmp_path
    assert again.get_str("export.scope") == "tag:to read"
    assert again.get_int("list.cursor") == 12
    assert again.get_bool("app.sidebar", True) is False
    assert again.get_str_list("search.history") == ["graph", "tag:ml"]


def test_wrong_types_fall_back_to_the_default(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(
        json.dumps({"a": 1, "b": "x", "c": True, "d": [1, "y"], "e": None}), encoding="utf-8"
    )
    state = UiState.load(path)
    assert state.get_str("a", "d") == "d"
    assert state.get_int("b", 7) == 7
    assert state.get_int("c", 7) == 7  # a bool is not a cursor position
    assert state.get_bool("a", True) is True
    assert state.get_str_list("d") == ["y"]
    assert state.get_path("e") is None


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b"[1, 2]",
        b'"text"',
        b"\xff\xfe\x00garbage",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": NaN}',
        b"x" * 2_000_000,
    ],
)
def test_damaged_files_load_as_empty_state_with_a_reason(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    state = UiState.load(path)
    if content == b'{"a": NaN}':  # Python's json accepts it: a value, just not a useful one
        assert state.get_int("a") is None
        return
    assert state.as_dict() == {}
    assert state.problem is not None and str(path) in state.problem
    state.set("k", "v")
    assert state.save() is None  # and the next save replaces the damaged file
    assert UiState.load(path).get_str("k") == "v"


def test_unreadable_state_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.mkdir()  # a directory where the file should be
    state = UiState.load(path)
    assert state.problem is not None
    state.set("k", "v")
    problem = state.save()
    assert problem is not None and str(path) in problem


@settings(max_examples=60, deadline=None)
@given(key=HOSTILE, value=st.one_of(HOSTILE, st.lists(HOSTILE, max_size=3)))
def test_hostile_text_round_trips_or_falls_back(key: str, value: str | list[str]) -> None:
    path = Path(os.environ["XDG_STATE_HOME"]) / "hypothesis-state.json"
    state = UiState.load(path)
    state.set(key, value)
    assert state.save() is None
    again = UiState.load(path)
    assert again.problem is None
    if isinstance(value, str):
        got = again.get_str(key)
        assert got == (value if "\0" not in value else None)
    else:
        assert again.get_str_list(key) == value
