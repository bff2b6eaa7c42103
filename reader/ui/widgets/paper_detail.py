"""The detail pane: everything known about the paper under the cursor, scrollable.

The content is built as one Rich ``Text`` from plain strings (never markup), with control
characters made visible, and ``overflow="fold"`` so an unbroken 500-character word wraps
instead of running off the pane.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from reader.model.annotation import Annotation
from reader.model.paper import Paper
from reader.search import ParsedQuery, highlight_spans
from reader.search.query import ABSTRACT, TITLE
from reader.ui.actions import bindings_for
from reader.ui.safe_text import display_block, display_line
from reader.ui.widgets.paper_row import readable_math

_STATUS_LABELS = {"unread": "unread", "read": "read", "skipped": "skipped"}


def short_path(path: str, roots: Sequence[Path] = ()) -> str:
    """A source path that fits the pane: relative to the corpus root it came from (starting
    with that root's own name, e.g. ``sample_corpus/001_x.txt``), else to the working
    directory, else to the home directory (``~/...``), else as given."""
    try:
        resolved = Path(path).resolve()
    except (OSError, RuntimeError, ValueError):
        return path
    for root in roots:
        try:
            base = root.resolve()
        except (OSError, RuntimeError, ValueError):
            continue
        if resolved == base:
            return base.name or path
        if resolved.is_relative_to(base):
            return str(Path(base.name) / resolved.relative_to(base))
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~")):
        try:
            relative = resolved.relative_to(base)
        except ValueError:
            continue
        return str(Path(prefix) / relative) if prefix else str(relative)
    return path


def _emphasised(
    text: str, query: ParsedQuery | None, field: str, match: Style | str, base: Style | str = ""
) -> Text:
    """``text`` (display form) with math in italics and the query's words in ``match``."""
    plain, math = readable_math(text)
    shown = Text(plain, style=base)
    for start, end in math:
        shown.stylize("italic", start, end)
    if query is not None:
        for start, end in highlight_spans(plain, query, field):
            shown.stylize(match, start, end)
    return shown


def describe_paper(
    paper: Paper,
    annotation: Annotation | None,
    duplicate_titles: Sequence[str],
    *,
    query: ParsedQuery | None = None,
    match_style: Style | str = "bold underline",
    roots: Sequence[Path] = (),
    reasons: Sequence[str] = (),
) -> Text:
    text = Text(overflow="fold")
    title = display_line(paper.display_title)
    text.append_text(_emphasised(title, query, TITLE, match_style, "bold"))
    text.append("\n\n")

    def field(label: str, value: str) -> None:
        text.append(f"{label:<10}", "dim")
        text.append(display_line(value))
        text.append("\n")

    authors = ", ".join(paper.authors) or "—"
    if paper.authors_truncated:
        authors += ", et al."
    field("Authors", authors)
    if paper.orgs:
        field("Orgs", ", ".join(paper.orgs))
    field("Date", paper.date or "unknown")
    if paper.category:
        field("Category", paper.category)
    field("Code", "yes" if paper.has_code else "no")
    status = annotation.status if annotation else "unread"
    starred = " · ★ starred" if annotation and annotation.starred else ""
    field("Status", _STATUS_LABELS.get(status, status) + starred)
    if annotation and annotation.tags:
        field("Tags", " ".join(f"#{tag}" for tag in annotation.tags))
    for number, source in enumerate(paper.sources):
        field("Source" if number == 0 else "", f"{short_path(source.path, roots)}:{source.line}")
    for number, other in enumerate(duplicate_titles):
        field("Similar" if number == 0 else "", other)
    if annotation and annotation.note.strip():
        text.append("\nNote\n", "bold")
        text.append(display_block(annotation.note.rstrip()))
        text.append("\n")
    if reasons:  # why the For you model ranks it; the lines quote titles and terms: data
        text.append("\nWhy for you\n", "bold")
        for line in reasons:
            text.append(display_line(line) + "\n", "italic")
    text.append("\nAbstract\n", "bold")
    abstract = display_block(paper.display_abstract)
    if abstract:
        text.append_text(_emphasised(abstract, query, ABSTRACT, match_style))
    else:
        text.append("(no abstract)")
    return text


class PaperDetail(VerticalScroll, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"paper-detail--match"}
    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("detail"))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._paper_id: str | None = None
        # The corpus paths given on the command line: sources are shown relative to them.
        self.roots: list[Path] = []
        # Everything the shown text was built from: a search that leaves it unchanged (same
        # paper, same highlighted words) does not rebuild and re-wrap a long abstract.
        self._shown_from: tuple[object, ...] | None = None
        self._pending: Callable[[], None] | None = None

    def after_paint(self, show: Callable[[], None]) -> None:
        """Run ``show`` once the screen has painted what is pending, e.g. a new result list:
        a typist waits for the list, and the pane follows a frame later. Calls made before
        then are merged (only the newest runs), so fast typing rebuilds the pane once."""
        scheduled = self._pending is not None
        self._pending = show
        if not scheduled:
            self.call_after_refresh(self._run_pending)

    def _run_pending(self) -> None:
        show, self._pending = self._pending, None
        if show is not None:
            show()

    def compose(self) -> ComposeResult:
        yield Static(id="detail-body")

    def show(
        self,
        paper: Paper | None,
        annotation: Annotation | None = None,
        duplicate_titles: Sequence[str] = (),
        query: ParsedQuery | None = None,
        reasons: Sequence[str] = (),
    ) -> None:
        match = self.get_component_rich_style("paper-detail--match", partial=True)
        shown_from = (
            paper,
            annotation,
            tuple(duplicate_titles),
            (query.words_in(TITLE), query.words_in(ABSTRACT)) if query else None,
            tuple(reasons),
            match,
            tuple(self.roots),
        )
        if shown_from == self._shown_from:
            return
        self._shown_from = shown_from
        body = self.query_one("#detail-body", Static)
        if paper is None:
            body.update(Text("No paper matches.", style="dim"))
        else:
            body.update(
                describe_paper(
                    paper,
                    annotation,
                    duplicate_titles,
                    query=query,
                    match_style=match,
                    roots=self.roots,
                    reasons=reasons,
                )
            )
            if self._paper_id != paper.id:
                self.scroll_home(animate=False)
        self._paper_id = paper.id if paper else None
