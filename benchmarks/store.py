"""How long one star toggle takes to become durable, by reading list size.

Usage: python benchmarks/store.py [--sizes 100,10000,100000] [--repeats 15] [--dir DIR]

Builds a reading list of N annotations (written directly as a TinyDB file, which is much
faster than N API calls), opens it, then times ``set_starred`` on one paper: lock, stat,
serialise, write, fsync, rename, fsync of the folder. Prints the median and spread, and
the "disk floor": the same atomic rewrite with no reading-list logic, timed alternately
with the toggles, so a busy or slow disk shows up as such. The target is <= 10 ms at
10,000 annotations. Use --dir to measure on a particular disk (the default temporary
folder may be tmpfs, which hides the cost of fsync).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from reader.model.paper import Paper
from reader.storage.atomic_file import write_atomically
from reader.storage.reading_list import ReadingList
from reader.storage.schema import SCHEMA_VERSION


def build_file(path: Path, count: int) -> None:
    annotations = {
        str(n): {
            "paper_id": f"{n:012x}",
            "starred": n % 3 == 0,
            "tags": ["to read"] if n % 5 == 0 else [],
            "note": "Compare with the baseline in section 4." if n % 7 == 0 else "",
            "status": "read" if n % 2 else "unread",
            "title": f"A study of attention mechanisms in long-context language models, part {n}",
            "first_author": "Ada Lovelace",
            "created": "2026-01-01T00:00:00+00:00",
            "updated": "2026-01-01T00:00:00+00:00",
        }
        for n in range(1, count + 1)
    }
    data = {"meta": {"1": {"schema": SCHEMA_VERSION}}, "annotations": annotations}
    path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")


def time_toggles(path: Path, repeats: int) -> tuple[list[float], list[float], float]:
    """Toggle timings, disk-floor timings and the open time, in ms.

    The disk floor is an atomic rewrite of a file of the same size with no reading-list
    logic (write, fsync, rename, fsync of the folder): the part no code change can remove.
    Floor and toggle alternate so that both see the same background disk load.
    """
    started = time.perf_counter()
    reading_list = ReadingList.open(path)
    open_ms = (time.perf_counter() - started) * 1000
    paper = Paper(id=f"{1:012x}", title="A paper", authors=("Ada Lovelace",), abstract="")
    reading_list.set_starred([paper], True)  # the first save after opening encodes every document
    payload = path.read_bytes()
    scratch = path.with_name("floor.json")
    toggles, floors = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        reading_list.set_starred([paper], not reading_list.get(paper.id).starred)
        toggles.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        write_atomically(scratch, payload)
        floors.append((time.perf_counter() - started) * 1000)
    scratch.unlink()
    return toggles, floors, open_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        print(f"folder: {folder}  load average: {os.getloadavg()[0]:.2f}")
        print(
            f"{'annotations':>11}  {'file MB':>7}  {'open ms':>8}  {'toggle median ms':>16}  "
            f"{'min':>6}  {'max':>6}"
        )
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(folder) / f"reading_list_{size}.json"
            build_file(path, size)
            timings, floors, open_ms = time_toggles(path, args.repeats)
            megabytes = path.stat().st_size / 1e6
            floor = statistics.median(floors)
            print(
                f"{size:>11}  {megabytes:>7.2f}  {open_ms:>8.1f}  "
                f"{statistics.median(timings):>16.2f}  {min(timings):>6.2f}  "
                f"{max(timings):>6.2f}  {floor:>13.2f}"
            )


if __name__ == "__main__":
    main()
