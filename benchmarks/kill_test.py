"""Kill test: SIGKILL a process that is saving reading-list changes, over and over.

Usage: python benchmarks/kill_test.py [--kills 300] [--seed 1] [--dir DIR]

A child process opens the reading list and adds tag ``k<i>`` to paper ``i % 40`` for
i = start, start+1, ...; it prints ``i`` (and flushes) only AFTER ``add_tags`` returned,
i.e. after the change was acknowledged as durable. The parent kills it with SIGKILL at a
random moment, then checks that the file still loads and that every acknowledged change is
in it. Backups rotate on every save (interval 0) so kills also land inside rotation.

Prints: kills, changes acknowledged, corrupt files, lost changes. Any corrupt file or lost
change is a failure (exit status 1). SIGKILL cannot lose data the kernel already has, so this
checks atomicity and acknowledgement order, not power-cut durability (that is what the
fsyncs are for, and no test short of pulling the plug can show it).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PAPERS = 40


@dataclass
class KillReport:
    kills: int = 0
    acknowledged: int = 0
    corrupt_files: int = 0
    lost_changes: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.corrupt_files == 0 and self.lost_changes == 0

    def summary(self) -> str:
        return (
            f"kills: {self.kills}  changes acknowledged: {self.acknowledged}  "
            f"corrupt files: {self.corrupt_files}  lost changes: {self.lost_changes}"
        )


def paper_id(index: int) -> str:
    return f"{index % PAPERS:012x}"


def run_child(db_path: Path, start: int) -> None:
    """The process that gets killed: acknowledge each change only once it returned."""
    from reader.model.paper import Paper
    from reader.storage.reading_list import ReadingList

    reading_list = ReadingList.open(db_path, backup_interval=0)
    print("ready", flush=True)
    index = start
    while True:
        paper = Paper(id=paper_id(index), title=f"Paper {index % PAPERS}", authors=(), abstract="")
        reading_list.add_tags([paper], [f"k{index}"])
        print(index, flush=True)
        index += 1


def run(kills: int, folder: Path, *, seed: int = 1, max_delay: float = 0.15) -> KillReport:
    from reader.storage.errors import StoreError
    from reader.storage.reading_list import ReadingList

    rng = random.Random(seed)
    db_path = folder / "reading_list.json"
    report = KillReport()
    acknowledged: list[int] = []
    start = 0
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for _ in range(kills):
        child = subprocess.Popen(
            [sys.executable, __file__, "--child", str(db_path), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        if child.stdout.readline() != "ready\n":
            child.kill()
            _, errors = child.communicate()
            report.problems.append(f"child did not start: {errors.strip()[-500:]}")
            report.corrupt_files += 1
            break
        time.sleep(rng.uniform(0, max_delay))
        child.send_signal(signal.SIGKILL)
        output, _ = child.communicate()
        report.kills += 1
        # Only complete lines count: a number cut off by the kill was never acknowledged.
        lines = output.split("\n")[:-1]
        acknowledged += [int(line) for line in lines]
        start = (int(lines[-1]) if lines else start) + 2
        try:
            annotations = ReadingList.open(db_path, read_only=True).all()
        except StoreError as error:
            report.corrupt_files += 1
            report.problems.append(str(error))
            break
        lost = [
            i
            for i in acknowledged
            if f"k{i}" not in getattr(annotations.get(paper_id(i)), "tags", ())
        ]
        report.lost_changes = len(lost)
        if lost:
            report.problems.append(f"lost after kill {report.kills}: {lost[:10]}")
            break
    report.acknowledged = len(acknowledged)
    return report


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        run_child(Path(sys.argv[2]), int(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        report = run(args.kills, Path(folder), seed=args.seed)
    print(report.summary())
    for problem in report.problems:
        print("  " + problem)
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
