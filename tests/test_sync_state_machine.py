"""Random edits on two machines and syncs in random order (Hypothesis state machine).

After a final round of syncs both reading lists are equal, and every note text a user
wrote and nobody later replaced *having seen it* is still there (possibly concatenated
with a conflicting edit). The model of "live" note texts: writing a note on a machine
supersedes every live text that machine's current note contains (the user saw them);
everything else written stays live.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from tests.sync_support import Clock, Machine, make_machine, make_remote, paper

HOSTILE = st.sampled_from(
    [
        "{x}",
        "%d",
        "\\",
        "$HOME",
        "~",
        "\0",
        "\x1b[1m",
        "\x1b]52;c;aGk=\x07",
        "[bold]x[/]",
        "\u202eevil",
        "line\nbreak",
        "é",
        "\ud7ff",
    ]
)
NOTE = st.one_of(
    st.lists(st.one_of(HOSTILE, st.text(min_size=1, max_size=6)), min_size=1, max_size=4).map(
        "".join
    ),
    st.just("long " * 20_000),  # 100 KB
)
PAPERS = 4


class TwoMachines(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="reader-sync-sm-"))
        clock = Clock()
        remote = make_remote(self.root)
        self.machines = [
            make_machine(self.root, "laptop", remote, clock),
            make_machine(self.root, "workstation", remote, clock),
        ]
        self.machines[0].sync()
        self.live: dict[str, set[str]] = {paper(i).id: set() for i in range(PAPERS)}
        self.edits = 0

    def machine(self, index: int) -> Machine:
        return self.machines[index]

    @rule(m=st.integers(0, 1), p=st.integers(0, PAPERS - 1), text=NOTE)
    def write_note(self, m: int, p: int, text: str) -> None:
        reading_list = self.machine(m).reading_list
        target = paper(p)
        current = reading_list.get(target.id)
        seen = current.note if current else ""
        self.live[target.id] = {t for t in self.live[target.id] if t not in seen}
        reading_list.set_note(target, text)
        stored = reading_list.get(target.id)
        assert stored is not None
        if stored.note:
            self.live[target.id].add(stored.note)
        self.edits += 1

    @rule(m=st.integers(0, 1), p=st.integers(0, PAPERS - 1), value=st.booleans())
    def star(self, m: int, p: int, value: bool) -> None:
        self.machine(m).reading_list.set_starred([paper(p)], value)
        self.edits += 1

    @rule(
        m=st.integers(0, 1),
        p=st.integers(0, PAPERS - 1),
        tag=st.sampled_from(["ml", "to read", "{x} %s $HOME \\ ~", "ßtraße", "\u202eevil"]),
        add=st.booleans(),
    )
    def tag(self, m: int, p: int, tag: str, add: bool) -> None:
        reading_list = self.machine(m).reading_list
        if add:
            reading_list.add_tags([paper(p)], [tag])
        elif paper(p).id in reading_list:
            reading_list.remove_tags([paper(p)], [tag])
        self.edits += 1

    @rule(
        m=st.integers(0, 1),
        p=st.integers(0, PAPERS - 1),
        status=st.sampled_from(["read", "unread", "skipped"]),
    )
    def status(self, m: int, p: int, status: str) -> None:
        self.machine(m).reading_list.set_status([paper(p)], status)  # type: ignore[arg-type]
        self.edits += 1

    @precondition(lambda self: self.edits > 0)
    @rule(m=st.integers(0, 1))
    def sync(self, m: int) -> None:
        report = self.machine(m).sync()
        assert report.in_sync, report

    def teardown(self) -> None:
        try:
            for m in (0, 1, 0):
                assert self.machine(m).sync().in_sync
            laptop, workstation = (machine.state() for machine in self.machines)
            assert laptop == workstation
            for paper_id, texts in self.live.items():
                note = laptop[paper_id][2] if paper_id in laptop else ""
                for text in texts:
                    assert text in note, (paper_id, text[:80], note[:300])
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


TwoMachines.TestCase.settings = settings(
    max_examples=6,
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
test_two_machines_converge_without_losing_notes = TwoMachines.TestCase
