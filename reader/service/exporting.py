"""Export jobs as both front ends run them: pick the papers of a scope, render, write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reader.export.links import WebSearch
from reader.export.selection import Matcher
from reader.export.service import (
    CitationKeys,
    ExportError,
    ExportOutcome,
    Format,
    render,
    write_export,
)
from reader.model import Annotation, Paper
from reader.service.scopes import Scope, select


@dataclass(frozen=True, slots=True)
class ExportRequest:
    scope: Scope
    format: Format
    output: Path | None  # None: the caller prints the text
    abstracts: bool = False
    title: str | None = None  # Markdown heading; None: the scope's own title
    web_search: WebSearch | None = None  # Markdown: where titles link (None: arXiv search)


def run_export(
    request: ExportRequest,
    *,
    papers: Sequence[Paper],
    annotations: Mapping[str, Annotation],
    keys: CitationKeys | None = None,
    results: Sequence[Paper] = (),
    selected: Sequence[Paper] = (),
    matches: Matcher | None = None,
    today: date | None = None,
) -> ExportOutcome:
    """Select, render and (with ``request.output``) write; raises ExportError for the user.

    ``papers`` is the whole loaded corpus: citation keys are computed over it, so a key is
    the same whichever scope is exported.
    """
    if request.scope.query and request.scope.query.strip() and matches is None:
        raise ExportError("a query needs the search engine, which is not available")
    selection = select(
        request.scope,
        papers=papers,
        annotations=annotations,
        results=results,
        selected=selected,
        matches=matches,
    )
    if keys is None and request.format == "bibtex":
        keys = CitationKeys(papers)
    text = render(
        selection.papers,
        annotations,
        request.format,
        keys=keys,
        abstracts=request.abstracts,
        today=today,
        title=request.title or request.scope.title(),
        web_search=request.web_search,
    )
    if request.output is not None:
        write_export(request.output, text)
    return ExportOutcome(
        text=text,
        count=len(selection.papers),
        orphan_count=selection.orphan_count,
        fmt=request.format,
        output=request.output,
    )
