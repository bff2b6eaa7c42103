"""The UI's terminal-free logic: safe text, clipboard routes, themes, views, narrowing, rows."""

from __future__ import annotations

from pathlib import Path

import pyperclip
import pytest

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
from reader.ui.widgets.paper_row import render_row

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


@pytest.mark.parametrize(
    ("previous", "new", "expected"),
    [
        ("graph", "graph ", True),
        ("graph", "graphs", True),
        ("graph ", "graph neural", True),
        ("", "graph", False),
        ("graph", "grap", False),
        ("graph", "graph -neural", False),
        ("graph", "graph OR tree", False),
        ("graph", 'graph "neural net"', False),
        ("tag:ml", "tag:mlx", False),
        ("tag:ml", "tag:ml graph", True),
        ("graph", "graph", False),
    ],
)
def test_can_narrow(previous: str, new: str, expected: bool) -> None:
    assert can_narrow(previous, new) is expected


def test_no_narrowing_from_a_malformed_query() -> None:
    assert not can_narrow("graph", "graphs", previous_had_hint=True)


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
