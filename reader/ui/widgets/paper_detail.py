"""The detail pane: everything known about the paper under the cursor, scrollable.

The content is built as one Rich ``Text`` from plain strings (never markup), with control
characters made visible, and ``overflow="fold"`` so an unbroken 500-character word wraps
instead of running off the pane.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from reader.model.annotation import Annotation
from reader.model.paper import Paper
from reader.ui.actions import bindings_for
from reader.ui.safe_text import display_block, display_line

_STATUS_LABELS = {"unread": "unread", "read": "read", "skipped": "skipped"}


def short_path(path: str) -> str:
    """Paths under the working directory are shown relative to it: they fit the pane."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return path


def describe_paper(
    paper: Paper, annotation: Annotation | None, duplicate_titles: Sequence[str]
) -> Text:
    text = Text(overflow="fold")
    text.append(display_line(paper.display_title), "bold")
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
        field("Source" if number == 0 else "", f"{short_path(source.path)}:{source.line}")
    for number, title in enumerate(duplicate_titles):
        field("Similar" if number == 0 else "", title)
    if annotation and annotation.note.strip():
        text.append("\nNote\n", "bold")
        text.append(display_block(annotation.note.rstrip()))
        text.append("\n")
    text.append("\nAbstract\n", "bold")
    text.append(display_block(paper.display_abstract) or "(no abstract)")
    return text


class PaperDetail(VerticalScroll, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("detail"))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._paper_id: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="detail-body")

    def show(
        self,
        paper: Paper | None,
        annotation: Annotation | None = None,
        duplicate_titles: Sequence[str] = (),
    ) -> None:
        body = self.query_one("#detail-body", Static)
        if paper is None:
            body.update(Text("No paper matches.", style="dim"))
        else:
            body.update(describe_paper(paper, annotation, duplicate_titles))
            if self._paper_id != paper.id:
                self.scroll_home(animate=False)
        self._paper_id = paper.id if paper else None
