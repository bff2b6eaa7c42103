"""Bad input of every kind: a clear message naming file and line, never a traceback."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from reader.cli import main
from reader.parsing.corpus import load_corpus, parse_bytes

DATED = (
    "LGApr 14, 2022\n"
    "Masked Siamese NetworksMahmoud Assran, Mathilde Caron et al. · meta-ai\n"
    "We propose Masked Siamese Networks.\n"
    "CVNov 3, 2022\n"
    "ImageNet-X: Understanding Model MistakesBadr Youbi Idrissi, Diane Bouchacourt\n"
    "ImageNet-X is a set of human annotations.\n"
)


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    from reader.cli import parse

    code = parse.run(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    code, _, err = run_cli(str(tmp_path / "empty.txt"))
    assert code == 1
    assert f"{tmp_path / 'empty.txt'}: error: empty file" in err


def test_whitespace_only_file_is_empty() -> None:
    parsed = parse_bytes(b"  \n\n\t\r\n", "blank.txt")
    assert parsed.failed
    assert parsed.problems[0].message == "empty file"


def test_binary_file(tmp_path: Path) -> None:
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    code, _, err = run_cli(str(tmp_path / "image.png"))
    assert code == 1
    assert "binary file (NUL byte on line 3)" in err


def test_file_in_no_known_format(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("shopping list\n- milk\n- eggs\n", encoding="utf-8")
    code, _, err = run_cli(str(tmp_path / "notes.txt"))
    assert code == 1
    assert "not a recognised listing" in err


def test_crlf_and_bom(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + DATED.replace("\n", "\r\n").encode("utf-8")
    parsed = parse_bytes(data, "crlf.txt")
    assert parsed.problems == []
    assert [p.title for p in parsed.papers] == [
        "Masked Siamese Networks",
        "ImageNet-X: Understanding Model Mistakes",
    ]
    assert parsed.papers[0].category == "LG"  # the BOM did not stick to the category


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_legacy_encodings_decode_with_a_warning(encoding: str) -> None:
    text = DATED.replace("Mathilde Caron", "Mathilde Caroñ").replace(
        "human annotations.", "human annotations – “curated”." if encoding == "cp1252" else "ok."
    )
    parsed = parse_bytes(text.encode(encoding), "legacy.txt")
    assert parsed.papers[0].authors[1] == "Mathilde Caroñ"
    [warning] = parsed.problems
    assert warning.severity == "warning"
    assert warning.line == 2
    assert "not valid UTF-8" in warning.message
    if encoding == "cp1252":
        assert "“curated”" in parsed.papers[1].abstract


def test_trailing_blank_lines_and_whitespace() -> None:
    text = "\n".join(line + " \t" for line in DATED.splitlines()) + "\n\n   \n\n"
    parsed = parse_bytes(text.encode(), "trailing.txt")
    assert parsed.problems == []
    assert len(parsed.papers) == 2
    assert parsed.papers[1].abstract == "ImageNet-X is a set of human annotations."


def test_last_record_cut_short_is_reported() -> None:
    cut = DATED + "LGJun 1, 2017\nLearning to Compute Word EmbeddingsDzmitry Bahdanau, Tom Bosc\n"
    parsed = parse_bytes(cut.encode(), "cut.txt")
    assert len(parsed.papers) == 3
    assert parsed.papers[2].abstract == ""
    [problem] = parsed.problems
    assert (problem.line, problem.message) == (8, "record cut short: no abstract line")

    header_only = parse_bytes((DATED + "LGJun 1, 2017\n").encode(), "cut2.txt")
    assert len(header_only.papers) == 2
    assert [(p.line, p.severity) for p in header_only.problems] == [(7, "error")]


def test_trending_list_cut_short_and_missing_abstract() -> None:
    abstract = "We study something at length and report results. " * 10
    text = (
        "Get trending papers in your email inbox!\n"
        f"SubscribeFirst Title\n{abstract}\nSecond Title Without Abstract\n"
        f"Third Title\n{abstract}\nFourth Title Cut Short\n"
    )
    parsed = parse_bytes(text.encode(), "trend.txt")
    assert [p.title for p in parsed.papers] == [
        "First Title",
        "Second Title Without Abstract",
        "Third Title",
        "Fourth Title Cut Short",
    ]
    assert [p.abstract == "" for p in parsed.papers] == [False, True, False, True]
    assert [(p.line, p.message) for p in parsed.problems] == [
        (4, "paper has no abstract line"),
        (7, "record cut short: no abstract line"),
    ]


def test_every_skipped_line_is_reported() -> None:
    text = "stray text before anything\n" + DATED + "an extra line after the abstract\n"
    parsed = parse_bytes(text.encode(), "stray.txt")
    assert len(parsed.papers) == 2
    assert [(p.line, p.severity) for p in parsed.problems] == [(1, "error"), (8, "error")]


def test_impossible_date_keeps_record_undated() -> None:
    parsed = parse_bytes(DATED.replace("Apr 14", "Feb 30").encode(), "date.txt")
    assert parsed.papers[0].date is None
    assert parsed.problems[0].line == 1


def test_directory_with_mixed_good_and_bad_files(sample_corpus_dir: Path, tmp_path: Path) -> None:
    shutil.copy(sample_corpus_dir / "001_00bc72dca980dd80.txt", tmp_path / "good.txt")
    (tmp_path / "bad.bin").write_bytes(b"\x00\x01\x02")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / ".hidden").write_text("ignored", encoding="utf-8")
    code, out, err = run_cli(str(tmp_path), "--json")
    assert code == 1
    records = json.loads(out)
    assert len(records) == 50
    assert sorted(line.split(":")[0] for line in err.splitlines()) == [
        str(tmp_path / "bad.bin"),
        str(tmp_path / "empty.txt"),
    ]


def test_missing_path_and_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(tmp_path / "nope.txt")]) == 1
    assert "no such file or directory" in capsys.readouterr().err
    assert main(["parse"]) == 2
    assert main(["parse", "--bogus", str(tmp_path)]) == 2


@pytest.mark.slow
def test_fifty_megabyte_file(tmp_path: Path) -> None:
    record = DATED.encode()
    copies = 53 * 1024 * 1024 // len(record)
    lines: list[bytes] = []
    for index in range(copies):
        # Distinct titles so nothing merges; 50 MB of real records.
        lines.append(record.replace(b"Masked Siamese Networks", b"Paper %d Networks" % index))
    big = tmp_path / "big.txt"
    big.write_bytes(b"".join(lines))
    assert big.stat().st_size >= 50 * 1024 * 1024
    corpus = load_corpus([big])
    assert corpus.problems == []
    assert corpus.record_count == 2 * copies
