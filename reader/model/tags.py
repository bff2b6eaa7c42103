"""Tag names as the reading list stores them.

Rules (so ``ML``, `` ml `` and ``ml`` are one tag, and search's ``tag:NAME`` can find it):
- Unicode NFC, lower-cased with ``str.lower`` (not ``casefold``: "straße" stays "straße").
- Leading/trailing whitespace stripped, inner runs of whitespace collapsed to one space.
- A comma separates tags: ``"ml, to read"`` is two tags. Double quotes and control characters
  are dropped because search quotes tag names with spaces as ``tag:"my tag"``.
- Empty results are dropped; order of first appearance is kept, duplicates removed.
A stored annotation keeps its tags sorted, which makes files and comparisons deterministic.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_WHITESPACE = re.compile(r"\s+")


def _clean_one(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw)
    text = "".join(
        ch for ch in text if ch != '"' and (ch.isspace() or unicodedata.category(ch)[0] != "C")
    )
    return _WHITESPACE.sub(" ", text).strip().lower()


def normalize_tags(raw_tags: Iterable[str]) -> tuple[str, ...]:
    """Every tag named in ``raw_tags`` in canonical form, comma-separated names split."""
    seen: dict[str, None] = {}
    for raw in raw_tags:
        for part in raw.split(","):
            tag = _clean_one(part)
            if tag:
                seen.setdefault(tag, None)
    return tuple(seen)
