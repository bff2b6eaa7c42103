"""The paper list: a virtual list on Textual's line API.

Only the visible rows are ever rendered (``render_line``), and each rendered row is cached as
a Strip keyed by everything that changes its look, so a corpus of 10^5 papers scrolls as fast
as one of 10. The list owns the cursor and the bulk selection; triage keys are declared here
(they apply when the list has focus) but act on the screen, which owns the reading list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.model.annotation import Annotation
from reader.model.paper import Paper
from reader.parsing.table import paper_ids
from reader.search import ParsedQuery, highlight_spans
from reader.ui.actions import bindings_for
from reader.ui.widgets.paper_row import RowStyles, render_row, row_title

STRIP_CACHE_ROWS = 256
# (paper index, title spans, width, styles generation, cursor, selected, focused)
_RowKey = tuple[int, tuple[tuple[int, int], ...], int, int, bool, bool, bool]


class PaperList(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paper-list--cursor",
        "paper-list--star",
        "paper-list--match",
        "paper-list--tag",
        "paper-list--muted",
        "paper-list--selected",
    }

    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("list"))

    class Highlighted(Message):
        """The cursor moved to another paper (None: the list is empty).

        ``by_user`` is True when a key or a click moved it, False when new rows did.
        """

        def __init__(self, paper: Paper | None, *, by_user: bool = False) -> None:
            super().__init__()
            self.paper = paper
            self.by_user = by_user

    class SelectionChanged(Message):
        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._papers: Sequence[Paper] = ()
        self._rows: Sequence[int] = ()
        self._annotations: Mapping[str, Annotation] = {}
        self._query: ParsedQuery | None = None
        # Ids by position, taken from the corpus without building its papers (the cached
        # corpus builds a paper only when it is read); filled on first need.
        self._ids: Sequence[str] | None = None
        self._position_by_id: dict[str, int] = {}
        self._selected: dict[str, None] = {}  # paper ids, in the order they were selected
        self._cursor = 0
        # A paper kept on screen after a change took it out of the results (see keep_current).
        self._kept: tuple[str, int] | None = None
        # A row's look depends on its paper, the title's highlighted spans, the width, the
        # cursor, selection and focus, and the styles and annotations (``_generation``,
        # bumped when those change). The cache is keyed by exactly that, not by position or
        # query, so a row that stays on screen while the query is typed is drawn once.
        # A few screenfuls only: every cached Strip carries about fifteen small objects
        # (Textual's per-strip caches, offset copies), and every full garbage collection
        # walks them all; 1,024 rows made those pauses 40 ms and more during typing.
        self._generation = 0
        self._strips: LRUCache[_RowKey, Strip] = LRUCache(STRIP_CACHE_ROWS)
        self._spans: dict[int, tuple[tuple[int, int], ...]] = {}  # by paper index, this query
        # What each visible line was last drawn from (scroll offset, row key): a new result
        # repaints only the lines that differ, often none once a word is typed far enough.
        self._drawn: dict[int, tuple[int, _RowKey | None]] = {}

    def on_mount(self) -> None:
        self.watch(self.app, "theme", lambda: self._restyle(), init=False)

    # -- data in --------------------------------------------------------------------------

    def show(
        self,
        papers: Sequence[Paper],
        rows: Sequence[int],
        annotations: Mapping[str, Annotation],
        query: ParsedQuery | None,
        *,
        cursor_to_top: bool = False,
    ) -> None:
        """Show ``papers[i] for i in rows``.

        With ``cursor_to_top`` (a new query) the cursor goes to the first, best result;
        otherwise it stays on the same paper when it can.
        """
        current = self.current_paper
        if papers is not self._papers:
            self._ids, self._position_by_id = None, {}
        if self._kept is not None and not cursor_to_top:
            rows = self._with_kept_row(rows, self._kept)
        else:
            self._kept = None
        if papers is not self._papers or annotations is not self._annotations:
            self._generation += 1
        if query != self._query:
            self._spans = {}
        self._papers, self._rows, self._annotations, self._query = papers, rows, annotations, query
        self.virtual_size = Size(0, len(rows))
        position = self._position_of(current.id) if current and not cursor_to_top else None
        target = (0 if cursor_to_top else self._cursor) if position is None else position
        self._set_cursor(target, force=True)
        self._refresh_changed_lines()

    def move_to(self, paper_id: str) -> bool:
        """Put the cursor on this paper if it is shown (not counted as a move by the user)."""
        position = self._position_of(paper_id)
        if position is None:
            return False
        self._set_cursor(position, force=True)
        return True

    def keep_current(self) -> None:
        """Keep the paper under the cursor on screen through the next ``show``s, even if a
        change took it out of the results, until the cursor leaves it: a row must not
        vanish under the person reading it."""
        if self._rows:
            self._kept = (self._paper_ids()[self._rows[self._cursor]], self._rows[self._cursor])

    def release_kept(self) -> bool:
        """Forget the kept row once the cursor is elsewhere; True if one was released."""
        current = self.current_paper
        if self._kept is None or (current is not None and current.id == self._kept[0]):
            return False
        self._kept = None
        return True

    def forget_kept(self) -> None:
        """Drop the kept row at once: the list it belonged to is gone (a temporary view)."""
        self._kept = None

    def _with_kept_row(self, rows: Sequence[int], kept: tuple[str, int]) -> Sequence[int]:
        index = kept[1]
        if index >= len(self._paper_ids()) or index in rows:
            return rows
        position = min(self._cursor, len(rows))
        return [*rows[:position], index, *rows[position:]]

    def update_annotations(self, annotations: Mapping[str, Annotation]) -> None:
        self._annotations = annotations
        self._restyle()

    # -- data out -------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def current_paper(self) -> Paper | None:
        if not self._rows:
            return None
        return self._papers[self._rows[self._cursor]]

    @property
    def shown_papers(self) -> list[Paper]:
        return [self._papers[index] for index in self._rows]

    @property
    def selected_ids(self) -> list[str]:
        return list(self._selected)

    def targets(self) -> list[Paper]:
        """What a triage key acts on: the selection when there is one, else the cursor paper."""
        if self._selected:
            if not self._position_by_id:
                self._position_by_id = {pid: i for i, pid in enumerate(self._paper_ids())}
            positions = self._position_by_id
            return [self._papers[positions[pid]] for pid in self._selected if pid in positions]
        current = self.current_paper
        return [current] if current else []

    def clear_selection(self) -> None:
        if self._selected:
            self._selected.clear()
            self._restyle()
            self.post_message(self.SelectionChanged(0))

    # -- actions --------------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self._set_cursor(self._cursor + 1, by_user=True)

    def action_cursor_up(self) -> None:
        self._set_cursor(self._cursor - 1, by_user=True)

    def action_first(self) -> None:
        self._set_cursor(0, by_user=True)

    def action_last(self) -> None:
        self._set_cursor(len(self._rows) - 1, by_user=True)

    def action_page_down(self) -> None:
        page = max(self.scrollable_content_region.height - 1, 1)
        self._set_cursor(self._cursor + page, by_user=True)

    def action_page_up(self) -> None:
        page = max(self.scrollable_content_region.height - 1, 1)
        self._set_cursor(self._cursor - page, by_user=True)

    def action_toggle_select(self) -> None:
        paper = self.current_paper
        if paper is None:
            return
        if paper.id in self._selected:
            del self._selected[paper.id]
        else:
            self._selected[paper.id] = None
        self._restyle()
        self.post_message(self.SelectionChanged(len(self._selected)))

    def on_click(self, event: events.Click) -> None:
        # The row under the pointer, counting what is scrolled away; a click below the
        # last row (or on the scrollbar) is not a row.
        if event.x >= self.scrollable_content_region.width:
            return
        row = int(self.scroll_offset.y) + event.y
        if 0 <= row < len(self._rows):
            self._set_cursor(row, by_user=True)

    # -- rendering ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        top = int(self.scroll_offset.y)
        key = self._row_key(top + y, width)
        self._drawn[y] = (top, key)
        if key is None:
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(key)
        if strip is None:
            paper, spans, selected = self._papers[key[0]], key[1], key[5]
            strip = self._render_row(paper, spans, width, key[4], selected)
            self._strips[key] = strip
        return strip.apply_offsets(0, top + y)

    def _row_key(self, row: int, width: int) -> _RowKey | None:
        """Everything row ``row`` looks like (None: below the last row)."""
        if row >= len(self._rows):
            return None
        index = self._rows[row]
        spans = self._spans.get(index)
        if spans is None:
            paper = self._papers[index]
            spans = tuple(highlight_spans(row_title(paper), self._query)) if self._query else ()
            self._spans[index] = spans
        selected = bool(self._selected) and self._paper_ids()[index] in self._selected
        cursor, focused = row == self._cursor, self.has_focus
        return (index, spans, width, self._generation, cursor, selected, focused)

    def _refresh_changed_lines(self) -> None:
        """Repaint the visible lines whose row changed since they were drawn."""
        width = self.scrollable_content_region.width
        top = int(self.scroll_offset.y)
        height = self.scrollable_content_region.height
        if len(self._drawn) < height:
            self.refresh()  # never drawn in full at this size yet
            return
        for y in range(height):
            if self._drawn.get(y) != (top, self._row_key(top + y, width)):
                self.refresh_line(top + y)

    def _render_row(
        self,
        paper: Paper,
        spans: Sequence[tuple[int, int]],
        width: int,
        is_cursor: bool,
        selected: bool,
    ) -> Strip:
        style = self.get_component_rich_style
        base = self.rich_style
        if is_cursor:
            base = base + style("paper-list--cursor")
        styles = RowStyles(
            base=base,
            star=style("paper-list--star", partial=True),
            match=style("paper-list--match", partial=True),
            tag=style("paper-list--tag", partial=True),
            muted=style("paper-list--muted", partial=True),
            selected=style("paper-list--selected", partial=True),
        )
        text = render_row(
            paper,
            self._annotations.get(paper.id),
            spans,
            width,
            selected=selected,
            styles=styles,
        )
        segments = [
            Segment(segment.text, segment.style)
            for segment in text.render(self.app.console)
            if segment.text
        ]
        return Strip(segments, width).crop_extend(0, width, base)

    # -- internals ------------------------------------------------------------------------

    def _restyle(self) -> None:
        self._generation += 1
        self.refresh()

    def _paper_ids(self) -> Sequence[str]:
        if self._ids is None:
            self._ids = paper_ids(self._papers)
        return self._ids

    def _position_of(self, paper_id: str) -> int | None:
        ids = self._paper_ids()
        for position, index in enumerate(self._rows):
            if ids[index] == paper_id:
                return position
        return None

    def _set_cursor(self, row: int, *, force: bool = False, by_user: bool = False) -> None:
        row = max(0, min(row, len(self._rows) - 1))
        if row == self._cursor and not force:
            return
        previous, self._cursor = self._cursor, row
        self.refresh_line(previous)
        self.refresh_line(row)
        self.scroll_to_region(Region(0, row, 1, 1), animate=False, force=True, immediate=True)
        self.post_message(self.Highlighted(self.current_paper, by_user=by_user))

    def on_resize(self) -> None:
        # After a resize the current row stays visible.
        if self._rows:
            self.call_after_refresh(
                self.scroll_to_region,
                Region(0, self._cursor, 1, 1),
                animate=False,
                force=True,
            )

    def on_focus(self) -> None:
        self._restyle()

    def on_blur(self) -> None:
        self._restyle()
