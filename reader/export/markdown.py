r"""A reading list in Markdown, for reading and for pasting into notes.

Layout (CommonMark; every ``#``, ``*``, ``_``, ``[``, ``<``, ``&``, ... from titles, names,
tags and notes is backslash-escaped, so text never turns into markup)::

    # Reading list — 2026-11-23 (3 papers)

    ★ marks starred papers.

    ## vision (2)

    ### ★ Masked Siamese Networks for Label-Efficient Learning

    Mahmoud Assran, Mathilde Caron, Ishan Misra et al. · 2022-04-14 · LG

    > the user's note, line breaks kept\
    > second line

    The abstract, only with ``abstracts=True``.

    ## Untagged (1)
    ...

Decisions: a paper with several tags is listed in full under each of its tags, so every
section reads on its own when pasted elsewhere. Sections are sorted by tag (case-folded),
untagged last; inside a section papers go newest first, undated last, then by title. Text is
shown in readable Unicode (LaTeX converted), as in the app.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

from reader.export.plain_text import one_line, paragraphs
from reader.export.selection import is_orphan
from reader.model.annotation import Annotation
from reader.model.latex import to_unicode
from reader.model.paper import Paper, fold_text

STAR = "★"
_MARKUP = re.compile(r"([\\`*_\[\]<>#!|~&$])")
# Line starts that open a list item, a heading underline or a thematic break.
_BLOCK_START = re.compile(r"^(?:([-+=])|(\d+)([.)]))")
# Newest first in an ascending sort: an ISO date with every digit inverted sorts backwards.
_INVERT_DIGITS = str.maketrans("0123456789", "9876543210")


def to_markdown(
    papers: Sequence[Paper],
    annotations: Mapping[str, Annotation],
    *,
    abstracts: bool = False,
    today: date | None = None,
    title: str = "Reading list",
) -> str:
    """The Markdown document for ``papers``; ends with one newline, no trailing spaces.

    ``title`` is the heading (escaped like any listing text: it may hold a user's query).
    """
    today = today or date.today()
    unique = list({paper.id: paper for paper in papers}.values())
    count = len(unique)
    heading = escape_inline(one_line(title)) or "Reading list"
    blocks = [f"# {heading} — {today.isoformat()} ({count} paper{'' if count == 1 else 's'})"]
    if not unique:
        blocks.append("Nothing to export.")
        return "\n\n".join(blocks) + "\n"
    if any(_annotation(annotations, paper).starred for paper in unique):
        blocks.append(f"{STAR} marks starred papers.")
    for heading, members in _sections(unique, annotations):
        blocks.append(f"## {heading} ({len(members)})")
        for paper in members:
            blocks.extend(_entry(paper, _annotation(annotations, paper), abstracts=abstracts))
    return "\n\n".join(blocks) + "\n"


def escape_inline(text: str) -> str:
    """One line of plain text as Markdown inline content that renders exactly as ``text``."""
    return _BLOCK_START.sub(_escape_block_start, _MARKUP.sub(r"\\\1", text))


def _escape_block_start(start: re.Match[str]) -> str:
    if start.group(1):
        return "\\" + start.group(1)
    return start.group(2) + "\\" + start.group(3)  # "1\." : digits cannot be escaped


def _sections(
    papers: list[Paper], annotations: Mapping[str, Annotation]
) -> list[tuple[str, list[Paper]]]:
    by_tag: dict[str, list[Paper]] = defaultdict(list)
    untagged: list[Paper] = []
    for paper in papers:
        tags = {one_line(tag) for tag in _annotation(annotations, paper).tags} - {""}
        for tag in tags:
            by_tag[tag].append(paper)
        if not tags:
            untagged.append(paper)
    sections = [
        (escape_inline(tag), sorted(by_tag[tag], key=_reading_order))
        for tag in sorted(by_tag, key=lambda tag: (tag.casefold(), tag))
    ]
    if untagged:
        sections.append(("Untagged", sorted(untagged, key=_reading_order)))
    return sections


def _reading_order(paper: Paper) -> tuple[bool, str, str, str]:
    newest_first = (paper.date or "").translate(_INVERT_DIGITS)
    return (paper.date is None, newest_first, fold_text(paper.display_title), paper.id)


def _entry(paper: Paper, annotation: Annotation, *, abstracts: bool) -> list[str]:
    title = escape_inline(one_line(paper.display_title)) or "(untitled)"
    star = f"{STAR} " if annotation.starred else ""
    blocks = [f"### {star}{title}"]
    details = _details(paper)
    if details:
        blocks.append(details)
    note = _blockquote(annotation.note)
    if note:
        blocks.append(note)
    if abstracts and paper.abstract:
        abstract = escape_inline(one_line(paper.display_abstract))
        if abstract:
            blocks.append(abstract)
    return blocks


def _details(paper: Paper) -> str:
    authors = ", ".join(filter(None, (one_line(to_unicode(name)) for name in paper.authors)))
    if authors and paper.authors_truncated:
        authors += " et al."
    parts = [authors, paper.date or "", one_line(paper.category or "")]
    if is_orphan(paper):
        parts.append("not in the loaded corpus")
    return escape_inline(" · ".join(part for part in parts if part))


def _blockquote(note: str) -> str:
    """The note as a blockquote: paragraphs kept, each line break a hard break (``\\``)."""
    quoted = []
    for block in paragraphs(note):
        if quoted:
            quoted.append(">")
        lines = [escape_inline(line) for line in block]
        quoted.extend(f"> {line}\\" for line in lines[:-1])
        quoted.append(f"> {lines[-1]}")
    return "\n".join(quoted)


def _annotation(annotations: Mapping[str, Annotation], paper: Paper) -> Annotation:
    return annotations.get(paper.id) or Annotation(paper.id)
