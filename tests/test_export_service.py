"""Export selection, the service the CLI calls, and atomic file writing."""

from __future__ import annotations

import os
import re
import stat
from datetime import date
from pathlib import Path

import pytest

from reader.export.atomic import write_text_atomic
from reader.export.citation_keys import CitationKeys
from reader.export.selection import is_orphan, select_papers
from reader.export.service import (
    ExportError,
    ExportOutcome,
    Format,
    render,
    select_reading_list,
    write_export,
)
from reader.model.annotation import Annotation
from reader.model.paper import Paper, paper_id
from reader.parsing.bibtex_import import parse_bibtex

TODAY = date(2026, 11, 23)


def export(
    corpus: list[Paper],
    annotations: dict[str, Annotation],
    *,
    fmt: Format = "bibtex",
    output: Path | None = None,
    abstracts: bool = False,
    query: str | None = None,
    today: date | None = None,
) -> ExportOutcome:
    """The reading-list export job, as `reader export` runs it (service layer)."""
    from reader.service.exporting import ExportRequest, run_export
    from reader.service.scopes import Scope

    request = ExportRequest(Scope("reading-list", query=query), fmt, output, abstracts)
    return run_export(request, papers=corpus, annotations=annotations, today=today)


def make_paper(title: str, author: str = "Ann Lee", day: str | None = "2021-05-06") -> Paper:
    abstract = f"About {title}."
    return Paper(paper_id(title, abstract), title, (author,), abstract, date=day)


@pytest.fixture
def corpus() -> list[Paper]:
    return [
        make_paper("Graph networks"),
        make_paper("Graph kernels"),  # collides with the first: leea/leeb
        make_paper("Vision transformers"),
        make_paper("Unannotated paper"),
        make_paper("Whitespace note"),
    ]


@pytest.fixture
def annotations(corpus: list[Paper]) -> dict[str, Annotation]:
    graphs, _, vision, _, blank = corpus
    orphan = Annotation("0rphan", note="still mine", title="Lost paper", first_author="Bo Li")
    return {
        graphs.id: Annotation(graphs.id, starred=True),
        vision.id: Annotation(vision.id, tags=("cv",)),
        blank.id: Annotation(blank.id, note="   \n"),
        orphan.paper_id: orphan,
        "unread-only": Annotation("unread-only", status="read", title="Read, no marks"),
    }


def titles(papers: list[Paper]) -> list[str | None]:
    return [paper.title for paper in papers]


def test_reading_list_is_starred_tagged_or_noted(corpus, annotations) -> None:
    assert titles(select_reading_list(corpus, annotations)) == [
        "Graph networks",
        "Vision transformers",
    ]


def test_default_selection_adds_orphans_last(corpus, annotations) -> None:
    selection = select_papers(corpus, annotations)
    assert titles(selection.papers) == ["Graph networks", "Vision transformers", "Lost paper"]
    assert selection.orphan_count == 1
    orphan = selection.papers[-1]
    assert is_orphan(orphan)
    assert orphan.authors == ("Bo Li",)
    assert orphan.authors_truncated


def test_all_and_query_selections(corpus, annotations) -> None:
    everything = select_papers(corpus, annotations, everything=True)
    assert titles(everything.papers) == titles(corpus)
    assert everything.orphan_count == 0

    def matches(query: str) -> list[Paper]:
        return [paper for paper in corpus if query.casefold() in paper.title.casefold()]

    narrowed = select_papers(corpus, annotations, query="graph", matches=matches)
    assert titles(narrowed.papers) == ["Graph networks"]
    everything_narrowed = select_papers(
        corpus, annotations, query="graph", everything=True, matches=matches
    )
    assert titles(everything_narrowed.papers) == ["Graph networks", "Graph kernels"]
    with pytest.raises(ValueError, match="search function"):
        select_papers(corpus, annotations, query="graph")


def test_export_to_file_reports_counts(tmp_path: Path, corpus, annotations) -> None:
    target = tmp_path / "reading.bib"
    outcome = export(corpus, annotations, fmt="bibtex", output=target)
    assert target.read_text(encoding="utf-8") == outcome.text
    assert outcome.count == 3
    assert outcome.orphan_count == 1
    assert outcome.summary() == (
        f"Exported 3 papers as BibTeX to {target} (1 not in the loaded corpus)"
    )
    imported = parse_bibtex(outcome.text, str(target))
    assert imported.problems == []
    assert sorted(titles(imported.papers)) == [
        "Graph networks",
        "Lost paper",
        "Vision transformers",
    ]


def test_export_keys_match_the_apps_single_copies(corpus, annotations) -> None:
    app_keys = CitationKeys(corpus)
    outcome = export(corpus, annotations)
    graphs = corpus[0]
    single = render([graphs], annotations, "bibtex", keys=app_keys)
    assert single.startswith("@misc{lee2021grapha,")
    assert single in outcome.text


def test_orphan_key_clashing_with_a_corpus_key_is_made_unique() -> None:
    undated = make_paper("Vision transformers", day=None)
    clash = Annotation("x", tags=("t",), title="Vision transformers again", first_author="Ann Lee")
    annotations = {undated.id: Annotation(undated.id, starred=True), "x": clash}
    text = export([undated], annotations).text
    keys = re.findall(r"^@misc\{([^,]+),", text, re.M)
    assert keys == ["leendvision", "leendvision-2"]


def test_markdown_export_to_stdout(corpus, annotations) -> None:
    outcome = export(corpus, annotations, fmt="markdown", abstracts=True, today=TODAY)
    assert outcome.output is None
    assert outcome.text.startswith("# Reading list — 2026-11-23 (3 papers)\n")
    assert "About Graph networks." in outcome.text
    assert outcome.summary() == "Exported 3 papers as Markdown (1 not in the loaded corpus)"


def test_query_without_search_engine_is_a_user_error(corpus, annotations) -> None:
    with pytest.raises(ExportError, match="query needs the search engine"):
        export(corpus, annotations, query="graph")


def test_unknown_format_is_a_user_error(corpus) -> None:
    with pytest.raises(ExportError, match="unknown export format 'rtf'"):
        render(corpus, {}, "rtf")  # type: ignore[arg-type]


def test_unwritable_destination_names_the_path(tmp_path: Path, corpus, annotations) -> None:
    target = tmp_path / "missing-dir" / "out.bib"
    with pytest.raises(ExportError, match=re.escape(str(target))):
        export(corpus, annotations, output=target)


def test_atomic_write_replaces_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.bib"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o640)
    write_text_atomic(target, "new ✓\n")
    assert target.read_text(encoding="utf-8") == "new ✓\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.bib"]


def test_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.bib"
    target.write_text("good export", encoding="utf-8")

    def failing_replace(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(ExportError, match="No space left on device"):
        write_export(target, "half")
    assert target.read_text(encoding="utf-8") == "good export"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bib"]
