"""One bad byte costs at most its own record's cleanliness, never its neighbours (issue 9, item 4).

Each listing format is cut from ``sample_corpus/`` (12 records; the abstract list has 10),
one NUL or invalid UTF-8 byte is injected into one record's line, and the file is re-read
from disk by the real loader.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.parsing.corpus import load_corpus

SAMPLE = Path(__file__).resolve().parent.parent / "sample_corpus"


def _cut(name: str, keep_lines: int) -> bytes:
    lines = (SAMPLE / name).read_bytes().split(b"\n")
    return b"\n".join(lines[:keep_lines]) + b"\n"


# (file, lines kept, records they hold, the 1-based line the bad byte goes into)
FORMATS = {
    "abstract-list": (_cut("000_769fdd035e1e3cf2.txt", 11), 10, 6),
    "dated-listing": (_cut("001_00bc72dca980dd80.txt", 36), 12, 15),
    "trending-list": (_cut("002_91f212dc20fdba46.txt", 26), 12, 12),
}
BAD_BYTES = {"NUL": b"\x00", "invalid UTF-8": b"\xff"}


def _records(path: Path) -> tuple[list[tuple[str, str | None, str]], list[str]]:
    corpus = load_corpus([path], use_cache=False)
    papers = [(p.id, p.title, p.abstract) for p in corpus.papers]
    return papers, [str(problem) for problem in corpus.problems]


def _inject(data: bytes, line: int, bad: bytes) -> bytes:
    lines = data.split(b"\n")
    target = lines[line - 1]
    lines[line - 1] = target[:20] + bad + target[20:]
    return b"\n".join(lines)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("bad", BAD_BYTES)
def test_one_bad_byte_keeps_every_record(tmp_path: Path, fmt: str, bad: str) -> None:
    data, count, line = FORMATS[fmt]
    clean_path, bad_path = tmp_path / "clean.txt", tmp_path / "bad.txt"
    clean_path.write_bytes(data)
    bad_path.write_bytes(_inject(data, line, BAD_BYTES[bad]))

    clean, clean_problems = _records(clean_path)
    kept, problems = _records(bad_path)

    assert clean_problems == [] and len(clean) == count
    assert len(kept) == count
    [problem] = problems
    assert problem.startswith(f"{bad_path}:{line}: ")
    assert ("NUL" in problem) if bad == "NUL" else ("UTF-8" in problem)
    # Only the damaged line's record may differ; every neighbour is exactly as before.
    changed = [i for i, (a, b) in enumerate(zip(clean, kept, strict=True)) if a != b]
    assert len(changed) <= 1


def test_invalid_byte_leaves_accented_neighbours_intact(tmp_path: Path) -> None:
    """The dated sample has real UTF-8 (Déjà Vu): it must not turn into cp1252 mojibake."""
    data = (SAMPLE / "001_00bc72dca980dd80.txt").read_bytes()
    assert "Déjà".encode() in data
    path = tmp_path / "bad.txt"
    path.write_bytes(_inject(data, 3, b"\xff"))
    kept, problems = _records(path)
    assert len(kept) == 50
    assert any(title and "Déjà Vu" in title for _, title, _ in kept)
    assert [p.split(": ")[0] for p in problems] == [f"{path}:3"]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(sorted(FORMATS)),
    st.integers(min_value=1, max_value=24),
    st.sampled_from([b"\x00", b"\xff", b"\xc3", b"\x1b[31m", "\u202e".encode(), b"{%$\\~}"]),
)
def test_any_bad_byte_anywhere_loses_no_other_record(
    tmp_path_factory: pytest.TempPathFactory, fmt: str, line: int, bad: bytes
) -> None:
    data, count, _ = FORMATS[fmt]
    line = min(line, data.count(b"\n"))
    path = tmp_path_factory.mktemp("bad") / "bad.txt"
    path.write_bytes(_inject(data, line, bad))
    clean_path = path.with_name("clean.txt")
    clean_path.write_bytes(data)
    clean, _ = _records(clean_path)
    kept, _ = _records(path)
    assert len(clean) == count and len(kept) >= count - 1
    assert len({r[0] for r in clean} - {r[0] for r in kept}) <= 1
