"""Command-line edges found by outside users (issue 9, "also broken")."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.paths import sample_corpus_dir

READER = [sys.executable, "-m", "reader"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*READER, *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        env=env,
    )


def test_options_are_accepted_after_paths_in_every_subcommand(tmp_path: Path) -> None:
    corpus = str(sample_corpus_dir())
    db = str(tmp_path / "list.json")
    found = run("search", "bayesian", corpus, "--limit", "2", "--db", db)
    assert found.returncode == 0, found.stderr
    assert len(found.stdout.splitlines()) == 2
    paper_id = found.stdout.split()[0]
    tagged = run("annotate", paper_id, corpus, "--tag", "x", "--db", db)
    assert tagged.returncode == 0, tagged.stderr
    exported = run("export", corpus, "--format", "markdown", "--db", db)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("# Reading list")
    parsed = run("parse", corpus, "--json")
    assert parsed.returncode == 0 and parsed.stdout.startswith("[")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["frobnicate"], "unknown subcommand or missing path 'frobnicate'"),
        (["/nonexistent/listings"], "no such file or directory: /nonexistent/listings"),
    ],
)
def test_a_typo_or_a_missing_path_stops_before_any_ui(args: list[str], message: str) -> None:
    started = time.monotonic()
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 60  # it did not open an app that spins


def test_without_a_terminal_the_app_says_to_use_the_subcommands() -> None:
    result = run(str(sample_corpus_dir()))
    assert result.returncode == 2
    assert "reader needs a terminal; use reader parse/search/export in scripts" in result.stderr


def test_a_missing_path_beside_a_real_one_is_a_problem_not_a_stop(tmp_path: Path) -> None:
    """Only when every path is missing is it a usage error; otherwise the rest is used."""
    from reader.cli.app import usage_problem

    real = tmp_path / "listing.txt"
    real.write_text("x\n", encoding="utf-8")
    assert usage_problem([real, tmp_path / "gone.txt"]) is None
    assert (
        usage_problem([tmp_path / "gone.txt"])
        == f"no such file or directory: {tmp_path / 'gone.txt'}"
    )


def test_reader_config_show_runs_with_no_config_file(tmp_path: Path) -> None:
    env = {**os.environ, "READER_CONFIG": str(tmp_path / "absent.toml")}
    result = run("config", "--show", env=env)
    assert result.returncode == 0, result.stderr
    assert "(not present)" in result.stdout
