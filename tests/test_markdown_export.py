"""Markdown reading lists, checked by parsing them with markdown-it-py (CommonMark)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from reader.export.markdown import to_markdown
from reader.export.plain_text import one_line, paragraphs
from reader.export.selection import stand_in
from reader.model.annotation import Annotation
from reader.model.paper import Paper, paper_id

TODAY = date(2026, 11, 23)
MARKDOWN_SPECIALS = "*_`#[]()<>!|~&$\\+-=.1) >"


def make_paper(title: str | None, date_: str | None = "2022-04-14", **fields: object) -> Paper:
    abstract = str(fields.pop("abstract", f"Abstract of {title}."))
    return Paper(
        id=paper_id(title, abstract),
        title=title,
        authors=tuple(fields.pop("authors", ("Mahmoud Assran", "Mathilde Caron"))),  # type: ignore[arg-type]
        abstract=abstract,
        date=date_,
        **fields,  # type: ignore[arg-type]
    )


def blocks(markdown: str) -> list[tuple[str, str]]:
    """(block kind, its inline text) in document order; fails on any inline markup."""
    result = []
    tokens = MarkdownIt("commonmark").parse(markdown)
    kind = ""
    quoted = 0
    for token in tokens:
        if token.type == "blockquote_open":
            quoted += 1
        elif token.type == "blockquote_close":
            quoted -= 1
        elif token.type.endswith("_open"):
            kind = token.tag
        elif token.type == "inline":
            result.append((("quote:" if quoted else "") + kind, inline_text(token)))
        elif not token.type.endswith("_close"):
            raise AssertionError(f"unexpected block {token.type}")
    return result


def inline_text(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type == "text":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        else:
            raise AssertionError(f"text became markup: {child.type} in {token.content!r}")
    return "".join(parts)


def test_document_structure() -> None:
    msn = make_paper("Masked Siamese Networks", category="LG", authors_truncated=True)
    old = make_paper("An older paper", "2019-01-02")
    undated = make_paper("Undated work", None)
    untagged = make_paper("Loose paper")
    annotations = {
        msn.id: Annotation(msn.id, starred=True, tags=("vision", "SSL"), note="Read.\nTwice"),
        old.id: Annotation(old.id, tags=("vision",)),
        undated.id: Annotation(undated.id, tags=("vision",)),
        untagged.id: Annotation(untagged.id, note="Para one.\n\nPara two."),
    }
    text = to_markdown([untagged, undated, old, msn], annotations, abstracts=True, today=TODAY)
    entry_msn = [
        ("h3", "★ Masked Siamese Networks"),
        ("p", "Mahmoud Assran, Mathilde Caron et al. · 2022-04-14 · LG"),
        ("quote:p", "Read.\nTwice"),
        ("p", "Abstract of Masked Siamese Networks."),
    ]
    assert blocks(text) == [
        ("h1", "Reading list — 2026-11-23 (4 papers)"),
        ("p", "★ marks starred papers."),
        ("h2", "SSL (1)"),
        *entry_msn,
        ("h2", "vision (3)"),
        *entry_msn,
        ("h3", "An older paper"),
        ("p", "Mahmoud Assran, Mathilde Caron · 2019-01-02"),
        ("p", "Abstract of An older paper."),
        ("h3", "Undated work"),
        ("p", "Mahmoud Assran, Mathilde Caron"),
        ("p", "Abstract of Undated work."),
        ("h2", "Untagged (1)"),
        ("h3", "Loose paper"),
        ("p", "Mahmoud Assran, Mathilde Caron · 2022-04-14"),
        ("quote:p", "Para one."),
        ("quote:p", "Para two."),
        ("p", "Abstract of Loose paper."),
    ]
    assert text.endswith(".\n") and not text.endswith("\n\n")


def test_abstracts_only_on_request_and_order_is_stable() -> None:
    papers = [make_paper(f"Paper {n}", f"2020-01-0{n}") for n in range(1, 6)]
    annotations = {p.id: Annotation(p.id, tags=("t",)) for p in papers}
    forward = to_markdown(papers, annotations, abstracts=False, today=TODAY)
    assert forward == to_markdown(papers[::-1], annotations, abstracts=False, today=TODAY)
    assert "Abstract of" not in forward
    titles = [text for kind, text in blocks(forward) if kind == "h3"]
    assert titles == ["Paper 5", "Paper 4", "Paper 3", "Paper 2", "Paper 1"]


def test_latex_is_shown_as_unicode() -> None:
    paper = make_paper(
        r"Rational B\'{e}zier curves with $+60\%$", authors=('Bernhard Sch\\"olkopf',)
    )
    (title,) = [
        text for kind, text in blocks(to_markdown([paper], {}, today=TODAY)) if kind == "h3"
    ]
    assert title.startswith("Rational Bézier curves with")
    assert "Schölkopf" in to_markdown([paper], {}, today=TODAY)


def test_orphans_and_untitled_papers() -> None:
    orphan = stand_in(Annotation("abc", note="kept", title="Gone paper", first_author="Ann Lee"))
    untitled = make_paper(None, abstract="")
    text = to_markdown([orphan, untitled], {"abc": Annotation("abc", note="kept")}, today=TODAY)
    structure = blocks(text)
    assert ("p", "Ann Lee et al. · not in the loaded corpus") in structure
    assert ("h3", "(untitled)") in structure


def test_empty_export() -> None:
    assert blocks(to_markdown([], {}, today=TODAY)) == [
        ("h1", "Reading list — 2026-11-23 (0 papers)"),
        ("p", "Nothing to export."),
    ]


def test_markdown_specials_render_as_text() -> None:
    hostile = "# *not* _em_ [link](x) <b>html</b> `code` &amp; | ~~del~~ $x$ \\ 1. 2) - + ="
    note = "- not a list\n1. not numbered\n> not nested\n=====\n    not code\n\\\n```"
    paper = make_paper(hostile, authors=("+ Plus", "<Ann>"))
    annotation = Annotation(paper.id, tags=(hostile,), note=note, starred=True)
    structure = blocks(to_markdown([paper], {paper.id: annotation}, today=TODAY))
    assert ("h2", f"{hostile} (1)") in structure
    assert ("h3", f"★ {one_line(paper.display_title)}") in structure
    plain = make_paper(hostile.replace("\\", "").replace("$", "").replace("~", ""))
    plain_structure = blocks(to_markdown([plain], {}, today=TODAY))
    assert ("h3", one_line(plain.title or "")) in plain_structure
    assert ("p", "+ Plus, <Ann> · 2022-04-14") in structure
    expected_note = "\n".join(line.strip() for line in note.splitlines())
    assert ("quote:p", expected_note) in structure


printable_text = st.text(
    st.one_of(st.sampled_from(MARKDOWN_SPECIALS), st.characters()), max_size=50
)


@settings(max_examples=150, deadline=None)
@given(title=printable_text, note=printable_text, tag=printable_text, starred=st.booleans())
def test_any_text_keeps_the_document_structure(
    title: str, note: str, tag: str, starred: bool
) -> None:
    paper = make_paper(title, authors=(title,))
    annotation = Annotation(paper.id, starred=starred, tags=(tag,), note=note)
    text = to_markdown([paper], {paper.id: annotation}, abstracts=True, today=TODAY)
    assert all(line == line.rstrip() for line in text.splitlines())

    structure = blocks(text)
    kinds = [kind for kind, _ in structure]
    assert kinds.count("h1") == 1 and kinds.count("h2") == 1 and kinds.count("h3") == 1
    shown_title = one_line(paper.display_title) or "(untitled)"
    assert ("h3", ("★ " if starred else "") + shown_title) in structure
    section = f"{one_line(tag)} (1)" if one_line(tag) else "Untagged (1)"
    assert ("h2", section) in structure
    quoted = [text for kind, text in structure if kind == "quote:p"]
    assert quoted == ["\n".join(block) for block in paragraphs(note)]


@settings(max_examples=40, deadline=None)
@given(
    query=st.one_of(
        st.text(max_size=200),
        st.sampled_from(["# *x* [a](b) <b>", "[bold]x[/] \x1b[31m\u202e", "tag:ml\nyear:2021"]),
    )
)
def test_document_title_is_the_callers_text_escaped_on_one_line(query: str) -> None:
    title = f"Search: {query}"
    text = to_markdown([make_paper("A paper")], {}, today=date(2026, 1, 2), title=title)
    first = text.splitlines()[0]
    assert first.startswith("# ") and first.endswith("— 2026-01-02 (1 paper)")
    heading = next(t for t in MarkdownIt().parse(text) if t.type == "heading_open")
    assert heading.tag == "h1"
    inline = MarkdownIt().parse(text)[1]
    # Markup in the query stays literal text: no emphasis, link, HTML or line break.
    assert all(child.type == "text" for child in inline.children or [])
    assert inline.content.startswith("Search:")
