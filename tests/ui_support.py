"""Shared pieces for the app's Pilot and snapshot tests: a tiny corpus, a fake clipboard,
and helpers to wait for the app and read what it shows and stores."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from reader.ui.app import ReaderApp
from reader.ui.screens.main import MainScreen

REPO = Path(__file__).resolve().parent.parent

LONG_WORD = "x" * 300
# Three formats, one hostile title (markup + ANSI escape), one long unbroken word.
DATED_LISTING = (
    "LGApr 14, 2022\n"
    "Graph Neural Networks for EverythingAda Lovelace, Alan Turing\n"
    "We study graph neural networks on many tasks.\n"
    "CVMar 3, 2021Code\n"
    "[bold]Evil[/] \x1b[31mTitle With EscapesGrace Hopper\n"
    f"An abstract with a [link=http://x]link[/link] and a {LONG_WORD} word.\n"
    "LGJan 5, 2020\n"
    "Transformers for Tiny DataClaude Shannon, John von Neumann, Kurt Gödel et al.\n"
    "Transformers trained on tiny data sets.\n"
)
TRENDING_LIST = (
    "Get trending papers in your email inbox once a day!\n"
    "SubscribeDiffusion Models Beat Everything\n"
    "Diffusion models are trained to denoise images step by step.\n"
    "Sparse Attention at Scale\n"
    "Sparse attention lets transformers read long documents.\n"
)
ABSTRACT_LIST = "UCL\nAbstract:We address uplifting graph features from 2D models to 3D scenes.\n"
NOT_A_LISTING = "just some notes\nnothing to see\n"

TITLES_NEWEST_FIRST = [
    "Graph Neural Networks for Everything",
    "[bold]Evil[/] \x1b[31mTitle With Escapes",
    "Transformers for Tiny Data",
]


def app_test(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async Pilot test without an async pytest plugin (none is a dependency)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def write_corpus(directory: Path, *, with_problem: bool = False) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "listing.txt": DATED_LISTING,
        "trending.txt": TRENDING_LIST,
        "abstracts.txt": ABSTRACT_LIST,
    }
    if with_problem:
        files["notes.txt"] = NOT_A_LISTING
    paths = []
    for name, text in files.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


class FakeClipboard:
    def __init__(self) -> None:
        self.copied: list[str] = []

    def copy(self, text: str) -> str:
        self.copied.append(text)
        return "fake clipboard"


def make_app(tmp_path: Path, **kwargs: Any) -> tuple[ReaderApp, FakeClipboard]:
    clipboard = FakeClipboard()
    corpus = write_corpus(tmp_path / "corpus", with_problem=kwargs.pop("with_problem", False))
    kwargs.setdefault("theme_dirs", [REPO / "themes"])
    kwargs.setdefault("export_dir", tmp_path)
    app = ReaderApp(corpus, tmp_path / "reading_list.json", clipboard=clipboard, **kwargs)
    return app, clipboard


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers (search, loading) finish and their results land on screen."""
    for _ in range(3):
        for worker in list(pilot.app.workers):
            # An exclusive worker replaced by a newer one (a retrain after each label) ends
            # cancelled: it is done, and its successor is in the list too.
            with contextlib.suppress(WorkerCancelled):
                await worker.wait()
        await pilot.pause()


async def main_screen(pilot: Pilot[Any]) -> MainScreen:
    for _ in range(250):
        if isinstance(pilot.app.screen, MainScreen):
            break
        await pilot.pause(0.02)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen), f"still on {screen!r}"
    await settle(pilot)
    return screen


def list_lines(screen: MainScreen) -> list[str]:
    """The paper list's rows as rendered on screen (text only)."""
    paper_list = screen.paper_list
    height = paper_list.scrollable_content_region.height
    lines = [paper_list.render_line(y).text for y in range(height)]
    return [line for line in lines if line.strip()]


def notices(app: App[Any]) -> list[str]:
    return list(app.notices)


def stored(db_path: Path) -> dict[str, dict[str, Any]]:
    """The annotations as written to disk, by paper id (re-read from the JSON file)."""
    data = json.loads(db_path.read_text(encoding="utf-8"))
    return {doc["paper_id"]: doc for doc in data.get("annotations", {}).values()}


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], bool], *, deadline_seconds: float = 10.0
) -> None:
    """Let the app run until ``condition`` holds: a deadline poll for what a timer does, so
    a test never depends on how long a fixed sleep happens to be."""
    import time

    end = time.monotonic() + deadline_seconds
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("condition not reached before the deadline")
        await pilot.pause(0.01)
