"""The whole sample corpus, exported by the real CLI, read by real BibTeX consumers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pybtex.database import parse_file
from pybtex.errors import set_strict_mode


@pytest.fixture(scope="module")
def exported(sample_corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("bibtex")
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "XDG_DATA_HOME": str(work)}
    result = subprocess.run(
        [sys.executable, "-m", "reader", "export", "--all", "-o", str(work / "refs.bib"),
         str(sample_corpus_dir)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Exported 651 papers as BibTeX" in result.stderr
    return work / "refs.bib"


def test_pybtex_reads_every_entry_strictly(exported: Path) -> None:
    set_strict_mode(True)  # any syntax warning becomes an error
    try:
        database = parse_file(str(exported), bib_format="bibtex")
    finally:
        set_strict_mode(False)
    assert len(database.entries) == 651


def _bibtex_with_plain_style() -> bool:
    if shutil.which("bibtex") is None or shutil.which("kpsewhich") is None:
        return False
    found = subprocess.run(["kpsewhich", "plain.bst"], capture_output=True, text=True, check=False)
    return found.returncode == 0 and bool(found.stdout.strip())


@pytest.mark.skipif(not _bibtex_with_plain_style(), reason="BibTeX with plain.bst is not installed")
def test_bibtex_processes_the_export_without_errors_or_warnings(exported: Path) -> None:
    aux = exported.with_name("cite.aux")
    aux.write_text("\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n", encoding="utf-8")
    result = subprocess.run(
        ["bibtex", "cite"], cwd=exported.parent, capture_output=True, text=True, check=False
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "Warning" not in log and "error" not in log, log
    assert exported.with_name("cite.bbl").read_text(encoding="utf-8").count("\\bibitem") == 651


@pytest.mark.skipif(shutil.which("biber") is None, reason="biber is not installed")
def test_biber_validates_the_export_against_the_biblatex_data_model(exported: Path) -> None:
    result = subprocess.run(
        ["biber", "--tool", "--validate-datamodel", exported.name],
        cwd=exported.parent, capture_output=True, text=True, check=False,
    )  # fmt: skip
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    warnings = [line.split("WARN - ", 1)[1] for line in log.splitlines() if "WARN - " in line]
    # The only warnings left are about data the listings truly lack: abstract lists carry
    # no date, and untitled records no title. Everything the export writes is valid.
    lacking = re.compile(
        r"Datamodel: Entry '[^']+' \(refs\.bib\): Missing mandatory field "
        r"(- one of 'date, year' must be defined|'title')"
    )
    assert [warning for warning in warnings if not lacking.fullmatch(warning)] == []
    assert len(warnings) == 611  # 601 undated + 10 untitled records in the sample corpus
