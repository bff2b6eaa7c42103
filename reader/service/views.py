"""The sidebar's views and their live counts, computed without a terminal.

Every view except "Orphaned" is a search query (see the search contract); counts cover the
loaded papers only, because a view can only ever show loaded papers. Orphaned annotations
(their paper is not in the corpus) are listed separately, from the annotation's own copy of
the title and first author.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from reader.model.annotation import Annotation

ORPHANED = "orphaned"
INBOX_QUERY = "is:unread"
# The unread, unskipped papers in the learner's order (a front end sets the For you sort).
FOR_YOU = "for-you"


@dataclass(frozen=True, slots=True)
class View:
    key: str  # stable identifier, e.g. "inbox" or "tag:ml"
    label: str
    query: str | None  # None: not a search (the orphaned list)
    count: int


def tag_query(tag: str) -> str:
    """The query that shows one tag; names with spaces or quotes are quoted."""
    if any(ch.isspace() or ch in "\"'():" for ch in tag):
        escaped = tag.replace('"', "'")
        return f'tag:"{escaped}"'
    return f"tag:{tag}"


SAVED_PREFIX = "saved:"


def build_views(
    loaded_ids: Collection[str],
    annotations: Mapping[str, Annotation],
    orphan_count: int,
    saved: Sequence[tuple[str, str, int]] = (),
) -> list[View]:
    """The sidebar: fixed views, then saved searches (name, query, count), then one view
    per tag, then the orphaned annotations."""
    total = len(loaded_ids)
    statuses: Counter[str] = Counter()
    starred = noted = 0
    tags: Counter[str] = Counter()
    for paper_id, annotation in annotations.items():
        if paper_id not in loaded_ids:
            continue
        statuses[annotation.status] += 1
        starred += annotation.starred
        noted += bool(annotation.note.strip())
        tags.update(annotation.tags)
    views = [
        View("all", "All", "", total),
        View("inbox", "Inbox", INBOX_QUERY, total - statuses["read"] - statuses["skipped"]),
        View("starred", "Starred", "is:starred", starred),
        View("read", "Read", "is:read", statuses["read"]),
        View("skipped", "Skipped", "is:skipped", statuses["skipped"]),
        View("note", "Has note", "has:note", noted),
        View(FOR_YOU, "For you", INBOX_QUERY, total - statuses["read"] - statuses["skipped"]),
    ]
    views.extend(
        View(SAVED_PREFIX + name, f"⌕ {name}", query, count) for name, query, count in saved
    )
    for tag in sorted(tags, key=str.casefold):
        views.append(View(f"tag:{tag}", f"#{tag}", tag_query(tag), tags[tag]))
    views.append(View(ORPHANED, "Orphaned", None, orphan_count))
    return views


def counts_line(shown: int, views: list[View]) -> str:
    """The header's summary: shown / total, starred, unread."""
    by_key = {view.key: view.count for view in views}
    return (
        f"{shown:,} / {by_key.get('all', 0):,} shown · ★ {by_key.get('starred', 0):,} starred"
        f" · {by_key.get('inbox', 0):,} unread"
    )
