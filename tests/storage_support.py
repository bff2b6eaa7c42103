"""Shared pieces for the reading-list trust tests: a one-paper corpus, a real `reader`
subprocess, hostile text strategies, and reading the file back from disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from reader.model.paper import Paper
from reader.parsing.corpus import load_corpus

REPO = Path(__file__).resolve().parent.parent

LISTING = (
    "LGApr 14, 2022\n"
    "Graph Neural Networks for EverythingAda Lovelace, Alan Turing\n"
    "We study graph neural networks on many tasks.\n"
)

# Every kind of text the standards call hostile, as fixed examples and as a strategy.
HOSTILE_EXAMPLES = [
    "a}b",
    "x{",
    "{n.__class__}",
    "{0}",
    "%s %(x)d %%",
    "\\ $ ~ {} %",
    "nul\x00byte",
    "\x1b[31mred\x1b[0m \x1b]52;c;aGk=\x07",
    "[bold]markup[/bold] [link=http://x]l[/link]",
    "bidi \u202eevil\u202c \u2066x\u2069",
    "bad utf8 \udcff\udcfe",
    "y" * 100_000,
]
HOSTILE_ALPHABET = st.sampled_from(list("{}%\\$~[]/,\"' \x00\x1b\u202e\u2066\udcff\nab"))
hostile_text = st.one_of(
    st.sampled_from(HOSTILE_EXAMPLES),
    st.text(HOSTILE_ALPHABET, max_size=40),
    st.text(max_size=40),
)


def one_paper_corpus(directory: Path) -> tuple[Path, Paper]:
    """A corpus file with one paper, and that paper as reader parses it."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "listing.txt"
    path.write_text(LISTING, encoding="utf-8")
    (paper,) = load_corpus([path]).papers
    return path, paper


def run_reader(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`reader ARGV...` as a real process (what a script beside the app does)."""
    return subprocess.run(
        [sys.executable, "-m", "reader", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env or dict(os.environ),
        cwd=REPO,
        check=False,
        timeout=120,
    )


def stored(db_path: Path) -> dict[str, dict[str, Any]]:
    """The annotations as written to disk, by paper id (re-read from the JSON file)."""
    data = json.loads(db_path.read_text(encoding="utf-8"))
    return {doc["paper_id"]: doc for doc in data.get("annotations", {}).values()}
