"""Bad input at scale (issue 12): one huge line, thousands of tiny files, files that vanish or
grow while they are read. Each gives a clear ``PATH:LINE: message`` problem, never a hang,
and every record elsewhere is kept. (benchmarks/bad_input.py runs the full-size variants: a
1 GB file with one 100 MB line, 10,000 files.)"""

from __future__ import annotations

from pathlib import Path

import pytest

import reader.parsing.corpus as corpus_module
from reader.parsing.corpus import load_corpus

RECORD = "CVApr {day}, 2023\nPaper number {n} on robustAda Lovelace, Alan Turing\nAbstract {n}.\n"


def _dated(first: int, count: int) -> str:
    return "".join(RECORD.format(day=1 + n % 28, n=n) for n in range(first, first + count))


@pytest.mark.parametrize("streamed", [False, True])
def test_one_20_mb_line_is_skipped_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    if streamed:  # the path a 1 GB file takes, proven here on a smaller one
        monkeypatch.setattr(corpus_module, "STREAM_ABOVE_BYTES", 1 << 20)
    huge = tmp_path / "huge.txt"
    with huge.open("w", encoding="utf-8") as out:
        out.write(_dated(0, 10))
        out.write("x" * 20_000_000 + "\n")  # line 31
        out.write(_dated(10, 10))
    (tmp_path / "other.txt").write_text(_dated(100, 5), encoding="utf-8")

    corpus = load_corpus([tmp_path], use_cache=False)

    assert len(corpus.papers) == 25
    messages = [str(p) for p in corpus.problems]
    assert f"{huge}:31: error: line of 20,000,000 bytes is longer than 1,048,576; skipped" in (
        messages
    )
    assert all("huge.txt:31" in m for m in messages)  # nothing else went wrong


def test_a_thousand_tiny_files_load_and_then_come_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus_dir = tmp_path / "many"
    corpus_dir.mkdir()
    for n in range(1000):
        (corpus_dir / f"{n:05d}.txt").write_text(f"UCL\nAbstract:Tiny paper {n}.\n")
    (corpus_dir / "00500.txt").write_bytes(b"\x00\x01\x02" * 10)  # one binary among them
    first = load_corpus([corpus_dir])
    assert len(first.papers) == 999
    assert [str(p) for p in first.problems] == [
        f"{corpus_dir / '00500.txt'}: error: binary file (NUL byte on line 1)"
    ]

    def fail(path: Path) -> None:
        raise AssertionError(f"parsed {path} again")

    monkeypatch.setattr(corpus_module, "parse_file", fail)
    assert len(load_corpus([corpus_dir]).papers) == 999


def test_a_file_deleted_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, first in (("a.txt", 0), ("b.txt", 10), ("c.txt", 20)):
        (tmp_path / name).write_text(_dated(first, 10), encoding="utf-8")
    real_keys = corpus_module.file_keys

    def keys_then_delete(files: list[Path], known: object = ()) -> object:
        keys = real_keys(files, known)  # type: ignore[arg-type]
        (tmp_path / "b.txt").unlink()  # another program removes it before it is parsed
        return keys

    monkeypatch.setattr(corpus_module, "file_keys", keys_then_delete)
    corpus = load_corpus([tmp_path])
    assert len(corpus.papers) == 20
    assert [str(p) for p in corpus.problems] == [
        f"{tmp_path / 'b.txt'}: error: cannot read: No such file or directory"
    ]


def test_a_file_growing_while_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    growing = tmp_path / "growing.txt"
    growing.write_text(_dated(0, 10), encoding="utf-8")
    (tmp_path / "steady.txt").write_text(_dated(50, 5), encoding="utf-8")
    real_parse_bytes = corpus_module.parse_bytes

    def append_meanwhile(data: bytes, name: str) -> object:
        if name == str(growing):  # a writer appends after the bytes were read
            with growing.open("a", encoding="utf-8") as out:
                out.write(_dated(10, 3))
        return real_parse_bytes(data, name)

    with monkeypatch.context() as patch:
        patch.setattr(corpus_module, "parse_bytes", append_meanwhile)
        corpus = load_corpus([tmp_path])
    assert len(corpus.papers) == 15  # what was there when read, and the other file whole
    [problem] = corpus.problems
    assert str(problem).startswith(f"{growing}: warning: the file changed while it was read")
    # The next start sees the whole file: the half-read state was not served from the cache.
    assert len(load_corpus([tmp_path]).papers) == 18
