"""Saved searches: named queries kept in the reading list file (table ``saved_searches``).

Layout: one document per search, ``{"name": "to triage", "query": "is:unread tag:ml",
"updated": "2026-12-01T10:00:00+00:00"}``. Names are matched case-insensitively after
trimming, so "ML" and " ml " are one saved search.

They live in the reading list (not the app's state file) because they are the user's data:
backed up, synced between machines and merged like every other table. A document that does
not have this shape (written by a newer reader, or by hand) is left untouched and ignored,
never rewritten or dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SAVED_SEARCHES_TABLE = "saved_searches"
MAX_NAME_LENGTH = 80


@dataclass(frozen=True, slots=True)
class SavedSearch:
    name: str
    query: str
    doc_id: int


def clean_name(raw: str) -> str:
    """A saved search's name as stored: one line, no control characters, trimmed, at most
    MAX_NAME_LENGTH characters ("" when nothing is left)."""
    text = "".join(ch if ch.isprintable() else " " for ch in raw)
    return " ".join(text.split())[:MAX_NAME_LENGTH]


def read_saved_searches(table: Mapping[str, Any]) -> dict[str, SavedSearch]:
    """Saved searches by folded name, from the table's documents (odd ones ignored)."""
    found: dict[str, SavedSearch] = {}
    for doc_id, doc in table.items():
        if not (isinstance(doc, dict) and doc_id.isdigit()):
            continue
        name, query = doc.get("name"), doc.get("query")
        if isinstance(name, str) and isinstance(query, str) and clean_name(name):
            found.setdefault(fold(name), SavedSearch(clean_name(name), query, int(doc_id)))
    return found


def fold(name: str) -> str:
    return clean_name(name).casefold()
