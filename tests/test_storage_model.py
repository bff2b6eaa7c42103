"""Property: any sequence of changes and undos leaves the file equal to a simple model."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.model.paper import Paper
from reader.storage.reading_list import ReadingList
from reader.storage.schema import read_snapshot

PAPERS = [Paper(id=f"{n:012x}", title=f"P{n}", authors=("A",), abstract="") for n in range(5)]
TAGS = ["ml", "ML ", "to read", "é", "a,b"]

Judgement = tuple[bool, frozenset[str], str, str]  # starred, tags, note, status
DEFAULT: Judgement = (False, frozenset(), "", "unread")


@dataclass
class Model:
    """What the reading list should hold, written as plainly as possible."""

    state: dict[str, Judgement] = field(default_factory=dict)
    undo: list[dict[str, Judgement | None]] = field(default_factory=list)

    def apply(self, ids: list[str], edit) -> None:
        before = {}
        for paper_id in dict.fromkeys(ids):
            old = self.state.get(paper_id)
            new = edit(old or DEFAULT)
            if new != (old or DEFAULT):
                before[paper_id] = old
                self.state[paper_id] = new
        if before:
            self.undo.append(before)

    def undo_last(self) -> None:
        if self.undo:
            for paper_id, old in self.undo.pop().items():
                if old is None:
                    del self.state[paper_id]
                else:
                    self.state[paper_id] = old


def tag_set(raw: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in raw.split(",") if part.strip())


papers = st.lists(st.sampled_from(range(len(PAPERS))), min_size=1, max_size=3)
operations = st.one_of(
    st.tuples(st.just("star"), papers, st.booleans()),
    st.tuples(st.just("toggle"), papers, st.none()),
    st.tuples(st.just("tag"), papers, st.sampled_from(TAGS)),
    st.tuples(st.just("untag"), papers, st.sampled_from(TAGS)),
    st.tuples(st.just("note"), papers, st.sampled_from(["", "hi", "two\nlines"])),
    st.tuples(st.just("status"), papers, st.sampled_from(["unread", "read", "skipped"])),
    st.tuples(st.just("undo"), st.just([0]), st.none()),
)


def run_on_both(reading_list: ReadingList, model: Model, operation) -> None:
    kind, indices, value = operation
    targets = [PAPERS[i] for i in indices]
    ids = [p.id for p in targets]
    if kind == "star":
        reading_list.set_starred(targets, value)
        model.apply(ids, lambda j: (value, *j[1:]))
    elif kind == "toggle":
        current = [model.state.get(i, DEFAULT)[0] for i in ids]
        target = not all(current)
        reading_list.set_starred(targets, target)
        model.apply(ids, lambda j: (target, *j[1:]))
    elif kind == "tag":
        reading_list.add_tags(targets, [value])
        model.apply(ids, lambda j: (j[0], j[1] | tag_set(value), j[2], j[3]))
    elif kind == "untag":
        reading_list.remove_tags(targets, [value])
        model.apply(ids, lambda j: (j[0], j[1] - tag_set(value), j[2], j[3]))
    elif kind == "note":
        reading_list.set_note(targets[0], value)
        model.apply(ids[:1], lambda j: (j[0], j[1], value, j[3]))
    elif kind == "status":
        reading_list.set_status(targets, value)
        model.apply(ids, lambda j: (*j[:3], value))
    else:
        reading_list.undo()
        model.undo_last()


def judgements_in(path: Path) -> dict[str, Judgement]:
    annotations = read_snapshot(json.loads(path.read_bytes())).annotations
    return {pid: (a.starred, frozenset(a.tags), a.note, a.status) for pid, a in annotations.items()}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operations, max_size=25))
def test_random_changes_and_undos_match_the_model(
    tmp_path_factory: pytest.TempPathFactory, ops: list
) -> None:
    path = tmp_path_factory.mktemp("model") / "reading_list.json"
    clock = lambda: datetime(2026, 1, 1, tzinfo=UTC)  # noqa: E731
    reading_list = ReadingList.open(path, clock=clock)
    model = Model()
    for operation in ops:
        run_on_both(reading_list, model, operation)
        assert judgements_in(path) == model.state
    reopened = ReadingList.open(path)
    assert reopened.all() == reading_list.all()
