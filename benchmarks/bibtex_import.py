r"""Cold BibTeX import (issue 12 targets: 10k entries in <= 3 s, 100k in <= 30 s, whole command).

Usage: python benchmarks/bibtex_import.py [--entries 10000 100000] [--keep DIR] [--words seeds|toy]

Generates realistic .bib files, then times, for each size:

- ``parse``: ``parse_bibtex`` alone, in this process (splitting, values, papers);
- ``command``: the whole ``reader parse FILE`` in a fresh process with an empty cache
  directory (what a user importing a bibliography for the first time waits for: start-up,
  decoding, parsing, merging, duplicate linking and writing the cache);
- ``plain``: a plain Python pass over the same bytes (decode, split lines and words), and
  the ratios of the two timings above to it;
- ``cpu``: CPU seconds of the parse and of the command, which a machine shared with other
  work inflates far less than wall time;
- ``cmd MB``: peak RSS of the command process.

The command is started and measured by a small launcher process (see ``_LAUNCHER``).

The entries look like a reference manager's export: @string macros for journals and
conferences (used by most entries), a mix of @article/@inproceedings/@misc, 2-8 authors in
``Last, First`` form with about one in six carrying a LaTeX accent (``M{\"u}ller``,
``C{\'e}sar``), month macros, DOIs, arXiv eprints, keywords. Titles and abstracts come from
``synthetic.py``'s generator, i.e. from the seeds in ``sample_corpus/``: their words at their
frequencies, their abstract lengths (median ~1,170 characters), their LaTeX share (4.0% of
abstracts, plus 3% with brace and tilde debris), 1% renamed near duplicates, written with
the export's own escaping and case protection (``reader/export/bibtex_escape.py``).
Deterministic for a given size. Prints figures; asserts nothing.

``--words toy`` gives the earlier generator's text instead (titles and 150-250-word
abstracts drawn from 71 words): every pair of papers shares title words there, so duplicate
linking (``reader/parsing/merge.py``) scores ~29M candidate pairs at 100k and dominates the
command. Kept to reproduce the earlier figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # benchmarks/ is on sys.path (above)

from reader.export.bibtex_escape import escape_field
from reader.parsing.bibtex_import import parse_bibtex

VOCABULARY = [
    "learning",
    "neural",
    "network",
    "networks",
    "graph",
    "vision",
    "language",
    "model",
    "models",
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
    "gradient",
    "stochastic",
    "variational",
    "representation",
    "contrastive",
    "supervised",
    "self",
    "generative",
    "adversarial",
    "reinforcement",
    "agent",
    "reward",
    "convex",
    "bound",
    "regret",
    "sample",
    "efficient",
    "scalable",
    "the",
    "of",
    "and",
    "a",
    "in",
    "for",
    "with",
    "to",
    "on",
    "we",
    "our",
    "is",
    "that",
    "this",
    "by",
    "from",
    "as",
    "are",
    "show",
    "propose",
    "method",
    "results",
    "state",
    "art",
    "benchmark",
    "datasets",
    "performance",
    "tasks",
    "approach",
    "framework",
    "novel",
]
ACRONYMS = ("GAN", "VAE", "DINOv2", "BERT", "MLP", "SGD", "3D", "ImageNet", "CLIP", "RL")
GIVEN = ("Jean", "Hans", "Maria", "Søren", "Li", "Ahmed", "Yoshua", "Ana", "Pierre", "Chen")
FAMILY = ("Smith", "Wang", "Garcia", "Kim", "Novak", "Okafor", "Rossi", "Tanaka", "Dubois")
ACCENTED = (r"M{\"u}ller", r"C{\'e}sar", r"Gonz{\'a}lez", r"{\O}stergaard", r"Stra{\ss}e")
LATEX_SNIPPETS = (
    r"with $O(n \log n)$ cost",
    r"improves by 12\% over~\cite{smith2020}",
    r"a \emph{provably} optimal rate $\tilde{O}(\sqrt{T})$",
    r"for $\ell_p$ norms with $p \in [1, \infty]$",
)
STRINGS = {
    "jmlr": "Journal of Machine Learning Research",
    "neurips": "Advances in Neural Information Processing Systems",
    "icml": "International Conference on Machine Learning",
    "tpami": "IEEE Transactions on Pattern Analysis and Machine Intelligence",
}
SYLLABLES = ("ka", "lo", "mi", "re", "tu", "ne", "zo", "vi", "sa", "po", "dra", "fle", "gri")
_LATEX = re.compile(r"[$\\]")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _author(rng: random.Random) -> str:
    family = rng.choice(ACCENTED) if rng.random() < 0.17 else rng.choice(FAMILY)
    return f"{family}, {rng.choice(GIVEN)}"


def _seed_author(rng: random.Random, seeds: synthetic.Seeds) -> str:
    # Seed names, accented LaTeX spellings, and coined surnames so that the number of
    # distinct people grows with the file as it does in a real bibliography.
    roll = rng.random()
    if roll < 0.17:
        family = rng.choice(ACCENTED)
    elif roll < 0.67:
        family = rng.choice(seeds.surnames)
    else:
        family = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
    return f"{family}, {rng.choice(seeds.first_names)}"


def _abstract(rng: random.Random) -> str:
    words = rng.choices(VOCABULARY, k=rng.randint(150, 250))
    if rng.random() < 0.05:
        for _ in range(3):
            words.insert(rng.randrange(len(words)), rng.choice(LATEX_SNIPPETS))
    sentences = [" ".join(words[i : i + 18]).capitalize() + "." for i in range(0, len(words), 18)]
    return " ".join(sentences)


def _toy_title_abstract(rng: random.Random) -> tuple[str, str]:
    title_words = rng.choices(VOCABULARY, k=rng.randint(5, 12))
    title_words.insert(rng.randrange(len(title_words)), "{" + rng.choice(ACRONYMS) + "}")
    return " ".join(title_words).capitalize(), _abstract(rng)


class _SeedText:
    """Titles and abstracts from ``synthetic.py``'s generator, escaped as the export does."""

    def __init__(self, seed: int) -> None:
        self.gen = synthetic._Generator(seed)
        self.recent: list[str] = []

    def __call__(self, rng: random.Random) -> tuple[str, str]:
        gen = self.gen
        coined = gen.coin()
        if self.recent and rng.random() < 0.01:  # a renamed version of a recent paper
            words = rng.choice(self.recent).split(" ")
            words[rng.randrange(len(words))] = coined
            abstract = " ".join(words)
        else:
            abstract = gen.abstract(coined)
        self.recent = [*self.recent[-99:], abstract]
        title = escape_field(gen.title(coined), protect_case=True)
        return title, escape_field(abstract)


def generate(entries: int, seed: int = 1, words: str = "seeds") -> str:
    rng = random.Random(seed)
    seed_text = _SeedText(seed) if words == "seeds" else None
    seeds = synthetic.seeds() if words == "seeds" else None
    parts = [f'@string{{{name} = "{value}"}}\n' for name, value in STRINGS.items()]
    for number in range(entries):
        kind = rng.choice(("article", "inproceedings", "misc"))
        if seed_text is None or seeds is None:
            title, abstract = _toy_title_abstract(rng)
            people = [_author(rng) for _ in range(rng.randint(2, 8))]
            keywords = rng.choices(VOCABULARY, k=3)
        else:
            title, abstract = seed_text(rng)
            people = [_seed_author(rng, seeds) for _ in range(rng.randint(2, 8))]
            keywords = rng.choices(seeds.title_words, k=3)
        year = rng.randint(1995, 2025)
        venue = rng.choice(tuple(STRINGS))
        fields = [
            f"  title = {{{title}}}",
            f"  author = {{{' and '.join(people)}}}",
            f"  year = {year}",
            f"  month = {rng.choice(MONTHS)}",
            f"  abstract = {{{abstract}}}",
            f"  keywords = {{{escape_field(', '.join(keywords))}}}",
            f"  doi = {{10.{rng.randint(1000, 9999)}/{number}}}",
        ]
        if kind == "article":
            fields.append(f"  journal = {venue}")
        elif kind == "inproceedings":
            fields.append(f"  booktitle = {venue}")
        else:
            arxiv = f"{year % 100:02d}{rng.randint(1, 12):02d}.{number % 100000:05d}"
            fields += [f"  eprint = {{{arxiv}}}", "  archiveprefix = {arXiv}"]
        parts.append(f"@{kind}{{key{number},\n" + ",\n".join(fields) + "\n}\n")
    return "\n".join(parts)


# Runs the command and measures it from a small process: a child forked straight from
# this one (which holds the generated text and parsed papers) would report this process's
# size as its own peak RSS, since the high-water mark survives exec.
_LAUNCHER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
result = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "wall": wall,
    "cpu": usage.ru_utime + usage.ru_stime,
    "rss_mb": usage.ru_maxrss / 1024,
    "returncode": result.returncode,
    "stderr": result.stderr[-2000:],
}))
"""


def _measured(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Wall seconds, CPU seconds (user + sys), peak RSS (MB) and exit status of ``argv``."""
    launcher = [sys.executable, "-c", _LAUNCHER, *argv]
    output = subprocess.run(launcher, capture_output=True, text=True, env=env, check=True)
    result: dict[str, Any] = json.loads(output.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--keep", type=Path, default=None, help="write the .bib files here")
    parser.add_argument(
        "--words", choices=("seeds", "toy"), default="seeds", help="see the docstring"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bibtex-bench-"))
    folder = args.keep or work
    folder.mkdir(parents=True, exist_ok=True)
    print(
        f"{'entries':>8} {'MB':>6} {'LaTeX':>6} {'parse s':>8} {'entries/s':>10} "
        f"{'command s':>10} {'plain s':>8} {'parse/plain':>7} {'cmd/plain':>7} "
        f"{'parse cpu':>8} {'cmd cpu':>8} {'cmd MB':>7}"
    )
    try:
        for entries in args.entries:
            text = generate(entries, words=args.words)
            path = folder / f"refs-{entries}.bib"
            path.write_text(text, encoding="utf-8")
            # A plain Python pass over the same bytes: the yardstick that makes figures from a
            # loaded machine comparable (issue 12 asks CI to guard ratios, not seconds).
            started = time.perf_counter()
            plain_words = sum(len(line.split()) for line in path.read_bytes().decode().splitlines())
            plain_seconds = time.perf_counter() - started
            started, started_cpu = time.perf_counter(), time.process_time()
            parsed = parse_bibtex(text, str(path))
            parse_seconds = time.perf_counter() - started
            parse_cpu = time.process_time() - started_cpu
            assert len(parsed.papers) == entries, parsed.problems[:3]
            latex = (
                sum(_LATEX.search(paper.abstract) is not None for paper in parsed.papers) / entries
            )
            cache = work / f"cache-{entries}"
            env = {**os.environ, "XDG_CACHE_HOME": str(cache), "XDG_DATA_HOME": str(work / "data")}
            command = _measured([sys.executable, "-m", "reader", "parse", str(path)], env)
            command_seconds, command_cpu = command["wall"], command["cpu"]
            if command["returncode"] != 0:
                print(command["stderr"], file=sys.stderr)
            print(
                f"{entries:>8} {len(text.encode()) / 1e6:>6.1f} {latex:>6.1%} "
                f"{parse_seconds:>8.2f} "
                f"{entries / parse_seconds:>10,.0f} {command_seconds:>10.2f} "
                f"{plain_seconds:>8.2f} {parse_seconds / plain_seconds:>6.1f}x "
                f"{command_seconds / plain_seconds:>6.1f}x {parse_cpu:>8.2f} {command_cpu:>8.2f}"
                f" {command['rss_mb']:>7,.0f}"
                f"  ({plain_words:,} words; load {os.getloadavg()[0]:.2f})"
            )
    finally:  # the .bib files and caches are hundreds of MB
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
