"""Typed keystroke to painted result, through Pilot with the real app and widgets (issue 12).

    python benchmarks/keystroke.py --corpus DIR [--queries 12]

Starts ``ReaderApp`` headless at 160x45 on ``DIR`` (the cache should be warm: run
benchmarks/scale.py or one ``reader search`` first), focuses the search box and types each
query one character at a time. For every key it measures the time from the key press to the
moment the paper list shows that exact text's result and has rendered its first row again;
then prints p50, p95 and max over all keystrokes.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

QUERIES = [
    "bayesian optimization",
    "diffusion models",
    "author:vincent",
    "self-supervised",
    "graph neural",
    "contrastive learning",
    "year:>=2022 transformer",
    "equivariant",
    "reinforcement learning",
    "optimal transport",
    "protein",
    "causal",
]


async def _run(corpus: Path, queries: list[str]) -> list[float]:
    from reader.ui.app import ReaderApp
    from reader.ui.screens.main import MainScreen

    with tempfile.TemporaryDirectory() as scratch:
        app = ReaderApp([corpus], Path(scratch) / "reading_list.json")
        latencies: list[float] = []
        async with app.run_test(size=(160, 45)) as pilot:
            while not isinstance(app.screen, MainScreen):
                await pilot.pause(0.05)
            screen = app.screen
            await pilot.pause(0.5)
            for query in queries:
                await pilot.press("/")
                screen.search_input.value = ""
                await pilot.pause(0.2)
                for char in query:
                    started = time.perf_counter()
                    await pilot.press("space" if char == " " else char)
                    expected = screen.search_input.value
                    while screen.shown_query_text != expected:
                        await pilot.pause(0)
                    screen.paper_list.render_line(0)
                    await pilot.pause(0)
                    latencies.append(time.perf_counter() - started)
                await pilot.press("escape")
        return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=len(QUERIES))
    args = parser.parse_args()
    latencies = asyncio.run(_run(args.corpus, QUERIES[: args.queries]))
    ms = sorted(1000 * x for x in latencies)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    print(
        f"{len(ms)} keystrokes: p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, "
        f"max {ms[-1]:.0f} ms"
    )


if __name__ == "__main__":
    main()
