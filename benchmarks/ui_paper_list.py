"""How the paper list copes with a big corpus: prints timings, asserts nothing.

    python benchmarks/ui_paper_list.py [N]     (default N = 100000)

Measures, headless at 160x45: showing N rows, the first full paint of the visible rows,
scrolling with the cursor (j, page down, G), and the same after an annotation change (which
invalidates the row cache).
"""

from __future__ import annotations

import asyncio
import random
import sys
import time

from textual.app import App, ComposeResult

from reader.model.annotation import Annotation
from reader.model.paper import Paper
from reader.ui.widgets.paper_list import PaperList

WORDS = [
    "graph",
    "neural",
    "bayesian",
    "diffusion",
    "sparse",
    "attention",
    "learning",
    "robust",
    "causal",
    "flow",
]


def synthetic_papers(count: int) -> list[Paper]:
    rng = random.Random(7)
    return [
        Paper(
            id=f"{number:012x}",
            title=" ".join(rng.choice(WORDS).title() for _ in range(rng.randint(4, 12))),
            authors=tuple(f"Author {rng.randint(1, 5000)}" for _ in range(rng.randint(1, 6))),
            abstract="",
            date=f"{rng.randint(1995, 2025)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        )
        for number in range(count)
    ]


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield PaperList()


def timed(label: str, seconds: float, per: int = 1) -> None:
    unit = f" ({seconds / per * 1e3:.3f} ms each)" if per > 1 else ""
    print(f"{label:<44} {seconds * 1e3:9.1f} ms{unit}")


async def main(count: int) -> None:
    papers = synthetic_papers(count)
    annotations = {
        paper.id: Annotation(paper.id, starred=True, tags=("ml",)) for paper in papers[::50]
    }
    app = ListApp()
    async with app.run_test(size=(160, 45)) as pilot:
        paper_list = app.query_one(PaperList)
        height = paper_list.size.height

        start = time.perf_counter()
        paper_list.show(papers, range(count), annotations, None)
        timed(f"show {count:,} rows", time.perf_counter() - start)

        def paint() -> float:
            began = time.perf_counter()
            for y in range(height):
                paper_list.render_line(y)
            return time.perf_counter() - began

        await pilot.pause()
        paper_list.update_annotations(annotations)  # drops every cached row
        timed(f"paint {height} visible rows (cold cache)", paint())
        timed(f"paint {height} visible rows (warm cache)", paint())

        paper_list.action_last()
        start = time.perf_counter()
        paper_list.show(papers, list(range(count - 1, -1, -1)), annotations, None)
        timed("re-show, keeping the cursor paper (worst case)", time.perf_counter() - start)
        paper_list.action_first()

        moves = 500
        start = time.perf_counter()
        for _ in range(moves):
            paper_list.action_cursor_down()
            paint()
        timed("cursor down + repaint", time.perf_counter() - start, moves)

        start = time.perf_counter()
        for _ in range(moves):
            paper_list.action_page_down()
            paint()
        timed("page down + repaint", time.perf_counter() - start, moves)

        start = time.perf_counter()
        paper_list.action_last()
        paint()
        timed("jump to last row + repaint", time.perf_counter() - start)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
