"""Markdown reading lists, checked by parsing them with markdown-it-py (CommonMark)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from reader.export.links import WebSearch
from reader.export.markdown import to_markdown
from reader.export.plain_text import one_line
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
    """(block kind, its inline text) in document order; fails on any markup outside notes.

    A title's link to its web page is allowed (its text is checked, ``links`` checks the
    address). Inside a note (a blockquote) the user's Markdown is allowed: markup there is
    skipped in the text, and other blocks show as ``quote:TYPE``.
    """
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
            text = inline_text(token, markup_allowed=bool(quoted))
            result.append((("quote:" if quoted else "") + kind, text))
        elif token.type.endswith("_close"):
            continue
        elif quoted:
            result.append((f"quote:{token.type}", token.content))
        else:
            raise AssertionError(f"unexpected block {token.type}")
    return result


def inline_text(token: Token, *, markup_allowed: bool = False) -> str:
    parts = []
    children = token.children or []
    for index, child in enumerate(children):
        if child.type == "text":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "link_open" and not markup_allowed:
            # Only a whole title may be a link: the link spans every child but the star.
            closing = children[-1].type == "link_close"
            assert closing and all(c.type != "link_open" for c in children[index + 1 :])
        elif child.type == "link_close" and not markup_allowed:
            continue
        elif markup_allowed:
            parts.append(child.content)
        else:
            raise AssertionError(f"text became markup: {child.type} in {token.content!r}")
    return "".join(parts)


def title_links(markdown: str) -> list[tuple[str, str]]:
    """(href, shown text) of every link in an h3 heading, in document order."""
    found = []
    tokens = MarkdownIt("commonmark").parse(markdown)
    for index, token in enumerate(tokens):
        if token.type == "inline" and tokens[index - 1].tag == "h3":
            children = token.children or []
            for position, child in enumerate(children):
                if child.type == "link_open":
                    end = next(
                        i
                        for i in range(position, len(children))
                        if children[i].type == "link_close"
                    )
                    text = "".join(c.content for c in children[position + 1 : end])
                    found.append((str(child.attrs["href"]), text))
    return found


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
    paper = make_paper(hostile, authors=("+ Plus", "<Ann>"))
    annotation = Annotation(paper.id, tags=(hostile,), note="plain note", starred=True)
    text = to_markdown([paper], {paper.id: annotation}, today=TODAY)
    structure = blocks(text)
    assert ("h2", f"{hostile} (1)") in structure
    assert ("h3", f"★ {one_line(paper.display_title)}") in structure
    plain = make_paper(hostile.replace("\\", "").replace("$", "").replace("~", ""))
    plain_structure = blocks(to_markdown([plain], {}, today=TODAY))
    assert ("h3", one_line(plain.title or "")) in plain_structure
    assert ("p", "+ Plus, <Ann> · 2022-04-14") in structure
    assert ("quote:p", "plain note") in structure


def test_ampersand_is_escaped_only_where_it_would_start_an_entity() -> None:
    paper = make_paper("Bowman & al. on &amp; and &#35; entities")
    text = to_markdown([paper], {}, today=TODAY)
    assert "Bowman & al. on \\&amp; and &\\#35; entities" in text
    assert ("h3", "Bowman & al. on &amp; and &#35; entities") in blocks(text)


# ------------------------------------------------------------------------- notes are Markdown

DDPM_NOTE = "Compare with **DDPM**; eq. 3 & the 50% claim"


def render(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


def test_note_is_the_users_markdown_and_listing_text_stays_literal() -> None:
    paper = make_paper("A *starred* title_with_underscores")
    note = f"{DDPM_NOTE}\n\n    indented code\n\n- item one\n- item two"
    text = to_markdown([paper], {paper.id: Annotation(paper.id, note=note)}, today=TODAY)
    assert f"> {DDPM_NOTE}\n>\n>     indented code\n>\n> - item one\n> - item two\n" in text
    html = render(text)
    quote = html[html.index("<blockquote>") : html.index("</blockquote>")]
    assert "<p>Compare with <strong>DDPM</strong>; eq. 3 &amp; the 50% claim</p>" in quote
    assert "<li>item one</li>" in quote and "<pre><code>indented code" in quote
    assert ">A *starred* title_with_underscores</a></h3>" in html
    assert "<em>" not in html


def test_every_note_line_is_quoted() -> None:
    paper = make_paper("Quoted")
    note = "\n\nfirst line  \nsecond\n\n\n   third para\t\n\n"
    text = to_markdown([paper], {paper.id: Annotation(paper.id, note=note)}, today=TODAY)
    body = text.split("2022-04-14\n\n", 1)[1].rstrip("\n").split("\n")
    assert body == ["> first line\\", "> second", ">", ">", ">    third para"]
    assert all(line == line.rstrip() for line in text.splitlines())
    assert ("quote:p", "first line\nsecond") in blocks(text)  # the hard break survives


HOSTILE_NOTES = [
    "# a heading in a note\n```python\nnever closed <b>\n\n## not a heading",
    "~~~~\ntilde fence, longer closer needed\n~~~",
    "<details><summary>x</summary>\n\n<!-- never closed\n<script>alert(1)</script>",
    "[bold]Rich[/] [ref]: https://example.org\n> nested\n---\n<https://ok.example/a>",
]


def top_level(markdown: str) -> list[str]:
    """The document's own blocks: a note is one ``blockquote`` whatever it holds."""
    return [
        token.tag or token.type
        for token in MarkdownIt("commonmark").parse(markdown)
        if token.level == 0 and token.nesting != -1
    ]


def test_hostile_notes_cannot_break_the_document() -> None:
    papers = [make_paper(f"Entry {n}", f"2020-01-0{n + 1}") for n in range(len(HOSTILE_NOTES))]
    papers.append(make_paper("Last entry", "2019-01-01"))
    annotations = {
        p.id: Annotation(p.id, note=n) for p, n in zip(papers[:-1], HOSTILE_NOTES, strict=True)
    }
    text = to_markdown(papers, annotations, today=TODAY)
    tokens = MarkdownIt("commonmark").parse(text)
    assert top_level(text) == ["h1", "h2"] + ["h3", "p", "blockquote"] * 4 + ["h3", "p"]
    assert [title for _, title in title_links(text)] == [
        "Entry 3", "Entry 2", "Entry 1", "Entry 0", "Last entry"
    ]  # fmt: skip
    fences = [token for token in tokens if token.type == "fence"]
    assert [fence.content for fence in fences] == [
        "tilde fence, longer closer needed\n~~~\n",
        "never closed <b>\n\n## not a heading\n",
    ]
    # The rule: a fence left open is closed at the end of its note, in the file itself.
    assert "> ## not a heading\n> ```\n\n### [Last entry]" in text
    assert "> ~~~\n> ~~~~\n\n### [Entry 0]" in text
    # No raw HTML reaches the page: an unclosed <details> or <!-- would hide the rest.
    assert not [t for t in tokens if t.type == "html_block"]
    inline = [c for t in tokens if t.type == "inline" for c in t.children or []]
    assert not [c for c in inline if c.type == "html_inline"]
    html = render(text)
    assert "&lt;details&gt;" in html and "&lt;!-- never closed" in html
    assert "<script>" not in html and "<code>" not in html.split("never closed")[0][-50:]
    assert '<a href="https://ok.example/a">' in html  # autolinks are links, not HTML


note_text = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "```",
                "~~~",
                "\n",
                "\n\n",
                "<div>",
                "<!--",
                "</blockquote>",
                "# ",
                "> ",
                "[x]: /u",
                "- ",
                "1. ",
                "    ",
                "`",
                "**",
                "[bold]",
                "\\",
                "&amp;",
                "\x1b[31m",
                "\u202e",
                "\x00",
            ]
        ),
        st.text(max_size=6),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(first=note_text, second=note_text)
def test_any_note_keeps_the_document_structure(first: str, second: str) -> None:
    one, two = make_paper("First paper", "2021-01-01"), make_paper("Second paper", "2020-01-01")
    annotations = {one.id: Annotation(one.id, note=first), two.id: Annotation(two.id, note=second)}
    text = to_markdown([two, one], annotations, abstracts=True, today=TODAY)
    assert all(line == line.rstrip() for line in text.splitlines())
    expected = ["h1", "h2"]
    for note in (first, second):
        expected += ["h3", "p"] + (["blockquote"] if note.strip() and _visible(note) else [])
        expected += ["p"]  # the abstract
    assert top_level(text) == expected
    assert [title for _, title in title_links(text)] == ["First paper", "Second paper"]
    tokens = MarkdownIt("commonmark").parse(text)
    inline = [c for t in tokens if t.type == "inline" for c in t.children or []]
    assert not [t for t in [*tokens, *inline] if t.type in ("html_block", "html_inline")]


def _visible(note: str) -> bool:
    from reader.model.sanitize import strip_unsafe

    return bool(strip_unsafe(note).strip())


# -------------------------------------------------------------------------- titles link out


class PaperWithArxivId(Paper):
    """Until ``Paper.arxiv_id`` lands on main: a paper that carries the attribute."""


def test_each_title_links_to_its_web_page() -> None:
    awkward = make_paper("Brackets ] and (parens) [in] a (title", "2023-01-01")
    plain = make_paper("Masked Siamese Networks", "2022-01-01")
    with_id = PaperWithArxivId(**{f: getattr(plain, f) for f in Paper.__dataclass_fields__})
    with_id.id, with_id.title = "withid000001", "Has an arXiv id"
    with_id.arxiv_id = "2204.07141v2"  # type: ignore[attr-defined]
    untitled = make_paper(None, "2021-01-01", abstract="Only an abstract here.")
    text = to_markdown([awkward, plain, with_id, untitled], {}, today=TODAY)
    assert title_links(text) == [
        (
            "https://arxiv.org/search/?query=%22Brackets%20%5D%20and%20%28parens%29%20%5Bin%5D"
            "%20a%20%28title%22&searchtype=title",
            "Brackets ] and (parens) [in] a (title",
        ),
        ("https://arxiv.org/abs/2204.07141v2", "Has an arXiv id"),
        ("https://arxiv.org/search/?query=%22Masked%20Siamese%20Networks%22&searchtype=title",
         "Masked Siamese Networks"),
    ]  # fmt: skip
    assert ("h3", "Only an abstract here.") in blocks(text)  # no title to search: no link
    scholar = to_markdown([plain], {}, today=TODAY, web_search=WebSearch("google-scholar"))
    assert title_links(scholar)[0][0] == (
        "https://scholar.google.com/scholar?as_occt=title&as_epq=Masked%20Siamese%20Networks"
    )
    custom = WebSearch(template="https://example.org/s?q={title}&x=(1)<2>")
    own = to_markdown([plain], {}, today=TODAY, web_search=custom)
    assert title_links(own)[0][0] == (
        "https://example.org/s?q=Masked%20Siamese%20Networks&x=%281%29%3C2%3E"
    )
