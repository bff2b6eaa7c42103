"""Merge benchmark: two reading lists of 10^5 annotations with 10^3 changes on each side.

Usage: python benchmarks/sync_merge.py [--annotations 100000] [--changes 1000] [--seed 1]

Builds a common ancestor, then two descendants, each with ``--changes`` edits (stars,
tags, notes, statuses; a tenth of them on papers the other side edits too, so field merges
and note conflicts happen; a tenth new papers). Times, best of three:

- the merge driver as git runs it (``merge_files``: read and check three files, merge,
  check the result, write OURS atomically): the figure the issue bounds (<= 2 s);
- the same work done the way the driver did it before it parsed only the documents that
  differ from OURS (three full json.loads, one json.dumps; garbage collector on), for a
  ratio measured in the same run;
- the merge alone on parsed tables (``merge_tables``);
- ``reader merge-driver`` as a process (adds interpreter start-up and imports).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

T0 = "2026-01-01T00:00:00+00:00"


def ancestor(count: int) -> dict[str, Any]:
    from reader.storage.schema import empty_tables

    tables = empty_tables()
    annotations = tables["annotations"]
    for index in range(count):
        annotations[str(index + 1)] = {
            "paper_id": f"{index:012x}",
            "starred": index % 7 == 0,
            "tags": ["ml", "to read"] if index % 5 == 0 else [],
            "note": f"note {index}" if index % 11 == 0 else "",
            "status": "read" if index % 3 == 0 else "unread",
            "title": f"A paper about topic {index}",
            "first_author": "A. Author",
            "created": T0,
            "updated": T0,
            "host": "origin",
        }
    return tables


def descendant(
    base: dict[str, Any], changes: int, rng: random.Random, shared: list[int], side: str
) -> dict[str, Any]:
    tables = {name: dict(table) for name, table in base.items()}
    annotations = tables["annotations"]
    count = len(base["annotations"])
    stamp = f"2026-02-0{1 if side == 'a' else 2}T00:00:00+00:00"
    own = rng.sample(range(count), changes - len(shared) - changes // 10)
    for index in own + shared:
        key = str(index + 1)
        doc = dict(annotations[key])
        kind = rng.randrange(4)
        if kind == 0:
            doc["starred"] = not doc["starred"]
        elif kind == 1:
            doc["tags"] = sorted(set(doc["tags"]) | {f"{side}-tag"})
        elif kind == 2:
            doc["note"] = f"{side} wrote about {index}"
        else:
            doc["status"] = "skipped"
        doc["updated"] = stamp
        doc["host"] = side
        annotations[key] = doc
    for extra in range(changes // 10):
        key = str(count + extra + 1)
        annotations[key] = {
            "paper_id": f"{side}{extra:011x}",
            "starred": True,
            "tags": [],
            "note": "",
            "status": "unread",
            "title": "New",
            "first_author": None,
            "created": stamp,
            "updated": stamp,
            "host": side,
        }
    return tables


def best_of(runs: int, action) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Best wall-clock and best CPU time of this process (the CPU figure is what to compare
    on a machine shared with other work; a child process's CPU is not in it)."""
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> int:
    from reader.storage.atomic_file import write_atomically
    from reader.sync.driver import merge_files
    from reader.sync.merge import decode_tables, encode_tables, merge_tables

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    base = ancestor(args.annotations)
    shared = rng.sample(range(args.annotations), args.changes // 10)
    ours = descendant(base, args.changes, rng, shared, "a")
    theirs = descendant(base, args.changes, rng, shared, "b")
    folder = Path(tempfile.mkdtemp(prefix="reader-sync-merge-"))
    try:
        paths = {name: folder / name for name in ("base", "ours", "theirs")}
        versions = (base, ours, theirs)
        contents = {name: encode_tables(t) for name, t in zip(paths, versions, strict=True)}
        for name, path in paths.items():
            path.write_bytes(contents[name])
        size = len(contents["ours"]) / 1e6

        def driver() -> None:
            paths["ours"].write_bytes(contents["ours"])
            merge_files(paths["base"], paths["ours"], paths["theirs"])

        def driver_process() -> None:
            paths["ours"].write_bytes(contents["ours"])
            subprocess.run(
                [sys.executable, "-m", "reader", "merge-driver", *map(str, paths.values())],
                check=True,
            )

        def full_parse_driver() -> None:
            """The driver before the fast path: every file parsed, the result encoded whole."""
            ours_content = contents["ours"]
            paths["ours"].write_bytes(ours_content)
            o = decode_tables(paths["ours"].read_bytes())
            t = decode_tables(paths["theirs"].read_bytes(), like=o)
            b = decode_tables(paths["base"].read_bytes(), empty_ok=True, like=o)
            payload = encode_tables(merge_tables(b, o, t)[0])
            write_atomically(paths["ours"], payload)

        driver_time = best_of(3, driver)
        full_time = best_of(3, full_parse_driver)
        merged = decode_tables(paths["ours"].read_bytes())
        merge_time = best_of(3, lambda: merge_tables(base, ours, theirs))
        parse_time = best_of(3, lambda: [json.loads(content) for content in contents.values()])
        _, stats = merge_tables(base, ours, theirs)
        process_time = best_of(2, driver_process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"{args.annotations} annotations ({size:.1f} MB per file), {args.changes} changes per "
        f"side, {len(shared)} papers changed on both sides ({stats.conflicts} field conflicts, "
        f"{stats.note_conflicts} note conflicts); merged: {len(merged['annotations'])} "
        "annotations"
    )
    print(
        "merge driver (read and check 3 files, merge, atomic write): "
        f"{driver_time[0]:.2f} s wall, {driver_time[1]:.2f} s CPU"
    )
    print(
        "same work, every file parsed in full (the driver before it parsed only what "
        f"differs): {full_time[0]:.2f} s wall, {full_time[1]:.2f} s CPU "
        f"(ratio {full_time[1] / driver_time[1]:.1f}x CPU)"
    )
    print(
        f"  of which the merge of parsed tables: {merge_time[0] * 1000:.0f} ms wall, "
        f"{merge_time[1] * 1000:.0f} ms CPU"
    )
    print(
        f"  for reference, json.loads of the three files: {parse_time[0]:.2f} s wall, "
        f"{parse_time[1]:.2f} s CPU (the driver now parses OURS in full, and of BASE and "
        "THEIRS only the documents that differ from OURS)"
    )
    print(f"reader merge-driver as a process: {process_time[0]:.2f} s wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
