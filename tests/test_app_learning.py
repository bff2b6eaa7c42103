"""The learner in the app (issue 13): For you, more like this, tag suggestions, rate to train.

Pilot tests on the sample corpus (651 papers, 16 about normalizing flows), pressing keys one
by one and checking the screen and the reading list re-read from disk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text
from textual.widgets import Label, Static
from ui_support import (
    REPO,
    FakeClipboard,
    app_test,
    main_screen,
    make_app,
    notices,
    settle,
    stored,
    wait_until,
)

from reader.model import Paper
from reader.search import SortKey
from reader.ui.app import ReaderApp
from reader.ui.safe_text import display_line
from reader.ui.screens.main import MainScreen
from reader.ui.screens.tags import AddTagsScreen
from reader.ui.widgets.paper_detail import describe_paper
from reader.ui.widgets.sidebar import Sidebar

TOPIC = "normalizing flow"
QUERY = "flows"  # short to type; its five most relevant papers are all on the topic
SIZE = (120, 30)


def sample_app(tmp_path: Path) -> ReaderApp:
    return ReaderApp(
        [REPO / "sample_corpus"],
        tmp_path / "reading_list.json",
        clipboard=FakeClipboard(),
        theme_dirs=[REPO / "themes"],
        export_dir=tmp_path,
    )


def about_topic(screen: MainScreen, paper_id: str) -> bool:
    paper = next(p for p in screen.session.papers if p.id == paper_id)
    return TOPIC in f"{paper.title or ''} {paper.abstract}".lower()


def row_ids(screen: MainScreen) -> list[str]:
    return [paper.id for paper in screen.paper_list.shown_papers]


def detail_text(screen: MainScreen) -> str:
    return str(screen.query_one("#detail-body", Static).render())


def hint_text(screen: MainScreen) -> str:
    hint = screen.query_one("#search-hint", Static)
    return str(hint.render()) if hint.display else ""


def counts_text(screen: MainScreen) -> str:
    return str(screen.query_one("#counts", Static).render())


async def ready(pilot: Any) -> MainScreen:
    screen = await main_screen(pilot)
    await wait_until(pilot, lambda: screen.learner.learning.ready)
    await settle(pilot)
    return screen


async def type_text(pilot: Any, text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else char)


async def search_topic(pilot: Any, screen: MainScreen) -> None:
    await pilot.press("slash")
    await type_text(pilot, QUERY)
    await pilot.press("enter")
    await settle(pilot)
    assert screen.focused is screen.paper_list
    assert all(about_topic(screen, pid) for pid in row_ids(screen)[:4])


async def star_first(pilot: Any, screen: MainScreen, count: int) -> list[str]:
    """Star the first ``count`` rows (the search keeps them: it is not the Inbox)."""
    starred = []
    for _ in range(count):
        paper = screen.paper_list.current_paper
        assert paper is not None
        starred.append(paper.id)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("j")
    return starred


@app_test
async def test_for_you_ranks_the_starred_topic_first_and_says_why(tmp_path: Path) -> None:
    app = sample_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await search_topic(pilot, screen)
        starred = await star_first(pilot, screen, 3)
        on_disk = stored(tmp_path / "reading_list.json")
        assert all(on_disk[pid]["starred"] for pid in starred)
        await pilot.press("escape")  # clear the search: every paper
        await settle(pilot)
        assert screen.paper_list.row_count == len(screen.session.papers)
        for _ in range(3):  # relevance -> date -> title -> for you
            await pilot.press("o")
        await wait_until(pilot, lambda: screen.learner.learning.ranking is not None)
        await settle(pilot)
        assert screen.sort is SortKey.FOR_YOU
        assert "sort: for-you" in counts_text(screen)
        top = row_ids(screen)[:5]
        assert about_topic(screen, top[0])
        assert sum(about_topic(screen, pid) for pid in top) >= 3  # 16 of 651 are on topic
        assert not set(top) & set(starred)  # recommendations first, the examples later
        await pilot.press("g")
        await settle(pilot)
        detail = detail_text(screen)
        assert "Why for you" in detail and "Because of:" in detail
        titles = {p.id: p.display_title for p in screen.session.papers}
        assert "Nearest liked:" in detail
        nearest = detail.split("Nearest liked: ", 1)[1].split("\n", 1)[0]
        assert any(nearest.startswith(titles[pid][:30]) for pid in starred)


@app_test
async def test_the_for_you_view_shows_unread_papers_in_the_models_order(tmp_path: Path) -> None:
    app = sample_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await search_topic(pilot, screen)
        starred = await star_first(pilot, screen, 3)
        await pilot.press("x")  # a skip is a label too, and the view leaves it out
        await settle(pilot)
        views = [view.label for view in screen.query_one(Sidebar).views]
        await pilot.press(str(views.index("For you") + 1))
        await wait_until(pilot, lambda: screen.learner.learning.ranking is not None)
        await settle(pilot)
        assert screen.search_input.value == "is:unread"
        assert screen.sort is SortKey.FOR_YOU
        rows = row_ids(screen)
        assert about_topic(screen, rows[0]) and rows[0] not in starred
        skipped = [
            pid
            for pid, doc in stored(tmp_path / "reading_list.json").items()
            if doc["status"] == "skipped"
        ]
        assert len(skipped) == 1 and skipped[0] not in rows


@app_test
async def test_too_few_labels_says_what_it_needs_and_sorts_by_date(tmp_path: Path) -> None:
    app = sample_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await search_topic(pilot, screen)
        await star_first(pilot, screen, 2)
        await pilot.press("escape")
        await settle(pilot)
        by_date = row_ids(screen)
        for _ in range(3):
            await pilot.press("o")
        await wait_until(pilot, lambda: screen.learner.learning.needs is not None)
        await settle(pilot)
        assert screen.sort is SortKey.FOR_YOU
        assert "for you: star or tag 1 more" in counts_text(screen)
        assert any("needs at least 3 starred or tagged papers" in n for n in notices(app))
        assert screen.learner.learning.ranking is None
        await pilot.press("o", "o", "o", "o")  # round again: the same sort, same rows
        await settle(pilot)
        assert row_ids(screen) == by_date  # no model: For you is the date order


@app_test
async def test_more_like_this_lists_the_neighbours_and_escape_restores(tmp_path: Path) -> None:
    app = sample_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await search_topic(pilot, screen)
        before = row_ids(screen)
        await pilot.press("j")
        paper = screen.paper_list.current_paper
        assert paper is not None
        await pilot.press("m")
        await settle(pilot)
        recommender = screen.learner.learning.recommender
        assert recommender is not None
        neighbours = [n.id for n in recommender.similar(paper.id, 30)]
        assert row_ids(screen) == neighbours and len(neighbours) == 30
        assert paper.id not in neighbours
        assert hint_text(screen).startswith("More like: ")
        assert "escape to leave" in hint_text(screen)
        assert screen.paper_list.current_paper is not None
        assert screen.paper_list.current_paper.id == neighbours[0]
        await pilot.press("s")  # a change in the temporary view keeps it
        await settle(pilot)
        assert row_ids(screen) == neighbours
        await pilot.press("escape")
        await settle(pilot)
        assert screen.search_input.value == QUERY
        assert row_ids(screen) == before
        assert hint_text(screen) == ""
        assert screen.paper_list.current_paper is not None
        assert screen.paper_list.current_paper.id == paper.id


@pytest.mark.slow  # three tag dialogs, then the suggestion: about 6 s on a shared machine
@app_test
async def test_a_tag_suggestion_is_accepted_with_tab(tmp_path: Path) -> None:
    app = sample_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await search_topic(pilot, screen)
        tagged = []
        for _ in range(3):
            assert screen.paper_list.current_paper is not None
            tagged.append(screen.paper_list.current_paper.id)
            await pilot.press("t", "x", "enter")
            await settle(pilot)
            await pilot.press("j")
        target = screen.paper_list.current_paper
        assert target is not None and target.id not in tagged
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, AddTagsScreen))
        dialog = app.screen
        label = dialog.query_one("#tags-suggested", Label)
        await wait_until(pilot, lambda: bool(label.display))
        assert "#x" in str(label.render())
        await pilot.press("tab", "enter")
        await settle(pilot)
        on_disk = stored(tmp_path / "reading_list.json")
        assert on_disk[target.id]["tags"] == ["x"]
        assert all(on_disk[pid]["tags"] == ["x"] for pid in tagged)


@app_test
async def test_rate_to_train_stars_retrain_and_refresh_the_list(tmp_path: Path) -> None:
    app = sample_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await search_topic(pilot, screen)
        starred = await star_first(pilot, screen, 3)
        await pilot.press("R")
        await settle(pilot)
        first = row_ids(screen)
        assert len(first) == 20 and not set(first) & set(starred)
        assert hint_text(screen).startswith("Rate to train")
        shown_file = tmp_path / "reading_list.shown.json"
        assert set(first) <= set(shown_file.read_text(encoding="utf-8").split('"'))
        rated = first[0]
        assert screen.paper_list.current_paper is not None
        assert screen.paper_list.current_paper.id == rated
        await pilot.press("s")
        await wait_until(pilot, lambda: rated not in row_ids(screen))
        await settle(pilot)
        assert stored(tmp_path / "reading_list.json")[rated]["starred"] is True
        again = row_ids(screen)
        assert len(again) == 20 and rated not in again
        # The boundary moved: the list is the nearest to it now, among the papers still on
        # it and those never shown; every one is remembered as shown.
        shown = set(shown_file.read_text(encoding="utf-8").split('"'))
        assert set(again) <= shown and set(again) != set(first)
        await pilot.press("escape")
        await settle(pilot)
        assert screen.search_input.value == QUERY and hint_text(screen) == ""


@app_test
async def test_a_failing_feature_build_is_a_warning_and_the_app_carries_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reader.service.learning as learning

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full [bold]x[/bold]")

    monkeypatch.setattr(learning, "features_for", broken)
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await main_screen(pilot)
        await wait_until(pilot, lambda: any("For you is unavailable" in n for n in notices(app)))
        message = next(n for n in notices(app) if "For you is unavailable" in n)
        assert "OSError: disk full [bold]x[/bold]" in message  # shown as text, not markup
        assert not screen.learner.learning.ready
        for _ in range(3):
            await pilot.press("o")
        await settle(pilot)
        assert screen.sort is SortKey.FOR_YOU and screen.paper_list.row_count == 6
        await pilot.press("m")
        assert any("Still reading the papers" in n for n in notices(app))
        await pilot.press("s")
        await settle(pilot)
        assert any(doc["starred"] for doc in stored(tmp_path / "reading_list.json").values())


HOSTILE = st.text(
    alphabet=st.sampled_from(list("{}%\\$~[]/ab \x00\x1b\u202e\n\r\t")) | st.characters(),
    max_size=60,
).map(lambda s: s + "[bold]x[/bold]\x1b]8;;http://e\x07{0}%s\u202e")


@settings(max_examples=40, deadline=None)
@given(line=HOSTILE | st.just("y" * 100_000 + "[bold]x[/bold]\x1b[31m"))
def test_reasons_and_view_labels_show_hostile_text_as_inert_data(line: str) -> None:
    paper = Paper("0123456789ab", line, ("A. Author",), "abstract")
    shown = describe_paper(paper, None, (), reasons=[f"Nearest liked: {line}"]).plain
    why = shown.split("Why for you\n", 1)[1]
    assert why.startswith("Nearest liked: " + display_line(line))
    assert not set(shown) & {"\x00", "\x1b", "\x07", "\u202e", "\r"}
    assert "[bold]x[/bold]" in why  # markup stays literal text
    label = Text(display_line(f"More like: {line} — escape to leave"), style="bold")
    assert not set(label.plain) & {"\x00", "\x1b", "\x07", "\u202e", "\n"}
