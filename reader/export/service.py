"""The export operation as the CLI and the app use it: select, render, write, report.

``reader export`` and the app's export dialog run an export job through
``reader.service.exporting``, which picks the papers of a scope and calls ``render``. The
app's ``y`` key calls ``render`` on one paper with the ``CitationKeys`` it built over the
corpus, so a copied entry is byte-for-byte the entry an export writes for that paper.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, get_args

from reader.export.atomic import write_text_atomic
from reader.export.bibtex import to_bibtex
from reader.export.citation_keys import CitationKeys
from reader.export.links import WebSearch
from reader.export.markdown import to_markdown
from reader.export.selection import select_reading_list
from reader.model.annotation import Annotation
from reader.model.paper import Paper

__all__ = [
    "FORMATS",
    "CitationKeys",
    "ExportError",
    "ExportOutcome",
    "Format",
    "render",
    "select_reading_list",
    "write_export",
]

Format = Literal["bibtex", "markdown"]
FORMATS: tuple[str, ...] = get_args(Format)
_FORMAT_NAMES = {"bibtex": "BibTeX", "markdown": "Markdown"}


class ExportError(Exception):
    """An export that cannot be done; ``str()`` is a message for the user."""


@dataclass(frozen=True, slots=True)
class ExportOutcome:
    text: str
    count: int  # papers exported, orphans included
    orphan_count: int  # of which were not in the loaded corpus
    fmt: Format
    output: Path | None

    def summary(self) -> str:
        """One line for stderr, e.g. ``Exported 12 papers as BibTeX to refs.bib``."""
        noun = "paper" if self.count == 1 else "papers"
        where = f" to {self.output}" if self.output is not None else ""
        line = f"Exported {self.count} {noun} as {_FORMAT_NAMES[self.fmt]}{where}"
        if self.orphan_count:
            line += f" ({self.orphan_count} not in the loaded corpus)"
        return line


def render(
    papers: Sequence[Paper],
    annotations: Mapping[str, Annotation],
    fmt: Format,
    *,
    keys: CitationKeys | None = None,
    abstracts: bool = False,
    today: date | None = None,
    title: str = "Reading list",
    web_search: WebSearch | None = None,
) -> str:
    """``papers`` in ``fmt``. ``keys`` should cover the loaded corpus (see CitationKeys).

    ``title`` heads a Markdown document (BibTeX has no title).
    """
    if fmt == "bibtex":
        return to_bibtex(papers, annotations, keys=keys)
    if fmt == "markdown":
        return to_markdown(
            papers,
            annotations,
            abstracts=abstracts,
            today=today,
            title=title,
            web_search=web_search,
        )
    raise ExportError(f"unknown export format {fmt!r} (choose {' or '.join(FORMATS)})")


def write_export(path: Path, text: str) -> None:
    """Write atomically: an existing file is replaced whole or not at all."""
    try:
        write_text_atomic(path, text)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ExportError(f"cannot write {path}: {reason}") from error
