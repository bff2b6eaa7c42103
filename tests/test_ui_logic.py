"""The UI's terminal-free logic: safe text, clipboard routes, themes, views, narrowing, rows."""

from __future__ import annotations

from pathlib import Path

import pyperclip
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.style import Style

from reader.model.annotation import Annotation
from reader.model.paper import Paper
from reader.search.narrowing import can_narrow
from reader.service.views import ORPHANED, build_views, counts_line, tag_query
from reader.ui.clipboard import (
    ClipboardUnavailable,
    FallbackClipboard,
    SystemClipboard,
    TerminalClipboard,
)
from reader.ui.safe_text import display_block, display_line
from reader.ui.themes import ThemeError, load_theme, load_themes, with_reader_variables
from reader.ui.widgets.paper_row import RowStyles, render_row

REPO = Path(__file__).resolve().parent.parent


def paper(pid: str, title: str = "A title", **kwargs: object) -> Paper:
    values: dict[str, object] = {"authors": ("Ada Lovelace",), "abstract": "Abstract."}
    values.update(kwargs)
    return Paper(id=pid, title=title, **values)  # type: ignore[arg-type]


# -- safe text ------------------------------------------------------------------------------


def test_escapes_and_controls_become_visible_one_for_one() -> None:
    hostile = "red\x1b[31mtext\x07 and\x00nul\x9b"
    shown = display_line(hostile)
    assert "\x1b" not in shown and "\x07" not in shown and "\x00" not in shown
    assert "\x9b" not in shown
    assert len(shown) == len(hostile)  # highlight offsets stay valid
    assert "␛[31m" in shown


def test_line_flattens_breaks_but_block_keeps_them() -> None:
    assert display_line("a\nb\tc\r") == "a b c "
    assert display_block("a\nb\tc") == "a\nb c"


def test_markup_is_left_as_text() -> None:
    assert display_line("[bold]x[/]") == "[bold]x[/]"


# -- clipboard ------------------------------------------------------------------------------


def test_system_clipboard_reports_itself() -> None:
    copied: list[str] = []
    assert SystemClipboard(copied.append).copy("hello") == "system clipboard"
    assert copied == ["hello"]


def test_fallback_to_terminal_when_pyperclip_has_no_backend() -> None:
    def broken(_: str) -> None:
        raise pyperclip.PyperclipException("no xclip")

    sent: list[str] = []
    clipboard = FallbackClipboard(SystemClipboard(broken), TerminalClipboard(sent.append))
    assert clipboard.copy("one") == "terminal OSC 52"
    assert clipboard.copy("two") == "terminal OSC 52"
    assert sent == ["one", "two"]


def test_no_route_raises_unavailable_with_reasons() -> None:
    def broken(_: str) -> None:
        raise pyperclip.PyperclipException("no xclip")

    with pytest.raises(ClipboardUnavailable, match="no xclip"):
        FallbackClipboard(SystemClipboard(broken)).copy("x")


# -- themes ---------------------------------------------------------------------------------


def test_bundled_themes_load_and_define_reader_variables() -> None:
    loaded = load_themes([REPO / "themes"])
    assert loaded.errors == []
    by_name = {theme.name: theme for theme in loaded.themes}
    assert {"reader-dark", "reader-light"} <= set(by_name)
    assert by_name["reader-dark"].dark and not by_name["reader-light"].dark
    for theme in by_name.values():
        assert {"reader-star", "reader-match", "reader-tag", "reader-muted"} <= set(theme.variables)


def test_user_theme_file_round_trip(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(
        'name = "mine"\nprimary = "#112233"\ndark = false\n[variables]\nreader-star = "red"\n'
    )
    (theme,) = load_themes([tmp_path, tmp_path / "missing"]).themes
    assert (theme.name, theme.primary, theme.dark) == ("mine", "#112233", False)
    assert theme.variables == {"reader-star": "red"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name = 'x'\nprimary = ", "not valid TOML"),
        ("primary = '#fff'", "'name'"),
        ("name = 'x'", "'primary'"),
        ("name = 'x'\nprimary = 'not-a-colour'", "is not a colour"),
        ("name = 'x'\nprimary = '#fff'\ncolour = 1", "unknown field"),
        ("name = 'x'\nprimary = '#fff'\ndark = 'yes'", "true or false"),
    ],
)
def test_bad_theme_files_name_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(ThemeError, match=message) as caught:
        load_theme(path)
    assert str(path) in str(caught.value)
    assert load_themes([tmp_path]).errors == [str(caught.value)]


def test_missing_reader_variables_fall_back_to_theme_colours() -> None:
    filled = with_reader_variables({"warning": "#f00", "accent": "#0f0", "reader-tag": "#00f"})
    assert filled["reader-star"] == "#f00"
    assert filled["reader-match"] == "#0f0"
    assert filled["reader-tag"] == "#00f"


# -- views ----------------------------------------------------------------------------------


def test_views_count_loaded_papers_only() -> None:
    annotations = {
        "a": Annotation("a", starred=True, tags=("ml", "to read")),
        "b": Annotation("b", status="read", note="good"),
        "c": Annotation("c", status="skipped", tags=("ml",)),
        "gone": Annotation("gone", starred=True, tags=("old",)),
    }
    views = build_views({"a", "b", "c", "d"}, annotations, orphan_count=1)
    counts = {view.key: (view.query, view.count) for view in views}
    assert counts["all"] == ("", 4)
    assert counts["inbox"] == ("is:unread", 2)
    assert counts["starred"] == ("is:starred", 1)
    assert counts["read"] == ("is:read", 1)
    assert counts["skipped"] == ("is:skipped", 1)
    assert counts["note"] == ("has:note", 1)
    assert counts["tag:ml"] == ("tag:ml", 2)
    assert counts["tag:to read"] == ('tag:"to read"', 1)
    assert "tag:old" not in counts
    assert counts[ORPHANED] == (None, 1)
    assert counts_line(3, views) == "3 / 4 shown · ★ 1 starred · 2 unread"


def test_tag_query_quotes_only_when_needed() -> None:
    assert tag_query("ml") == "tag:ml"
    assert tag_query("my tag") == 'tag:"my tag"'


# -- narrowing ------------------------------------------------------------------------------


def test_no_narrowing_from_a_malformed_query() -> None:
    # The full rule is tested against fresh searches in test_typed_search.py.
    assert not can_narrow("graph ", "graph neural", previous_had_hint=True)
    assert can_narrow("graph ", "graph neural")


# -- rows -----------------------------------------------------------------------------------


def test_row_shows_marks_title_author_year_and_tags_in_width() -> None:
    row = render_row(
        paper(
            "p", "Attention Is All You Need", authors=("Ashish Vaswani", "Noam"), date="2017-06-12"
        ),
        Annotation("p", starred=True, tags=("nlp",), status="read"),
        [(0, 9)],
        90,
        selected=True,
    )
    text = row.plain
    assert len(text) == 90
    assert text.startswith("▌★  Attention Is All You Need")
    assert "Attention Is All You Need #nlp " in text
    assert text.endswith(" Ashish Vaswani et… 2017")


def test_row_truncates_long_hostile_titles_without_escapes() -> None:
    title = "[bold]Evil[/] \x1b[2J" + "x" * 300
    text = render_row(paper("p", title), None, [], 60).plain
    assert len(text) == 60
    assert "\x1b" not in text and "[bold]Evil[/]" in text
    assert text.startswith("  • ")  # unread, not starred, not selected


# -- tag entry ------------------------------------------------------------------------------


def test_split_tags_trims_and_drops_repeats() -> None:
    from reader.ui.screens.tags import split_tags

    assert split_tags(" ml,  to   read ,ml,, ") == ["ml", "to read"]
    assert split_tags(" , ") == []


def test_tag_suggester_completes_the_part_after_the_last_comma() -> None:
    import asyncio

    from reader.ui.screens.tags import TagListSuggester

    suggester = TagListSuggester(["Graphs", "to read", "theory"])

    def suggest(value: str) -> str | None:
        return asyncio.run(suggester.get_suggestion(value))

    assert suggest("gr") == "graphs"  # typed case kept, rest from the tag
    assert suggest("ml, t") == "ml, theory"  # first in alphabetical order
    assert suggest("ml, to") == "ml, to read"
    assert suggest("theory, t") == "theory, to read"  # tags already listed are skipped
    assert suggest("ml, ") is None
    assert suggest("zzz") is None


def test_suggested_tags_come_first_and_are_offered_before_any_typing() -> None:
    from reader.ui.screens.tags import TagListSuggester

    suggester = TagListSuggester(["theory", "toread"], suggested=["transformers", "toread"])
    assert suggester.suggest("") == "transformers"  # tab on an empty box takes it
    assert suggester.suggest("t") == "transformers"  # suggested before alphabetical
    assert suggester.suggest("to") == "toread"
    assert suggester.suggest("transformers,") == "transformers, toread"
    assert suggester.suggest("transformers, toread, ") is None  # both already there
    assert suggester.suggest("th") == "theory"
    assert suggester.suggest("toread") is None  # already complete


# -- detail pane: math, highlights, source paths --------------------------------------------


@pytest.mark.parametrize(
    ("shown", "plain", "math"),
    [
        ("the $k$-secretary problem", "the k-secretary problem", ["k"]),
        ("when $k<5$ holds", "when k<5 holds", ["k<5"]),
        ("$$x^2$$ and $O(d^2)$", "x^2 and O(d^2)", ["x^2", "O(d^2)"]),
        ("costs $5 and $10 now", "costs $5 and $10 now", []),  # prices stay
        ("a lone $ sign", "a lone $ sign", []),
        ("no math", "no math", []),
    ],
)
def test_readable_math_drops_delimiters(shown: str, plain: str, math: list[str]) -> None:
    from reader.ui.widgets.paper_row import readable_math

    text, ranges = readable_math(shown)
    assert text == plain
    assert [text[start:end] for start, end in ranges] == math


@given(st.text(alphabet=st.sampled_from("ab $\\{}%~\0\x1b[]\u202e"), max_size=200))
def test_readable_math_never_loses_words(text: str) -> None:
    from reader.ui.widgets.paper_row import readable_math

    plain, ranges = readable_math(text)
    assert plain.replace("$", "") == text.replace("$", "")
    assert all(0 <= start <= end <= len(plain) for start, end in ranges)


def test_detail_shows_readable_math_and_highlights_title_and_abstract() -> None:
    from reader.search import parse_query
    from reader.ui.widgets.paper_detail import describe_paper

    shown = describe_paper(
        paper(
            "p",
            "The $k$-Secretary Problem [bold]x[/]",
            abstract="We solve the $k$-secretary problem when $k<5$.",
        ),
        None,
        [],
        query=parse_query("secretray "),  # a typo, forgiven as the search forgives it
        match_style="reverse",
    )
    plain = shown.plain
    assert plain.startswith("The k-Secretary Problem [bold]x[/]")
    assert "$" not in plain and "the k-secretary problem when k<5." in plain
    marked = [plain[s.start : s.end] for s in shown.spans if s.style == "reverse"]
    assert marked.count("Secretary") == 1 and "secretary" in marked  # title and abstract
    italic = [plain[s.start : s.end] for s in shown.spans if s.style == "italic"]
    assert italic == ["k", "k", "k<5"]


def test_field_words_light_up_only_their_field() -> None:
    from reader.search import highlight_spans, parse_query

    query = parse_query("title:flow ")
    assert highlight_spans("normalizing flow", query, "title") == [(12, 16)]
    assert highlight_spans("normalizing flow", query, "abstract") == []


def test_source_paths_are_short(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.ui.widgets.paper_detail import short_path

    site = tmp_path / "lib" / "python3.11" / "site-packages" / "reader" / "_data"
    corpus = site / "sample_corpus"
    corpus.mkdir(parents=True)
    source = corpus / "001_x.txt"
    source.write_text("x", encoding="utf-8")
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert short_path(str(source), [corpus]) == "sample_corpus/001_x.txt"
    assert short_path(str(source), [source]) == "001_x.txt"
    assert short_path(str(elsewhere / "a.txt")) == "a.txt"
    home_file = tmp_path / "home" / "notes" / "b.txt"
    assert short_path(str(home_file)) == "~/notes/b.txt"
    assert short_path("/nonexistent/c.txt") == "/nonexistent/c.txt"


@pytest.mark.parametrize(("width", "min_title"), [(34, 24), (80, 52), (120, 88), (200, 168)])
def test_row_title_takes_the_spare_width(width: int, min_title: int) -> None:
    long_title = "A Very Long Title About Normalizing Flows " * 6
    row = render_row(
        paper("p", long_title, authors=("Florian Bordes", "Randall"), date="2023-03-03"),
        None,
        [],
        width,
    ).plain
    assert len(row) == width
    title_cells = row.index("…") - 4 + 1
    assert title_cells >= min_title, row
    assert "2023" in row  # the year is never cut to "…"
    author = row[row.index("…") + 1 :].strip()
    assert len(author) <= 4 + 1 + 22  # author capped whatever the width


def test_very_narrow_rows_drop_columns_instead_of_cutting_them() -> None:
    row = render_row(paper("p", "Title", date="2023-03-03"), None, [], 26).plain
    assert len(row) == 26 and "…" not in row and "Title" in row


def test_a_paper_without_author_or_date_lends_those_columns_to_its_title() -> None:
    long_title = "Bayesian Optimization through Gaussian Cox Process Models " * 3
    bare = render_row(paper("p", long_title, authors=()), None, [], 80).plain
    full = render_row(paper("q", long_title, date="2023-01-01"), None, [], 80).plain
    assert bare.index("…") > full.index("…") + 20  # the empty columns went to the title
    dated = render_row(paper("r", long_title, authors=(), date="2021-05-05"), None, [], 80).plain
    assert dated.endswith(" 2021") and full.endswith(" 2023")  # years still line up


def test_row_title_shows_math_without_dollars_and_highlights_line_up() -> None:
    from reader.search import highlight_spans, parse_query
    from reader.ui.widgets.paper_row import row_title

    item = paper("p", "Online $k$-Secretary Bounds")
    title = row_title(item)
    assert title == "Online k-Secretary Bounds"
    spans = highlight_spans(title, parse_query("secretary"))
    row = render_row(item, None, spans, 60, styles=RowStyles(match=Style(bold=True)))
    assert row.plain.startswith("  • Online k-Secretary Bounds")
    bold = [row.plain[s.start : s.end] for s in row.spans if s.style == Style(bold=True)]
    assert bold == ["Secretary"]


HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "{ } % \\ $ ~ $k$ $$",
            "\0nul",
            "\x1b[31mred\x1b]8;;http://x\x07link",
            "[bold]markup[/]",
            "\u202eevil",
            "\udcff",
            "x" * 100_000,
        ]
    ),
)


@settings(max_examples=60, deadline=None)
@given(title=HOSTILE_TEXT, abstract=HOSTILE_TEXT, query=HOSTILE_TEXT, source=HOSTILE_TEXT)
def test_detail_and_tag_completion_take_hostile_text(
    title: str, abstract: str, query: str, source: str
) -> None:
    from reader.model.paper import Source
    from reader.search import parse_query
    from reader.ui.screens.tags import TagListSuggester
    from reader.ui.widgets.paper_detail import describe_paper, short_path

    item = Paper(
        id="p", title=title, authors=(title,), abstract=abstract, sources=(Source(source, 1),)
    )
    shown = describe_paper(item, None, [title], query=parse_query(query), roots=[Path(source)])
    assert "\x1b" not in shown.plain and "\0" not in shown.plain
    assert isinstance(short_path(source, [Path(source)]), str)
    suggester = TagListSuggester([title, query], suggested=[abstract])
    completed = suggester.suggest(query)
    assert completed is None or completed.startswith(query)


def test_the_app_paints_at_up_to_120_frames_unless_the_user_says_otherwise() -> None:
    """A key's result waits for Textual's next screen update: at the default 60 per second
    that is up to 17 ms per key (benchmarks/README.md, Keystroke latency)."""
    import os
    import subprocess
    import sys

    script = "import reader.ui.app, textual.constants as c; print(c.MAX_FPS)"
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    ours = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    theirs = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "TEXTUAL_FPS": "30"},
        capture_output=True,
        text=True,
    )
    assert (ours.stdout.strip(), theirs.stdout.strip()) == ("120", "30")
