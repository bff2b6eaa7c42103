"""What changed between two versions of a reading list, in words for a commit message.

"starred 2, tagged 5, 1 note": counts of papers per kind of change (a paper starred and
tagged counts in both). Compared by paper id; the ``host`` stamp is not a change.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from reader.model.tags import normalize_tags
from reader.storage.schema import ANNOTATIONS_TABLE, HOST_KEY, META_TABLE, Tables

_DEFAULTS: dict[str, Any] = {"starred": False, "tags": [], "note": "", "status": "unread"}


@dataclass(slots=True)
class ChangeCounts:
    starred: int = 0
    unstarred: int = 0
    tagged: int = 0
    untagged: int = 0
    notes: int = 0
    status: Counter[str] = field(default_factory=Counter)
    added: int = 0  # new annotations with nothing else to say (e.g. status only "unread")
    removed: int = 0
    other_fields: int = 0
    other_documents: int = 0  # documents of other tables (saved searches, ...)
    changed_papers: set[str] = field(default_factory=set)
    hosts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        """Changed papers plus changed documents of other tables."""
        return len(self.changed_papers) + self.other_documents

    def describe(self) -> str:
        parts: list[str] = []
        for count, verb in (
            (self.starred, "starred"),
            (self.unstarred, "unstarred"),
            (self.tagged, "tagged"),
            (self.untagged, "untagged"),
        ):
            if count:
                parts.append(f"{verb} {count}")
        if self.notes:
            parts.append(f"{self.notes} note{'s' if self.notes != 1 else ''}")
        for status in ("read", "skipped", "unread"):
            if self.status[status]:
                parts.append(f"marked {self.status[status]} {status}")
        if self.added:
            parts.append(f"added {self.added}")
        if self.removed:
            parts.append(f"removed {self.removed}")
        if self.other_fields and not parts:
            parts.append(f"updated {self.other_fields}")
        if self.other_documents:
            noun = "entry" if self.other_documents == 1 else "entries"
            parts.append(f"{self.other_documents} other {noun}")
        return ", ".join(parts) if parts else "no changes"

    def main_host(self) -> str | None:
        """The host named by most of the changed annotations (None when none is named)."""
        if not self.hosts:
            return None
        return max(sorted(self.hosts), key=lambda host: self.hosts[host])


def _index(tables: Tables | None) -> dict[str, dict[str, Any]]:
    if not tables:
        return {}
    return {doc["paper_id"]: doc for doc in tables.get(ANNOTATIONS_TABLE, {}).values()}


def describe_changes(old: Tables | None, new: Tables) -> ChangeCounts:
    """The changes that turn ``old`` (None: nothing yet) into ``new``."""
    counts = ChangeCounts()
    before = _index(old)
    for paper_id, doc in _index(new).items():
        previous = before.pop(paper_id, None)
        if previous == doc:
            continue
        if not _note_changes(counts, previous or {}, doc):
            continue
        counts.changed_papers.add(paper_id)
        host = doc.get(HOST_KEY)
        if isinstance(host, str) and host:
            counts.hosts[host] += 1
    counts.removed = len(before)
    counts.changed_papers.update(before)
    old_tables = old or {}
    for name, table in new.items():
        if name in (ANNOTATIONS_TABLE, META_TABLE):  # meta only holds the schema version
            continue
        previous_table = old_tables.get(name, {})
        counts.other_documents += sum(
            1 for doc_id, doc in table.items() if previous_table.get(doc_id) != doc
        )
        counts.other_documents += sum(1 for doc_id in previous_table if doc_id not in table)
    return counts


def _note_changes(counts: ChangeCounts, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Count what differs between two documents of one paper; False if only the stamp did."""

    def get(doc: dict[str, Any], key: str) -> Any:
        return doc.get(key, _DEFAULTS.get(key))

    changed = False
    if get(old, "starred") != get(new, "starred"):
        changed = True
        if get(new, "starred"):
            counts.starred += 1
        else:
            counts.unstarred += 1
    old_tags = set(normalize_tags(get(old, "tags")))
    new_tags = set(normalize_tags(get(new, "tags")))
    if new_tags - old_tags:
        counts.tagged += 1
        changed = True
    if old_tags - new_tags:
        counts.untagged += 1
        changed = True
    if get(old, "note") != get(new, "note"):
        counts.notes += 1
        changed = True
    if get(old, "status") != get(new, "status"):
        counts.status[str(get(new, "status"))] += 1
        changed = True
    if changed:
        return True
    ignored = {"starred", "tags", "note", "status", "updated", HOST_KEY}
    rest_old = {k: v for k, v in old.items() if k not in ignored}
    rest_new = {k: v for k, v in new.items() if k not in ignored}
    if not old and new:
        counts.added += 1
        return True
    if rest_old != rest_new:
        counts.other_fields += 1
        return True
    return False
