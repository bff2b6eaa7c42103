"""The paper record every part of reader shares, and the id that annotations hang on.

A record is built once by a parser and never mutated afterwards except by the merge step,
so it is a slotted dataclass: at 10^6 papers the per-object dict would cost gigabytes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

# ASCII fast path: lower-case letters and digits survive, every other byte becomes a space.
_ASCII_FOLD = bytes(
    (c | 0x20) if chr(c).isalpha() else c if chr(c).isdigit() else 0x20 for c in range(128)
).ljust(256, b" ")
_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record came from: a file and the 1-based line its record starts on."""

    path: str
    line: int

    def __reduce__(self) -> tuple[type[Source], tuple[str, int]]:
        # Positional arguments unpickle several times faster than the slots-state default.
        return (Source, (self.path, self.line))

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line}

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(slots=True)
class Paper:
    """One paper. ``title`` is None for formats that carry no titles (abstract lists)."""

    id: str
    title: str | None
    authors: tuple[str, ...]
    abstract: str
    authors_truncated: bool = False
    orgs: tuple[str, ...] = ()
    category: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD
    has_code: bool = False
    sources: tuple[Source, ...] = ()
    possible_duplicates: tuple[str, ...] = ()
    # Fields a BibTeX import may carry beyond the listing formats (kept for round trips).
    extra: dict[str, str] = field(default_factory=dict)
    # The arXiv identifier (``2104.14294``, ``2104.14294v2``) when a source names one.
    arxiv_id: str | None = None

    def __reduce__(self) -> tuple[type[Paper], tuple[Any, ...]]:
        # The corpus cache holds up to 10^6 papers: positional arguments unpickle about
        # 2.5 times faster than the default for slotted dataclasses, shortening warm starts.
        return (
            Paper,
            (
                self.id,
                self.title,
                self.authors,
                self.abstract,
                self.authors_truncated,
                self.orgs,
                self.category,
                self.date,
                self.has_code,
                self.sources,
                self.possible_duplicates,
                self.extra,
                self.arxiv_id,
            ),
        )

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    @property
    def first_author(self) -> str | None:
        return self.authors[0] if self.authors else None

    @property
    def display_title(self) -> str:
        """Title in readable Unicode; untitled papers show the start of their abstract."""
        from reader.model.latex import to_unicode

        if self.title:
            return to_unicode(self.title)
        text = to_unicode(self.abstract)
        return (text[:90].rsplit(" ", 1)[0] + "…") if len(text) > 90 else text

    @property
    def display_abstract(self) -> str:
        from reader.model.latex import to_unicode

        return to_unicode(self.abstract)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "authors": list(self.authors),
            "authors_truncated": self.authors_truncated,
            "orgs": list(self.orgs),
            "category": self.category,
            "date": self.date,
            "has_code": self.has_code,
            "abstract": self.abstract,
            "sources": [s.to_json() for s in self.sources],
            "possible_duplicates": list(self.possible_duplicates),
        }
        if self.extra:
            data["extra"] = dict(self.extra)
        if self.arxiv_id is not None:
            data["arxiv_id"] = self.arxiv_id
        return data


def fold_text(text: str) -> str:
    """Case, accents, punctuation and spacing folded away: the key duplicates are matched on."""
    if "\\" in text or "$" in text or "{" in text:
        from reader.model.latex import to_unicode

        text = to_unicode(text)
    if text.isascii():
        return b" ".join(text.encode("ascii").translate(_ASCII_FOLD).split()).decode("ascii")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text).strip()


def paper_id(title: str | None, abstract: str) -> str:
    """Stable id from the folded title (or abstract when untitled).

    Folding makes the id independent of line endings, whitespace, case and accents, so the
    same paper pasted twice, or re-exported and re-imported, keeps its annotations.
    """
    folded_title = fold_text(title) if title else ""
    basis = folded_title or "abstract " + fold_text(abstract)
    return hashlib.blake2b(basis.encode("utf-8"), digest_size=6).hexdigest()
