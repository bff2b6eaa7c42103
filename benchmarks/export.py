"""How long exporting a large corpus takes (target: 100k papers to BibTeX in <= 10 s).

Usage: python benchmarks/export.py [--papers N] [--corpus DIR]

With ``--corpus``, also times the real command, ``reader export --all`` over that directory
(first run parses and caches; the second is what a user repeating an export sees).

Synthetic papers look like listing records: ~1 kB abstracts with a sprinkling of LaTeX and
bare specials, a few colliding citation keys, a tenth of them annotated. Prints the time for
each stage and the output size; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

from reader.export.bibtex import to_bibtex
from reader.export.citation_keys import CitationKeys
from reader.export.markdown import to_markdown
from reader.model.annotation import Annotation
from reader.model.paper import Paper, paper_id

T = TypeVar("T")

WORDS = [
    "learning",
    "neural",
    "networks",
    "graph",
    "vision",
    "language",
    "model",
    "training",
    "data",
    "robust",
    "sparse",
    "optimal",
    "transport",
    "diffusion",
    "bayesian",
    "inference",
    "kernel",
    "attention",
    "transformer",
    "policy",
]
SNIPPETS = (
    "improves accuracy by 12% on ImageNet",
    r"with $O(n \log n)$ cost",
    "DA_IC-GAN & friends",
    r"as in~\citep{smith2020}",
    r"a \emph{simple} method",
    "L^p norms",
)
SURNAMES = ("Assran", "de Brébisson", "Caron", "Misra", "Zhang", "Müller", "van der Maaten")


def synthetic_papers(count: int, seed: int = 7) -> list[Paper]:
    generator = random.Random(seed)
    papers = []
    for number in range(count):
        title = " ".join(generator.choice(WORDS).capitalize() for _ in range(7)) + f" {number}"
        sentences = [
            " ".join(generator.choice(WORDS) for _ in range(14)) + " " + generator.choice(SNIPPETS)
            for _ in range(7)
        ]
        abstract = ". ".join(sentences) + "."
        authors = tuple(
            f"Author{generator.randrange(50)} {generator.choice(SURNAMES)}" for _ in range(4)
        )
        day = f"{generator.randrange(2015, 2025)}-{generator.randrange(1, 13):02d}-15"
        papers.append(
            Paper(
                id=paper_id(title, abstract),
                title=title,
                authors=authors,
                abstract=abstract,
                authors_truncated=number % 3 == 0,
                category="LG",
                date=day,
            )
        )
    return papers


def synthetic_annotations(papers: list[Paper]) -> dict[str, Annotation]:
    return {
        paper.id: Annotation(paper.id, starred=True, tags=("to read",), note="Check {this} 50%")
        for paper in papers[::10]
    }


def timed(label: str, action: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = action()
    print(f"{label:<34} {time.perf_counter() - start:8.2f} s")
    return result


def time_command(corpus: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "XDG_CACHE_HOME": scratch, "XDG_DATA_HOME": scratch}
        command = [sys.executable, "-m", "reader", "export", "--all", "-o", f"{scratch}/all.bib"]
        for run in ("cold cache", "warm cache"):
            start = time.perf_counter()
            subprocess.run([*command, str(corpus)], env=env, check=True, capture_output=True)
            label = f"reader export --all ({run})"
            print(f"{label:<34} {time.perf_counter() - start:8.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description="Time BibTeX and Markdown exports.")
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--corpus", type=Path, help="also time `reader export --all` on DIR")
    args = parser.parse_args()
    count = args.papers
    print(f"papers: {count}")
    papers = timed("generate synthetic papers", lambda: synthetic_papers(count))
    annotations = synthetic_annotations(papers)
    keys = timed("citation keys (CitationKeys)", lambda: CitationKeys(papers))
    text = timed("BibTeX (to_bibtex)", lambda: to_bibtex(papers, annotations, keys=keys))
    print(f"{'BibTeX output':<34} {len(text) / 1e6:8.1f} MB")
    # Markdown shows abstracts as readable Unicode; converting LaTeX (pylatexenc, in
    # reader.model.latex) dominates, so a reading-list-sized sample is timed.
    reading_list = [paper for paper in papers if paper.id in annotations][:1000]
    timed(
        f"Markdown, {len(reading_list)} papers + abstracts",
        lambda: to_markdown(reading_list, annotations, abstracts=True, today=date.today()),
    )
    if args.corpus is not None:
        time_command(args.corpus)


if __name__ == "__main__":
    main()
