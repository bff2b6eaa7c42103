r"""A reading list in Markdown, for reading and for pasting into notes.

Layout (CommonMark)::

    # Reading list — 2026-11-23 (3 papers)

    ★ marks starred papers.

    ## vision (2)

    ### ★ [Masked Siamese Networks for Label-Efficient Learning](https://arxiv.org/abs/2204.07141)

    Mahmoud Assran, Mathilde Caron, Ishan Misra et al. · 2022-04-14 · LG

    > The user's note, as the Markdown they wrote: **bold** stays bold.
    >
    > Second paragraph.

    The abstract, only with ``abstracts=True``.

    ## Untagged (1)
    ...

Listing text (titles, author names, dates, categories, tags, abstracts) is data: every
character that could turn it into markup (``* _ [ ] < > # ` \ ! | ~ $``, an ``&`` that
would start an entity, a list marker at the start) is backslash-escaped, so it renders
exactly as written. Each title links to the paper's web address (``reader.export.links``:
its arXiv page when known, else the same title search as the app's ``w`` key), so the list
is clickable; an untitled paper without an arXiv id has no link.

Notes are the user's own Markdown and pass through, inside a blockquote with every line
prefixed ``> `` (blank lines ``>``). A note cannot break the rest of the document:

- control, escape and bidi characters are removed (``reader.model.sanitize``);
- a code fence the note leaves open is closed at the end of the note, so it cannot swallow
  the next entry (CommonMark closes it with the blockquote anyway; other renderers may not);
- raw HTML does not pass: a ``<`` that would open a tag, comment or declaration is escaped
  (``\<``), so an unclosed ``<details>`` or ``<!--`` cannot hide the rest of a rendered page.
  Autolinks (``<https://...>``), code spans and fenced code are left as written. A code span
  that runs across lines is not recognised as one: a ``<`` inside it shows a backslash;
- trailing spaces are removed (the file has none); a hard break written as two trailing
  spaces becomes the equivalent trailing backslash.

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
from urllib.parse import quote

from reader.export.links import WebSearch, paper_url
from reader.export.plain_text import one_line
from reader.export.selection import is_orphan
from reader.model.annotation import Annotation
from reader.model.latex import to_unicode
from reader.model.paper import Paper, fold_text
from reader.model.sanitize import strip_unsafe

STAR = "★"
_MARKUP = re.compile(r"([\\`*_\[\]<>#!|~$])")
# "&" is literal in CommonMark unless it starts an entity or numeric character reference.
_ENTITY_START = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
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
    web_search: WebSearch | None = None,
) -> str:
    """The Markdown document for ``papers``; ends with one newline, no trailing spaces.

    ``title`` is the heading (escaped like any listing text: it may hold a user's query).
    ``web_search`` picks where titles link when a paper has no arXiv id (default: arXiv).
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
            annotation = _annotation(annotations, paper)
            blocks.extend(_entry(paper, annotation, abstracts=abstracts, web_search=web_search))
    return "\n\n".join(blocks) + "\n"


def escape_inline(text: str) -> str:
    """One line of plain text as Markdown inline content that renders exactly as ``text``."""
    escaped = _ENTITY_START.sub(r"\\&", _MARKUP.sub(r"\\\1", text))
    return _BLOCK_START.sub(_escape_block_start, escaped)


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


def _entry(
    paper: Paper, annotation: Annotation, *, abstracts: bool, web_search: WebSearch | None
) -> list[str]:
    title = escape_inline(one_line(paper.display_title)) or "(untitled)"
    url = paper_url(paper, web_search)
    if url is not None:
        title = f"[{title}]({link_destination(url)})"
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


def link_destination(url: str) -> str:
    """``url`` as a link destination: no space, parenthesis, angle bracket or backslash that
    would end or change it (percent-encoded; existing %XX escapes are kept)."""
    return quote(url, safe="!#$%&*+,-./:;=?@[]_~" + _ALPHANUMERIC)


_ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
# An opening code fence (CommonMark: up to 3 spaces, then 3+ backticks or tildes; a backtick
# fence's info string has no backtick). The closer is the same character, at least as long.
_FENCE = re.compile(r" {0,3}(`{3,}(?=[^`]*$)|~{3,})(.*)")
_HARD_BREAK_SPACES = re.compile(r"\S {2,}$")
# Inline tokens that matter for raw HTML: a backslash escape (skipped whole, so an escaped
# "<" stays escaped), a backtick run (may open a code span), an autolink (kept: it is a link,
# not HTML), and a "<" that would open a tag, closing tag, comment, declaration or PI.
_INLINE_HTML = re.compile(
    r"(?P<escape>\\.)"
    r"|(?P<ticks>`+)"
    r"|(?P<autolink><[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\x00-\x20<>]*>"
    r"|<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?>)"
    r"|(?P<html><(?=[A-Za-z/!?]))"
)


def _blockquote(note: str) -> str:
    """The note, the user's own Markdown, as a blockquote that cannot leak into the document.

    See the module docstring for the rules: sanitised, every line prefixed, open fences
    closed, raw HTML escaped, no trailing spaces.
    """
    lines = strip_unsafe(note).split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    quoted: list[str] = []
    fence: str | None = None  # the open fence's characters, e.g. "```" or "~~~~"
    for index, raw in enumerate(lines):
        line = raw.rstrip()
        if fence is not None:
            stripped = line.lstrip(" ")
            if (
                len(line) - len(stripped) <= 3
                and stripped.startswith(fence)
                and not stripped.strip(fence[0])
            ):
                fence = None
        elif (opening := _FENCE.fullmatch(line)) is not None:
            fence = opening.group(1)
        else:
            line = _escape_raw_html(line)
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if (
                _HARD_BREAK_SPACES.search(raw)
                and following.strip()
                and not line.lstrip().startswith("#")
                and not line.endswith("\\")
            ):
                line += "\\"
        quoted.append(f"> {line}" if line else ">")
    if fence is not None:
        quoted.append(f"> {fence}")
    return "\n".join(quoted)


def _escape_raw_html(line: str) -> str:
    """``line`` with every "<" that would start raw HTML escaped, outside code spans."""
    if "<" not in line:
        return line
    pieces: list[str] = []
    position = 0
    search_from = 0
    while (token := _INLINE_HTML.search(line, search_from)) is not None:
        if token.lastgroup == "ticks":
            run = token.group()
            closer = re.compile(f"(?<!`){run}(?!`)").search(line, token.end())
            search_from = closer.end() if closer is not None else token.end()
            continue
        if token.lastgroup == "html":
            pieces.append(line[position : token.start()] + "\\")
            position = token.start()
        search_from = token.end()
    pieces.append(line[position:])
    return "".join(pieces)


def _annotation(annotations: Mapping[str, Annotation], paper: Paper) -> Annotation:
    return annotations.get(paper.id) or Annotation(paper.id)
