"""reader sync with real git: a bare repository as the remote, two clones as two machines.

Every assertion re-reads the reading lists from disk. Times come from one shared fake
clock (a minute per change), so "the later edit wins" is exact.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader.storage.reading_list import ReadingList
from reader.sync import SyncError, init_sync
from reader.sync.merge import CONFLICT_MARK
from tests.sync_support import Clock, Machine, make_machine, make_remote, paper


@pytest.fixture
def machines(tmp_path: Path) -> tuple[Path, Machine, Machine]:
    clock = Clock()
    remote = make_remote(tmp_path)
    laptop = make_machine(tmp_path, "laptop", remote, clock)
    workstation = make_machine(tmp_path, "workstation", remote, clock)
    assert laptop.sync().in_sync  # both at the same commit before the test starts
    return remote, laptop, workstation


def sync_both(first: Machine, second: Machine) -> None:
    for machine in (first, second, first):
        report = machine.sync()
        assert report.in_sync, report


def test_rounds_of_edits_and_syncs_merge_field_by_field(machines) -> None:
    _, laptop, work = machines
    p1, p2, p3, p4 = paper(1), paper(2), paper(3), paper(4)

    # Round 1: different papers.
    laptop.reading_list.set_starred([p1], True)
    work.reading_list.add_tags([p2], ["ml"])
    report = laptop.sync()
    assert (report.committed, report.pushed, report.commit_message) == (1, True, "starred 1")
    report = work.sync()
    assert report.incoming == 1 and report.remote_host == "laptop", report
    assert report.summary().startswith("1 change from laptop")
    laptop.sync()
    expected = {
        p1.id: (True, (), "", "unread"),
        p2.id: (False, ("ml",), "", "unread"),
    }
    assert laptop.state() == work.state() == expected

    # Round 2: the same paper, different fields.
    laptop.reading_list.set_status([p1], "read")
    work.reading_list.set_note(p1.id, "great figures")
    work.reading_list.add_tags([p1], ["vision"])
    sync_both(laptop, work)
    expected[p1.id] = (True, ("vision",), "great figures", "read")
    assert laptop.state() == work.state() == expected

    # Round 3: the same note on both sides: the later edit wins, the other is kept below.
    laptop.reading_list.set_note(p1.id, "laptop's view")
    work.reading_list.set_note(p1.id, "workstation's view")  # later on the shared clock
    sync_both(laptop, work)
    note = laptop.state()[p1.id][2]
    assert note.startswith("workstation's view\n\n" + CONFLICT_MARK + " laptop, 2026-")
    assert note.endswith("\nlaptop's view")
    expected[p1.id] = (True, ("vision",), note, "read")
    assert laptop.state() == work.state() == expected

    # Round 4: a tag added on one side, removed on the other.
    laptop.reading_list.add_tags([p2], ["later"])
    work.reading_list.remove_tags([p2], ["ml"])
    work.reading_list.add_tags([p3], ["new"])
    sync_both(work, laptop)
    expected[p2.id] = (False, ("later",), "", "unread")
    expected[p3.id] = (False, ("new",), "", "unread")
    assert laptop.state() == work.state() == expected

    # Round 5: one side removes a tag the other adds to again: the add is a no-op there (the
    # tag was already present), so the removal stands; a tag added on both sides stays.
    laptop.reading_list.remove_tags([p3], ["new"])
    work.reading_list.add_tags([p3, p4], ["both"])
    laptop.reading_list.add_tags([p4], ["both"])
    sync_both(laptop, work)
    expected[p3.id] = (False, ("both",), "", "unread")
    expected[p4.id] = (False, ("both",), "", "unread")
    assert laptop.state() == work.state() == expected

    # Status changed on both sides (from "read"): the later edit (the workstation's) wins.
    laptop.reading_list.set_status([p1], "skipped")
    work.reading_list.set_status([p1], "unread")
    # A star set on one side and only toggled off and on again on the other: that side ends
    # where it started, so the workstation's unstar is the only change to the field.
    laptop.reading_list.set_starred([p2], True)
    laptop.sync()
    work.sync()
    work.reading_list.set_starred([p2], False)
    laptop.reading_list.set_starred([p2], False)
    laptop.reading_list.set_starred([p2], True)
    sync_both(laptop, work)
    expected[p1.id] = (True, ("vision",), note, "unread")
    expected[p2.id] = (False, ("later",), "", "unread")
    assert laptop.state() == work.state() == expected


def test_commit_message_says_what_changed(machines) -> None:
    _, laptop, _ = machines
    rl = laptop.reading_list
    rl.set_starred([paper(1), paper(2)], True)
    rl.add_tags([paper(i) for i in range(3, 8)], ["x"])
    rl.set_note(paper(9), "a note")
    report = laptop.sync()
    assert report.commit_message == "starred 2, tagged 5, 1 note"
    log = laptop.git("log", "-1", "--format=%B")
    assert log.startswith("starred 2, tagged 5, 1 note\n")
    assert "reader sync from laptop" in log
    # Each annotation the sync committed names the machine (for conflict labels).
    raw = json.loads(laptop.db.read_text(encoding="utf-8"))
    hosts = {doc["host"] for doc in raw["annotations"].values()}
    assert hosts == {"laptop"}


def test_nothing_to_do_is_in_sync_without_a_commit(machines) -> None:
    _, laptop, _ = machines
    before = laptop.git("rev-parse", "HEAD")
    report = laptop.sync()
    assert report.in_sync and not report.pushed and report.committed == 0
    assert report.summary() == "up to date"
    assert laptop.git("rev-parse", "HEAD") == before


def test_cli_sync_exit_status_and_messages(machines, tmp_path: Path) -> None:
    remote, laptop, work = machines
    laptop.reading_list.set_starred([paper(1)], True)
    done = laptop.sync_cli()
    assert done.returncode == 0, done.stderr
    assert "committed: starred 1" in done.stdout
    done = work.sync_cli()
    assert done.returncode == 0, done.stderr
    assert "1 change from laptop" in done.stdout
    assert work.state()[paper(1).id][0] is True

    # Offline: the local change is committed, nothing pushed, exit 1.
    remote.rename(tmp_path / "away.git")
    laptop.reading_list.set_note(paper(1).id, "offline note")
    done = laptop.sync_cli()
    assert done.returncode == 1
    assert "nothing was pushed" in done.stderr and "committed 1 change locally" in done.stderr
    assert "offline note" in laptop.git("show", "HEAD:reading_list.json")
    (tmp_path / "away.git").rename(remote)
    done = laptop.sync_cli()
    assert done.returncode == 0, done.stderr


def test_no_remote_commits_locally_and_exits_1(tmp_path: Path) -> None:
    machine = Machine("solo", tmp_path / "solo" / "reading_list.json", {}, Clock())
    from tests.sync_support import git_env

    machine.env = git_env(tmp_path / "home-solo", "solo")
    init_sync(machine.db, environ=machine.env)
    machine.reading_list.set_starred([paper(1)], True)
    done = machine.sync_cli()
    assert done.returncode == 1
    assert "no remote" in done.stderr and "nothing was pushed" in done.stderr
    assert machine.git("log", "-1", "--format=%s").strip() == "starred 1"


def test_init_via_cli_sets_up_driver_attributes_and_ignores(tmp_path: Path) -> None:
    from tests.sync_support import git_env

    remote = make_remote(tmp_path)
    env = git_env(tmp_path / "home", "one")
    db = tmp_path / "lists" / "reading_list.json"
    ReadingList.open(db, backup_interval=0).set_starred([paper(1)], True)
    ReadingList.open(db, backup_interval=0).set_starred([paper(2)], True)  # makes a .bak1
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "reader",
            "sync",
            "--init",
            "--remote",
            str(remote),
            "--db",
            str(db),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    git = ["git", "-C", str(db.parent)]
    driver = subprocess.run(
        [*git, "config", "merge.reader.driver"], env=env, capture_output=True, text=True
    ).stdout
    assert driver.strip() == f"{sys.executable} -m reader merge-driver %O %A %B"
    attr = subprocess.run(
        [*git, "check-attr", "merge", "reading_list.json"], env=env, capture_output=True, text=True
    ).stdout
    assert attr.strip() == "reading_list.json: merge: reader"
    tracked = subprocess.run(
        [*git, "ls-files"], env=env, capture_output=True, text=True
    ).stdout.split()
    assert sorted(tracked) == [".gitattributes", ".gitignore", "reading_list.json"]
    assert (db.parent / "reading_list.json.bak1").exists()
    assert (db.parent / "reading_list.json.lock").exists()
    status = subprocess.run(
        [*git, "status", "--porcelain", "--ignored"], env=env, capture_output=True, text=True
    ).stdout
    assert "?? " not in status  # backups and the lock are ignored, not untracked


def test_plain_git_merge_uses_the_driver(machines) -> None:
    """A user who merges by hand gets the same field-by-field merge from git."""
    _, laptop, work = machines
    laptop.reading_list.set_note(paper(1), "mine")
    laptop.sync()
    work.reading_list.set_note(paper(1), "theirs")
    work.reading_list.set_starred([paper(2)], True)
    work.sync(max_attempts=0)  # commit only (no fetch / push)
    work.git("fetch", "--quiet", "origin")
    branch = work.git("symbolic-ref", "--short", "HEAD").strip()
    work.git("merge", "--quiet", "--no-edit", f"origin/{branch}")
    state = work.state()
    assert state[paper(2).id][0] is True
    assert "theirs" in state[paper(1).id][2] and "mine" in state[paper(1).id][2]
    assert CONFLICT_MARK in state[paper(1).id][2]


def test_corrupt_remote_file_is_refused_and_local_file_untouched(machines, tmp_path: Path) -> None:
    remote, laptop, work = machines
    work.reading_list.set_starred([paper(1)], True)
    work.sync()
    # A third clone pushes a broken reading list (a hand edit gone wrong).
    vandal = tmp_path / "vandal"
    subprocess.run(
        ["git", "clone", "--quiet", "--branch", "main", str(remote), str(vandal)],
        env=work.env,
        check=True,
    )
    (vandal / "reading_list.json").write_text('{"annotations": {"1": "oops"}', encoding="utf-8")
    subprocess.run(
        ["git", "-C", str(vandal), "commit", "--quiet", "-am", "break it"], env=work.env, check=True
    )
    subprocess.run(["git", "-C", str(vandal), "push", "--quiet"], env=work.env, check=True)

    laptop.reading_list.set_starred([paper(2)], True)
    laptop.sync(max_attempts=0)  # commit (which stamps the host) without fetching
    before = laptop.db.read_bytes()
    done = laptop.sync_cli()
    assert done.returncode == 1
    assert "is not valid JSON" in done.stderr and "untouched" in done.stderr
    assert laptop.db.read_bytes() == before
    assert laptop.state()[paper(2).id][0] is True

    # The driver, as git runs it, refuses too: exit 1 and OURS untouched.
    base, ours, theirs = (tmp_path / name for name in ("base", "ours", "theirs"))
    base.write_bytes(b"")
    ours.write_bytes(before)
    theirs.write_bytes((vandal / "reading_list.json").read_bytes())
    done = subprocess.run(
        [sys.executable, "-m", "reader", "merge-driver", str(base), str(ours), str(theirs)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "not merged" in done.stderr
    assert ours.read_bytes() == before


def test_push_rejected_fetches_again_and_retries(machines) -> None:
    """The remote moves on between our fetch and our push: we fetch, merge and retry."""
    _, laptop, work = machines
    laptop.reading_list.set_starred([paper(1)], True)
    work.reading_list.set_starred([paper(2)], True)
    moved: list[int] = []

    def workstation_pushes_first(attempt: int) -> None:
        if attempt == 1:
            moved.append(attempt)
            assert work.sync().pushed

    report = laptop.sync(before_push=workstation_pushes_first)
    assert report.in_sync and report.pushed and report.attempts == 2 and moved == [1]
    assert report.incoming == 1 and report.remote_host == "workstation"
    work.sync()
    assert laptop.state() == work.state()
    assert set(laptop.state()) == {paper(1).id, paper(2).id}


def test_push_rejected_every_time_gives_up_after_bounded_tries(machines) -> None:
    _, laptop, work = machines
    laptop.reading_list.set_starred([paper(1)], True)
    calls: list[int] = []

    def remote_keeps_moving(attempt: int) -> None:
        calls.append(attempt)
        work.reading_list.add_tags([paper(attempt + 10)], [f"t{attempt}"])
        assert work.sync().pushed

    report = laptop.sync(before_push=remote_keeps_moving, max_attempts=3)
    assert not report.in_sync and calls == [1, 2, 3]
    assert "gave up after 3 tries" in (report.problem or "")
    assert laptop.sync().in_sync
    assert work.sync().in_sync
    assert laptop.state() == work.state()


def test_missing_git_is_a_clear_error(machines, tmp_path: Path) -> None:
    _, laptop, _ = machines
    env = dict(laptop.env, PATH=str(tmp_path / "empty-bin"))
    with pytest.raises(SyncError, match="git is not installed"):
        Machine("x", laptop.db, env, Clock()).sync()


def test_not_initialised_says_how_to_start(tmp_path: Path) -> None:
    from tests.sync_support import git_env

    db = tmp_path / "plain" / "reading_list.json"
    ReadingList.open(db)
    done = Machine("x", db, git_env(tmp_path / "h", "x"), Clock()).sync_cli()
    assert done.returncode == 1 and "reader sync --init" in done.stderr


def test_stale_git_locks_from_a_killed_git_are_cleared(machines) -> None:
    _, laptop, _ = machines
    gitdir = laptop.folder / ".git"
    (gitdir / "index.lock").write_bytes(b"")
    branch = laptop.git("symbolic-ref", "--short", "HEAD").strip()
    (gitdir / "refs" / "heads" / f"{branch}.lock").write_bytes(b"")
    laptop.reading_list.set_starred([paper(1)], True)
    assert laptop.sync().in_sync
    assert not (gitdir / "index.lock").exists()


def test_damaged_local_reading_list_is_never_committed(machines) -> None:
    _, laptop, _ = machines
    head = laptop.git("rev-parse", "HEAD")
    laptop.db.write_text("{ not json", encoding="utf-8")
    done = laptop.sync_cli()
    assert done.returncode == 1 and "reader restore" in done.stderr
    assert laptop.git("rev-parse", "HEAD") == head
    assert laptop.db.read_text(encoding="utf-8") == "{ not json"


def test_other_tables_merge_per_document(machines) -> None:
    """Saved searches (a table the app will add) merge like annotations: per key."""
    _, laptop, work = machines

    def edit(machine: Machine, change) -> None:
        raw = json.loads(machine.db.read_text(encoding="utf-8"))
        change(raw.setdefault("saved_searches", {}))
        machine.db.write_text(json.dumps(raw), encoding="utf-8")

    edit(laptop, lambda t: t.update({"1": {"name": "flows", "query": "flow"}}))
    sync_both(laptop, work)
    edit(laptop, lambda t: t["1"].update(query="normalizing flow"))
    edit(work, lambda t: t["1"].update(name="Flows"))
    edit(work, lambda t: t.update({"2": {"name": "ssl", "query": "tag:ssl"}}))
    sync_both(laptop, work)
    for machine in (laptop, work):
        table = json.loads(machine.db.read_text(encoding="utf-8"))["saved_searches"]
        assert table == {
            "1": {"name": "Flows", "query": "normalizing flow"},
            "2": {"name": "ssl", "query": "tag:ssl"},
        }


def test_open_window_picks_up_merged_changes(machines) -> None:
    """An app window holds a ReadingList and polls changed_on_disk(), as for annotate."""
    _, laptop, work = machines
    window = ReadingList.open(laptop.db)
    work.reading_list.set_starred([paper(7)], True)
    work.sync()
    assert not window.changed_on_disk()
    done = laptop.sync_cli()
    assert done.returncode == 0, done.stderr
    assert window.changed_on_disk()
    window.refresh()
    assert window.get(paper(7).id) is not None and window.get(paper(7).id).starred
    window.set_note(paper(7).id, "seen in the window")  # the window can keep writing
    assert laptop.sync().in_sync
    work.sync()
    assert work.state()[paper(7).id][2] == "seen in the window"


def test_hostile_host_name_is_data_in_commits_and_conflict_lines(machines) -> None:
    _, laptop, work = machines
    hostile = "\x1b[31mlap{x}%s$HOME\u202etop [bold]"
    laptop.git("config", "reader.host", hostile)
    laptop.reading_list.set_note(paper(1), "from the laptop")
    work.reading_list.set_note(paper(1), "from the workstation {x} %s")
    assert laptop.sync().in_sync
    report = work.sync()
    assert report.in_sync and report.remote_host is not None
    assert "\x1b" not in report.summary() and "\u202e" not in report.summary()
    note = work.state()[paper(1).id][2]
    conflict_line = next(line for line in note.splitlines() if line.startswith(CONFLICT_MARK))
    assert conflict_line.startswith(f"{CONFLICT_MARK} [31mlap{{x}}%s$HOMEtop [bold], ")
    assert "from the laptop" in note and "from the workstation {x} %s" in note
    message = laptop.git("log", "--format=%B", "-1", "--author=laptop")
    assert "\x1b" not in message and "\u202e" not in message


def test_corpus_files_in_the_same_repository_merge_by_line_or_stop_clearly(machines) -> None:
    _, laptop, work = machines
    listing = "\n".join(f"line {i}" for i in range(20)) + "\n"
    (laptop.folder / "corpus.txt").write_text(listing, encoding="utf-8")
    laptop.git("add", "corpus.txt")
    laptop.git("commit", "--quiet", "-m", "corpus")
    sync_both(laptop, work)
    assert (work.folder / "corpus.txt").read_text(encoding="utf-8") == listing

    # Different lines on each machine: git's line merge, as for any repository.
    for machine, old, new in (
        (laptop, "line 1\n", "line one\n"),
        (work, "line 18\n", "line 18!\n"),
    ):
        path = machine.folder / "corpus.txt"
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        machine.git("commit", "--quiet", "-am", "edit")
    sync_both(laptop, work)
    merged = (work.folder / "corpus.txt").read_text(encoding="utf-8")
    assert "line one\n" in merged and "line 18!\n" in merged
    assert (laptop.folder / "corpus.txt").read_text(encoding="utf-8") == merged

    # The same line on both: sync stops with a message; the reading list is untouched.
    for machine, text in ((laptop, "laptop"), (work, "workstation")):
        path = machine.folder / "corpus.txt"
        path.write_text(merged.replace("line 5\n", f"{text}\n"), encoding="utf-8")
        machine.git("commit", "--quiet", "-am", "clash")
    work.reading_list.set_starred([paper(1)], True)
    laptop.sync()
    work.sync(max_attempts=0)
    before = work.db.read_bytes()
    with pytest.raises(SyncError, match=r"corpus\.txt was changed on both machines"):
        work.sync()
    assert work.db.read_bytes() == before
