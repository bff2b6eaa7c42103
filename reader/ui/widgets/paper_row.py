"""One line of the paper list as a Rich ``Text``, computed without a terminal.

Layout, left to right: selection mark, star, read state, title (with search matches
highlighted) followed by tag chips, then two columns: first author ("et al." when there are
more) and year. The author column is a share of the row, capped, so the title gets all the
spare width at any size (at 80 columns the title keeps ~50 cells, at 200 more than 100); in
very narrow rows the author and then the year are dropped rather than cut to "…"; a paper
with no author (or no author and no date) lends those empty columns to its title. Title and
chips are cut with an ellipsis; chips never take more than a share of the title's room.
Data is always added as plain text, so markup or escapes in a title stay inert.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from reader.model.annotation import Annotation
from reader.model.paper import Paper
from reader.ui.safe_text import display_line

SELECTED_MARK = "▌"
STAR_MARK = "★"
STATUS_MARKS = {"unread": "•", "read": " ", "skipped": "×"}
_MARKS_WIDTH = 4  # selection, star, status, space
_YEAR_WIDTH = 5  # " 2023"
_AUTHOR_SHARE = 0.2  # of the row
_AUTHOR_MAX = 22  # "Florian Bordes et al." fits; more would only pad
_AUTHOR_MIN = 8  # below this an author column is noise: drop it
_MIN_TITLE = 20  # the columns give way before the title shrinks below this
_MAX_CHIPS_SHARE = 0.3  # tag chips never take more than this share of the title's room


# Inline math as the LaTeX converter leaves it: ``$k$``, ``$k<5$``, ``$$x$$``. As in Pandoc,
# the opening dollar is followed by a non-space, the closing one preceded by a non-space and
# not followed by a digit, so prices ("costs $5 and $10") are left alone.
_INLINE_MATH = re.compile(r"(\$\$?)(?=\S)(.+?)(?<=\S)\1(?!\d)", re.DOTALL)
_MAX_MATH = 200  # longer "math" is more likely two stray dollars: keep the text as is


def readable_math(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` without the dollar delimiters of inline math, and the math's ranges in it.

    The parser's display form keeps the delimiters (``$k$-secretary``); a reader wants
    ``k-secretary`` with the math set apart (the pane shows it in italics)."""
    if "$" not in text:
        return text, []
    pieces: list[str] = []
    ranges: list[tuple[int, int]] = []
    length = 0
    last = 0
    for match in _INLINE_MATH.finditer(text):
        body = match.group(2)
        if len(body) > _MAX_MATH:
            continue
        before = text[last : match.start()]
        pieces.append(before)
        length += len(before)
        pieces.append(body)
        ranges.append((length, length + len(body)))
        length += len(body)
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces), ranges


def row_title(paper: Paper) -> str:
    """The title as the row shows it (math without its dollars); highlight spans are
    computed on this text."""
    return readable_math(display_line(paper.display_title))[0]


def column_widths(width: int) -> tuple[int, int]:
    """(author, year) column widths for a row ``width`` cells wide; 0 drops a column."""
    room = width - _MARKS_WIDTH - _MIN_TITLE
    year = _YEAR_WIDTH if room >= _YEAR_WIDTH else 0
    author = min(_AUTHOR_MAX, int(width * _AUTHOR_SHARE), room - year - 1)
    return (author if author >= _AUTHOR_MIN else 0), year


@dataclass(frozen=True, slots=True)
class RowStyles:
    base: Style = field(default_factory=Style)
    star: Style = field(default_factory=Style)
    match: Style = field(default_factory=Style)
    tag: Style = field(default_factory=Style)
    muted: Style = field(default_factory=Style)
    selected: Style = field(default_factory=Style)


def author_label(paper: Paper) -> str:
    first = paper.first_author
    if not first:
        return ""
    more = len(paper.authors) > 1 or paper.authors_truncated
    return f"{first} et al." if more else first


def render_row(
    paper: Paper,
    annotation: Annotation | None,
    title_spans: Sequence[tuple[int, int]],
    width: int,
    *,
    selected: bool = False,
    styles: RowStyles | None = None,
) -> Text:
    styles = styles or RowStyles()
    status = annotation.status if annotation else "unread"
    starred = bool(annotation and annotation.starred)

    row = Text(no_wrap=True, overflow="ellipsis", end="")
    row.append(SELECTED_MARK if selected else " ", styles.selected)
    row.append(STAR_MARK if starred else " ", styles.star)
    row.append(STATUS_MARKS.get(status, " "), styles.muted)
    row.append(" ")

    # Author and year have one width per row width, so they line up down the list.
    # A column with nothing to show is left to the title (only columns at the row's end or
    # before the year: the columns that remain keep their place, so they still line up).
    author_width, year_width = column_widths(width)
    label = author_label(paper)
    if not label:
        author_width = 0
        if not paper.year:
            year_width = 0
    right = Text(no_wrap=True, end="")
    if author_width:
        author = _truncate_plain(display_line(label), author_width)
        right.append(" " + author + " " * (author_width - cell_len(author)), styles.muted)
    if year_width:
        right.append(f" {paper.year}" if paper.year else " " * year_width, styles.muted)

    flexible = max(width - row.cell_len - right.cell_len, 4)
    chips = Text(no_wrap=True, end="")
    tags = annotation.tags if annotation else ()
    if tags:
        budget = max(int(flexible * _MAX_CHIPS_SHARE), 6)
        joined = " ".join(f"#{display_line(tag)}" for tag in tags)
        chips.append(" " + _truncate_plain(joined, budget - 1), styles.tag)

    title = Text(row_title(paper), no_wrap=True, end="")
    for start, end in title_spans:
        title.stylize(styles.match, start, end)
    if status != "unread":
        title.stylize(styles.muted)
    title.truncate(max(flexible - chips.cell_len, 4), overflow="ellipsis")
    row.append_text(title)
    row.append_text(chips)
    row.append(" " * max(flexible - title.cell_len - chips.cell_len, 0))
    row.append_text(right)
    row.truncate(width, overflow="ellipsis", pad=True)
    row.stylize_before(styles.base)
    return row


def _truncate_plain(text: str, width: int) -> str:
    if cell_len(text) <= width:
        return text
    clipped = Text(text)
    clipped.truncate(width, overflow="ellipsis")
    return clipped.plain
