"""The scripting subcommands end to end: real corpus, real database file, real exports."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest

from reader.cli import main

MSN_TITLE = "Masked Siamese Networks for Label-Efficient Learning"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def msn_id(capsys: pytest.CaptureFixture[str], corpus: Path, db: Path) -> str:
    code, out, _ = run(capsys, "search", f'title:"{MSN_TITLE}"', str(corpus), "--db", str(db))
    assert code == 0
    return out.split()[0]


def test_parse_json_gives_every_unique_paper(
    capsys: pytest.CaptureFixture[str], sample_corpus_dir: Path
) -> None:
    code, out, err = run(capsys, "parse", str(sample_corpus_dir), "--json")
    assert (code, err) == (0, "")
    records = json.loads(out)
    assert len(records) == 651
    msn = next(r for r in records if r["title"] == MSN_TITLE)
    assert msn["authors"] == ["Mahmoud Assran", "Mathilde Caron", "Ishan Misra"]
    assert msn["authors_truncated"] is True
    assert msn["orgs"] == ["meta-ai", "mila"]
    assert (msn["category"], msn["date"]) == ("LG", "2022-04-14")
    assert msn["sources"] == [
        {"path": str(sample_corpus_dir / "001_00bc72dca980dd80.txt"), "line": 1}
    ]


def test_parse_summary(capsys: pytest.CaptureFixture[str], sample_corpus_dir: Path) -> None:
    code, out, _ = run(capsys, "parse", str(sample_corpus_dir))
    assert code == 0
    assert "dated-listing, 50 records, 0 errors, 0 warnings" in out
    assert "total: 5 files, 671 records, 651 unique papers, 0 problems" in out
    assert "duplicate groups merged: 19" in out


def test_annotate_then_search_and_export(
    capsys: pytest.CaptureFixture[str], sample_corpus_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "list.json"
    paper = msn_id(capsys, sample_corpus_dir, db)
    code, _, err = run(
        capsys,
        "annotate",
        paper,
        str(sample_corpus_dir),
        "--star",
        "--tag",
        "ssl",
        "--note",
        "50% {braces} & more",
        "--db",
        str(db),
    )
    assert (code, err) == (0, "")
    stored = json.loads(db.read_text(encoding="utf-8"))
    assert paper in json.dumps(stored)

    code, out, _ = run(
        capsys, "search", "is:starred tag:ssl", str(sample_corpus_dir), "--db", str(db), "--json"
    )
    assert code == 0
    [record] = json.loads(out)
    assert record["id"] == paper
    assert record["annotation"]["note"] == "50% {braces} & more"

    target = tmp_path / "out.bib"
    code, _, err = run(capsys, "export", str(sample_corpus_dir), "--db", str(db), "-o", str(target))
    assert code == 0
    assert "Exported 1 paper as BibTeX" in err
    [entry] = bibtexparser.parse_string(target.read_text(encoding="utf-8")).entries
    assert entry.key == "assran2022masked"

    # The export loads back through reader parse as the same paper.
    code, out, _ = run(capsys, "parse", str(target), "--json")
    assert code == 0
    [back] = json.loads(out)
    assert (back["id"], back["title"]) == (paper, MSN_TITLE)
    assert back["authors"] == ["Mahmoud Assran", "Mathilde Caron", "Ishan Misra"]


def test_search_limit_and_sort(
    capsys: pytest.CaptureFixture[str], sample_corpus_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "list.json"
    code, out, _ = run(
        capsys,
        "search",
        "",
        str(sample_corpus_dir),
        "--db",
        str(db),
        "--limit",
        "3",
        "--sort",
        "date",
    )
    assert code == 0
    assert len(out.splitlines()) == 3


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "search")[0] == 2
    assert run(capsys, "export", "--format", "docx")[0] == 2
    assert run(capsys, "annotate")[0] == 2
    assert run(capsys, "annotate", "abc", "--status", "maybe")[0] == 2


def test_corrupt_database_is_reported_not_overwritten(
    capsys: pytest.CaptureFixture[str], sample_corpus_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "list.json"
    db.write_text("{ not json", encoding="utf-8")
    code, _, err = run(capsys, "search", "flow", str(sample_corpus_dir), "--db", str(db))
    assert code == 1
    assert str(db) in err
    code, _, err = run(capsys, "annotate", "deadbeef0000", "--star", "--db", str(db))
    assert code == 1
    assert db.read_text(encoding="utf-8") == "{ not json"


def test_hostile_titles_reach_the_terminal_as_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    listing = tmp_path / "hostile.txt"
    listing.write_text(
        "Get trending papers in your email inbox!\n"
        "SubscribeEvil \x1b[31mred\x1b[0m [bold]Title[/]\n" + "An abstract sentence. " * 20 + "\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "search", "evil", str(listing), "--db", str(tmp_path / "db.json"))
    assert code == 0
    assert "\x1b" not in out
    assert "[bold]Title[/]" in out


def test_damaged_database_can_be_restored_from_the_cli(
    capsys: pytest.CaptureFixture[str], sample_corpus_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "list.json"
    paper = msn_id(capsys, sample_corpus_dir, db)
    assert run(capsys, "annotate", paper, str(sample_corpus_dir), "--star", "--db", str(db))[0] == 0
    assert (tmp_path / "list.json.bak1").exists()
    db.write_text('{"garbage', encoding="utf-8")

    code, _, err = run(capsys, "annotate", paper, "--unstar", "--db", str(db))
    assert code == 1
    assert f"reader restore --db {db}" in err
    assert db.read_text(encoding="utf-8") == '{"garbage'

    code, out, _ = run(capsys, "restore", "--db", str(db))
    assert code == 0
    assert "restored" in out
    assert list(tmp_path.glob("list.json.damaged-*"))
    code, out, _ = run(capsys, "search", "is:starred", str(sample_corpus_dir), "--db", str(db))
    assert code == 0


def test_restore_without_backup_fails_cleanly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "list.json"
    db.write_text("[]", encoding="utf-8")
    code, _, err = run(capsys, "restore", "--db", str(db))
    assert code == 1
    assert "no valid backup" in err
