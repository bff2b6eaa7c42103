"""Kill test for ``reader sync``: SIGKILL it at random moments, over and over.

Usage: python benchmarks/sync_kill.py [--kills 100] [--seed 1] [--dir DIR]

Two machines (folders with their own HOME and git identity) share a bare repository. Each
round: a change is made on a random machine and acknowledged (tag ``k<i>`` added through
``ReadingList``, which returns once it is on disk: a second writer beside sync); then
``reader sync`` starts on that machine in a real process and is killed with SIGKILL after
a random delay spread over a whole sync's duration (measured first), so kills land in the
commit, the fetch, the merge, the install and the push. Its git children are not killed
(they never are when a program is killed) and finish on their own.

After each kill: the reading list must load, ``git fsck`` must pass, and a rerun of
``reader sync`` must complete (exit 0). Every third round the other machine syncs too, so
the remote keeps moving and merges happen. At the end both machines sync; their reading
lists must be equal and hold every acknowledged tag.

Prints kills, reruns completed, invalid reading lists / repositories, lost changes, time.
Exit status 1 on any failure.
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

PAPERS = 12


@dataclass
class SyncKillReport:
    kills: int = 0
    reruns_completed: int = 0
    invalid_lists: int = 0
    invalid_repositories: int = 0
    lost_changes: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.reruns_completed == self.kills
            and not self.invalid_lists
            and not self.invalid_repositories
            and not self.lost_changes
            and not self.problems
        )

    def summary(self) -> str:
        return (
            f"kills: {self.kills}  reruns completed: {self.reruns_completed}  "
            f"invalid reading lists: {self.invalid_lists}  "
            f"invalid repositories: {self.invalid_repositories}  "
            f"lost changes: {self.lost_changes}"
        )


@dataclass
class _Machine:
    name: str
    db: Path
    env: dict[str, str]

    def sync_command(self) -> list[str]:
        return [sys.executable, "-m", "reader", "sync", "--db", str(self.db)]

    def sync(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.sync_command(), env=self.env, capture_output=True, text=True, timeout=300
        )


def _machine(root: Path, name: str, remote: Path) -> _Machine:
    home = root / f"home-{name}"
    home.mkdir(parents=True)
    (home / ".gitconfig").write_text(
        f"[user]\n\tname = {name}\n\temail = {name}@example.org\n[reader]\n\thost = {name}\n",
        encoding="utf-8",
    )
    env = {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
    }
    if "PYTHONPATH" in os.environ:  # run from a snapshot of the source (see README)
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    machine = _Machine(name, root / name / "reading_list.json", env)
    done = subprocess.run(
        [*machine.sync_command(), "--init", "--remote", str(remote)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{name}: reader sync --init failed: {done.stderr.strip()}")
    return machine


def _paper(index: int):  # type: ignore[no-untyped-def]
    from reader.model.paper import Paper

    return Paper(
        id=f"{index % PAPERS:012x}", title=f"Paper {index % PAPERS}", authors=(), abstract=""
    )


def _check(machine: _Machine, report: SyncKillReport, when: str) -> bool:
    """Check the machine once the killed sync's git children have ended too: they hold the
    sync lock (inherited), so taking it waits for them, as a rerun would."""
    from reader.storage.locking import exclusive_lock_fd

    with exclusive_lock_fd(machine.db.parent / ".git" / "reader-sync.flock", timeout=300):
        return _check_now(machine, report, when)


def _check_now(machine: _Machine, report: SyncKillReport, when: str) -> bool:
    from reader.storage.errors import StoreError
    from reader.storage.reading_list import ReadingList

    try:
        ReadingList.open(machine.db, read_only=True)
    except StoreError as error:
        report.invalid_lists += 1
        report.problems.append(f"{when}: {error}")
        return False
    fsck = subprocess.run(
        ["git", "fsck", "--no-progress", "--no-dangling"],
        cwd=machine.db.parent,
        env=machine.env,
        capture_output=True,
        text=True,
    )
    head = subprocess.run(
        ["git", "rev-parse", "--verify", "HEAD"],
        cwd=machine.db.parent,
        env=machine.env,
        capture_output=True,
        text=True,
    )
    if fsck.returncode != 0 or head.returncode != 0:
        report.invalid_repositories += 1
        report.problems.append(f"{when}: git fsck: {(fsck.stderr + head.stderr).strip()[-300:]}")
        return False
    return True


def run(kills: int, folder: Path, *, seed: int = 1) -> SyncKillReport:
    from reader.storage.reading_list import ReadingList

    rng = random.Random(seed)
    remote = folder / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    machines = [_machine(folder, "laptop", remote), _machine(folder, "workstation", remote)]
    for machine in machines:
        machine.sync()
    lists = [ReadingList.open(m.db, backup_interval=0) for m in machines]
    report = SyncKillReport()

    # How long an unkilled sync takes here, so the kills spread over all of it.
    lists[0].add_tags([_paper(0)], ["calibrate"])
    started = time.perf_counter()
    machines[0].sync()
    duration = time.perf_counter() - started
    acknowledged = ["calibrate"]

    for index in range(kills):
        side = rng.randrange(2)
        machine, reading_list = machines[side], lists[side]
        tag = f"k{index}"
        reading_list.refresh()
        reading_list.add_tags([_paper(index)], [tag])
        acknowledged.append(tag)
        child = subprocess.Popen(
            machine.sync_command(),
            env=machine.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0, duration))
        child.send_signal(signal.SIGKILL)
        child.wait()
        report.kills += 1
        when = f"after kill {report.kills} ({machine.name})"
        if not _check(machine, report, when):
            break
        rerun = machine.sync()
        if rerun.returncode != 0:
            report.problems.append(f"{when}: rerun failed: {rerun.stderr.strip()[-400:]}")
            break
        report.reruns_completed += 1
        if not _check(machine, report, f"{when}, rerun"):
            break
        if index % 3 == 2:
            other = machines[1 - side]
            done = other.sync()
            if done.returncode != 0:
                report.problems.append(f"{other.name}: sync failed: {done.stderr.strip()[-400:]}")
                break

    for machine in (machines[0], machines[1], machines[0]):
        done = machine.sync()
        if done.returncode != 0:
            report.problems.append(f"final sync of {machine.name}: {done.stderr.strip()[-400:]}")
    states = []
    for machine in machines:
        annotations = ReadingList.open(machine.db, read_only=True).all()
        states.append(
            {pid: (a.starred, a.tags, a.note, a.status) for pid, a in annotations.items()}
        )
    if states[0] != states[1]:
        report.problems.append("the two machines differ after the final syncs")
    present = {tag for judgement in states[0].values() for tag in judgement[1]}
    lost = [tag for tag in acknowledged if tag not in present]
    report.lost_changes = len(lost)
    if lost:
        report.problems.append(f"lost tags: {lost[:10]}")
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
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
