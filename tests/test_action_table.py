"""The action table is the one source of key bindings, help, palette and the README."""

from __future__ import annotations

import re
from pathlib import Path

from reader.ui.actions import ACTIONS, BY_ID, bindings_for, help_rows, readme_table

README = Path(__file__).resolve().parents[1] / "README.md"
KEYS_SECTION = re.compile(r"<!-- keys:start -->\n(.*?)<!-- keys:end -->", re.S)


def test_readme_key_table_is_generated_from_the_action_table() -> None:
    found = KEYS_SECTION.search(README.read_text(encoding="utf-8"))
    assert found is not None, "README.md lost its <!-- keys:start/end --> markers"
    assert found.group(1) == readme_table(), (
        "README key table is stale: run  python -m reader.ui.actions --readme"
    )


def test_action_ids_are_unique_and_grouped() -> None:
    assert len(BY_ID) == len(ACTIONS)
    for action in ACTIONS:
        group, _, name = action.id.partition(".")
        assert group and name, action.id


def test_every_binding_carries_its_action_id_and_key() -> None:
    for target in ("screen", "list", "sidebar"):
        for binding in bindings_for(target):
            action = BY_ID[binding.id or ""]
            assert binding.key == action.key
            assert binding.action == action.action


def test_help_rows_follow_the_users_keymap() -> None:
    rows = help_rows({"triage.star": "S"})
    assert ("Triage", "S", "Star / unstar") in rows
    assert ("Triage", "s", "Star / unstar") not in rows


def test_a_key_is_bound_once_per_target() -> None:
    for target in ("screen", "list", "sidebar"):
        keys = [key for b in bindings_for(target) for key in b.key.split(",")]
        assert len(keys) == len(set(keys)), target
