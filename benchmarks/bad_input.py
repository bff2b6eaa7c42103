"""Bad input at full size (issue 12): prints how long each case takes, the peak RSS and the
problems reported; exits 1 if a record elsewhere was lost or no problem names the bad place.

    python benchmarks/bad_input.py [--size-mb 1024] [--line-mb 100] [--files 10000]

1. One file of ``--size-mb`` MB holding one ``--line-mb`` MB line between real records; the
   rest of the file is filled with further 100 MB lines (so it exercises the same streaming
   path at full size without parsing a million records), plus a second, normal file.
2. A directory of ``--files`` tiny files (one record each), loaded cold, then warm.

Each case runs in a fresh process with an empty cache directory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

RECORD = "CVApr {day}, 2023\nPaper number {n} on robustAda Lovelace, Alan Turing\nAbstract {n}.\n"


def _records(first: int, count: int) -> str:
    return "".join(RECORD.format(day=1 + n % 28, n=n) for n in range(first, first + count))


def _child(path: Path) -> None:
    from reader.parsing.corpus import load_corpus

    started = time.perf_counter()
    corpus = load_corpus([path])
    seconds = time.perf_counter() - started
    problems = [str(p) for p in corpus.problems]
    print(json.dumps({"seconds": seconds, "papers": len(corpus.papers), "problems": problems}))


def _measure(path: Path, cache: Path) -> tuple[dict[str, object], float]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", str(path)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, _, usage = os.wait4(child.pid, 0)
    return json.loads(output.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def _write_huge(directory: Path, size_mb: int, line_mb: int) -> Path:
    huge = directory / "huge.txt"
    block = b"x" * (1 << 20)
    with huge.open("wb") as out:
        out.write(_records(0, 10).encode())
        out.write(block * line_mb + b"\n")  # the long line: line 31
        out.write(_records(10, 10).encode())
        written = line_mb
        while written < size_mb:
            step = min(100, size_mb - written)
            out.write(block * step + b"\n")
            written += step
        out.write(_records(20, 10).encode())
    (directory / "normal.txt").write_text(_records(100, 5), encoding="utf-8")
    return huge


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--line-mb", type=int, default=100)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return 0
    ok = True
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        big = root / "big"
        big.mkdir()
        huge = _write_huge(big, args.size_mb, args.line_mb)
        result, rss = _measure(big, root / "cache1")
        problems = result["problems"]
        assert isinstance(problems, list)
        print(
            f"{args.size_mb} MB file with a {args.line_mb} MB line: {result['seconds']:.2f} s, "
            f"{result['papers']} papers (35 expected), peak RSS {rss:,.0f} MB"
        )
        for problem in problems[:3]:
            print(f"  {problem}")
        ok &= result["papers"] == 35 and any(str(p).startswith(f"{huge}:31: ") for p in problems)
        huge.unlink()

        many = root / "many"
        many.mkdir()
        for n in range(args.files):
            (many / f"{n:05d}.txt").write_text(f"UCL\nAbstract:Tiny paper {n}.\n")
        for label in ("cold", "warm"):
            result, rss = _measure(many, root / "cache2")
            print(
                f"{args.files:,} tiny files, {label}: {result['seconds']:.2f} s, "
                f"{result['papers']:,} papers, peak RSS {rss:,.0f} MB"
            )
            ok &= result["papers"] == args.files
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
