"""config.toml: typed settings, PATH:LINE messages, warnings for unknown keys, precedence,
and hostile content that never crashes and never reaches the terminal raw."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ui_support import app_test, main_screen, make_app, settle, stored

from reader.cli import main
from reader.cli.app import effective_settings
from reader.config import Settings, load_settings

HOSTILE = st.one_of(
    st.text(),
    st.sampled_from(
        [
            "{0.__class__}",
            "%s%n",
            "a}b{",
            "\\x00",
            "\x00",
            "\x1b[31mred\x1b]0;title\x07",
            "[bold]x[/]",
            "\u202eevil",
            "~$\\",
            "x" * 100_000,
        ]
    ),
)


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "config.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    settings_, problems = load_settings(tmp_path / "absent.toml")
    assert settings_ == Settings()
    assert problems == []


def test_values_are_read_and_their_sources_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'theme = "reader-light"\n\n'
        'default_sort = "date"\n'
        "auto_read = true\n"
        'corpus_paths = ["~/papers"]\n'
        '[keymap]\n"triage.star" = "S"\n',
    )
    settings_, problems = load_settings(path)
    assert problems == []
    assert settings_.theme == "reader-light"
    assert settings_.default_sort == "date"
    assert settings_.auto_read is True
    assert settings_.corpus_paths == (Path("~/papers").expanduser(),)
    assert settings_.keymap == {"triage.star": "S"}
    assert settings_.source("theme") == f"{path}:1"
    assert settings_.source("default_sort") == f"{path}:3"
    assert settings_.source("keymap.triage.star") == f"{path}:7"
    assert settings_.source("open_url") == "default"


def test_wrong_types_and_choices_are_errors_naming_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "x"\nauto_read = "yes"\ndefault_sort = "random"\n')
    settings_, problems = load_settings(path)
    assert [str(p) for p in problems] == [
        f'{path}:2: error: auto_read must be true or false (found "yes")',
        f"{path}:3: error: default_sort must be one of relevance, date, title, for-you"
        ' (found "random")',
    ]
    assert settings_.auto_read is False  # left at the default, never guessed


def test_unknown_keys_are_warnings(tmp_path: Path) -> None:
    path = write(tmp_path, "\n\nsomething_new = 3\n")
    settings_, problems = load_settings(path)
    assert settings_ == Settings()
    assert len(problems) == 1
    assert problems[0].severity == "warning"
    assert str(problems[0]).startswith(f"{path}:3: warning: unknown setting")


def test_syntax_errors_and_bad_encoding_name_the_line(tmp_path: Path) -> None:
    _, problems = load_settings(write(tmp_path, 'theme = "a"\nauto_read = \n'))
    assert problems[0].line == 2
    _, problems = load_settings(write(tmp_path, b'theme = "a"\n\ntheme2 = "\xff"\n'))
    assert (problems[0].line, problems[0].message) == (3, "not valid UTF-8")


def test_flags_override_config_which_overrides_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "reader-light"\nauto_read = true\n')
    args = argparse.Namespace(config=path, theme="reader-dark", auto_read=None, db=None)
    settings_ = effective_settings(args, io.StringIO())
    assert settings_ is not None
    assert settings_.theme == "reader-dark"
    assert settings_.source("theme") == "--theme"
    assert settings_.auto_read is True
    assert settings_.source("auto_read") == f"{path}:2"
    assert settings_.default_sort == "relevance"


def test_an_invalid_config_stops_the_app_before_any_ui(tmp_path: Path) -> None:
    path = write(tmp_path, "auto_read = 3\n")
    result = subprocess.run(
        [sys.executable, "-m", "reader", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"{path}:1: error: auto_read must be true or false" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_show_prints_values_sources_and_the_keymap(tmp_path: Path) -> None:
    path = write(tmp_path, '[keymap]\n"triage.star" = "S"\n"no.such" = "z"\n')
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        code = main(["config", "--show", "--config", str(path)])
    assert code == 0
    shown = out.getvalue()
    assert f'"triage.star" = "S"  # {path}:2; Star / unstar' in shown
    assert 'theme = "reader-dark"  # default' in shown
    assert f'{path}:3: warning: keymap: unknown action id "no.such"' in err.getvalue()


def _terminal_safe(text: str) -> bool:
    return not any(unicodedata.category(ch) in {"Cc", "Cf"} and ch not in "\n\t" for ch in text)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=HOSTILE, key=HOSTILE)
def test_hostile_values_never_crash_and_never_reach_the_terminal_raw(
    tmp_path: Path, value: str, key: str
) -> None:
    from reader.cli.config import render

    toml_string = value.replace("\\", "\\\\").replace('"', '\\"')
    toml_string = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in toml_string)
    toml_key = key.replace("\\", "\\\\").replace('"', '\\"')
    toml_key = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in toml_key)
    for text in (
        f'theme = "{toml_string}"\nopen_url = "{toml_string}"\n',
        f'"{toml_key}" = "{toml_string}"\n[keymap]\n"{toml_key}" = "{toml_string}"\n',
        value,  # not TOML at all, usually
    ):
        path = write(tmp_path, text.encode("utf-8", "surrogatepass"))
        settings_, problems = load_settings(path)
        for problem in problems:
            assert _terminal_safe(str(problem)), str(problem)
            assert len(str(problem)) < 500 + len(str(path))
        assert _terminal_safe(render(settings_, path))


@app_test
async def test_the_keymap_rebinds_a_key_in_the_app(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, settings=Settings(keymap={"triage.star": "S"}))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await main_screen(pilot)
        paper = screen.paper_list.current_paper
        assert paper is not None
        await pilot.press("s")  # no longer bound
        await settle(pilot)
        assert paper.id not in stored(app.db_path)
        await pilot.press("S")
        await settle(pilot)
        assert stored(app.db_path)[paper.id]["starred"] is True


def test_scripts_use_the_configured_reading_list_and_corpus(tmp_path: Path) -> None:
    """Flags over config over defaults, for `reader annotate` and `reader search` too."""
    from reader.paths import sample_corpus_dir

    db = tmp_path / "configured.json"
    config = write(
        tmp_path,
        f"reading_list = {json.dumps(str(db))}\n"
        f"corpus_paths = [{json.dumps(str(sample_corpus_dir()))}]\n",
    )
    env = {**os.environ, "READER_CONFIG": str(config)}
    found = subprocess.run(
        [sys.executable, "-m", "reader", "search", "bayesian optimization", "--limit", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert found.returncode == 0, found.stderr
    paper_id = found.stdout.split()[0]
    tagged = subprocess.run(
        [sys.executable, "-m", "reader", "annotate", paper_id, "--tag", "configured"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert tagged.returncode == 0, tagged.stderr
    assert "configured" in db.read_text(encoding="utf-8")
    other = tmp_path / "flag.json"
    flagged = subprocess.run(
        [sys.executable, "-m", "reader", "annotate", paper_id, "--star", "--db", str(other)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert flagged.returncode == 0, flagged.stderr
    assert json.loads(other.read_text(encoding="utf-8"))["annotations"]["1"]["starred"] is True


def test_a_broken_config_stops_scripts_with_the_line(tmp_path: Path) -> None:
    config = write(tmp_path, "reading_list = 5\n")
    env = {**os.environ, "READER_CONFIG": str(config)}
    result = subprocess.run(
        [sys.executable, "-m", "reader", "annotate", "abc", "--star"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert f"{config}:1: error: reading_list must be a non-empty string" in result.stderr


def test_for_you_is_a_sort_for_the_config_and_the_remembered_state(tmp_path: Path) -> None:
    from reader.search import SortKey
    from reader.ui.memory import keep, recall
    from reader.ui.state import UiState

    path = tmp_path / "config.toml"
    path.write_text('default_sort = "for-you"\n', encoding="utf-8")
    settings_, problems = load_settings(path)
    assert not problems and SortKey(settings_.default_sort) is SortKey.FOR_YOU
    state = UiState(tmp_path / "state.json")
    options = {"sidebar_visible": True, "query": "", "cursor_paper": None, "history": []}
    assert keep(state, theme="reader-dark", sort=SortKey.FOR_YOU, **options) is None
    again = recall(UiState.load(tmp_path / "state.json"))  # re-read from disk
    assert again.sort is SortKey.FOR_YOU
    assert SortKey.TITLE.next() is SortKey.FOR_YOU and SortKey.FOR_YOU.next() is SortKey.RELEVANCE


def test_a_command_reads_the_config_once_and_the_next_command_reads_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: `reader export` printed each config warning three times (corpus, reading
    list and web search each read the file)."""
    config = write(tmp_path, "frob = 1\n")
    monkeypatch.setenv("READER_CONFIG", str(config))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert main(["export", "--format", "markdown"]) == 0
    assert err.getvalue().count('unknown setting "frob"') == 1
    # The next command in the same process reads the file as it is now.
    write(tmp_path, "auto_read = 3\n")
    assert main(["export", "--format", "markdown"]) == 2
    assert f"{config}:1: error: auto_read must be true or false" in err.getvalue()
