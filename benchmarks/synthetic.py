"""A synthetic corpus shaped like ``sample_corpus/``, for benchmarks at 10^4–10^6 papers.

    python benchmarks/synthetic.py --papers 100000 --out /tmp/corpus --seed 1

Everything is drawn from the seeds in ``sample_corpus/`` (read with the real parser once per
process), so that costs measured here are the costs of real data:

- **Abstract lengths** follow the seeds' own distribution (each abstract's target length in
  characters is a seed abstract's length; 431–1,911 characters, median about 1,170).
- **Abstract words** are the seeds' words at the seeds' frequencies, plus one coined term per
  paper (a method name or acronym, often re-used by later papers), so the vocabulary keeps
  growing with the corpus as real collections do.
- **LaTeX**: 4.0% of the seed abstracts (26 of 651) contain ``$`` or a backslash macro; the same
  share of generated abstracts carries one to three LaTeX spans cut from those seed abstracts
  (``$O(d^{2})$``, ``\\citep{dai2018sbeed}``, ``\\textsc{Retrace}``, ...). Another 3% carry the
  brace and tilde debris seen in the seeds (``L_{1}-regularized``, ``e.g.~SMPL``).
- **Titles** are seed titles with two to four words swapped for words of other seed titles
  and the coined term worked in (``X: ...``, ``... with X``), so titles look like the seeds' and
  rarely collide.
- **Authors** recombine the seeds' first names and surnames (particles and accents kept:
  ``Julius von Kügelgen``); two or three are shown, 84% of bylines end in ``et al.``, as in the
  seeds' dated listing. Orgs, categories and the ``Code`` flag follow the seeds' shares.
- **Near duplicates**: 1% of papers are a renamed version of an earlier paper (new title, the
  abstract with one word changed), so duplicate linking has real work to do.

Files are written in the three listing formats of ``sample_corpus/`` (see
``reader/parsing/listings.py``): half the papers as dated listings, 30% as trending lists, 20%
as abstract lists; at most ``--per-file`` papers per file. Output is deterministic for a seed.

``generate(n, seed)`` returns the same papers as ``Paper`` records, exactly as a parser would
read them back from the files (dates and authors only where the format carries them).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from itertools import accumulate
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reader.model.paper import Paper, paper_id  # noqa: E402

SEEDS = REPO / "sample_corpus"
DATED, TRENDING, ABSTRACTS = "dated-listing", "trending-list", "abstract-list"
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_ORGS = ["mila", "meta-ai", "deepmind", "inria", "ucl", "eth-zurich", "mpi-is", "oxford"]
_ABSTRACT_LIST_ORGS = ["UCL", "MILA", "INRIA", "ETH Zurich", "MPI-IS", "KAIST"]
_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "re",
    "tu",
    "ne",
    "zo",
    "vi",
    "sa",
    "po",
    "qu",
    "xe",
    "dra",
    "fle",
    "gri",
    "bro",
    "sta",
    "plu",
]
_LATEX = re.compile(r"[$\\]")
_LATEX_SPAN = re.compile(r"\$[^$]{1,80}\$|\\[A-Za-z]+(?:\{[^{}$]{0,60}\})?")
_DEBRIS_SPAN = re.compile(r"\S*[{~]\S*")
_STREAM_WORDS = 1 << 20
_NEAR_DUPLICATES = 0.01
_DEBRIS_SHARE = 0.03


@dataclass(frozen=True, slots=True)
class Synthetic:
    """One generated paper and the format its file is written in."""

    paper: Paper
    format: str


@dataclass(frozen=True, slots=True)
class Seeds:
    """What the generator draws from, measured on ``sample_corpus/``."""

    abstract_lengths: list[int]
    words: list[str]
    word_weights: list[int]
    latex_share: float
    latex_spans: list[str]
    debris_spans: list[str]
    titles: list[list[str]]
    title_words: list[str]
    first_names: list[str]
    surnames: list[str]
    categories: list[str]


@cache
def seeds() -> Seeds:
    from reader.parsing.corpus import load_corpus

    papers = list(load_corpus([SEEDS], use_cache=False).papers)
    latex = [p.abstract for p in papers if _LATEX.search(p.abstract)]
    plain = [p.abstract for p in papers if not _LATEX.search(p.abstract)]
    counts = Counter(
        word for text in plain for word in text.split() if not _DEBRIS_SPAN.match(word)
    )
    titles = [p.title.split() for p in papers if p.title and not _LATEX.search(p.title)]
    names = [name.split() for p in papers for name in p.authors if len(name.split()) >= 2]
    return Seeds(
        abstract_lengths=sorted(len(p.abstract) for p in papers),
        words=list(counts),
        word_weights=list(counts.values()),
        latex_share=len(latex) / len(papers),
        latex_spans=[m.group() for text in latex for m in _LATEX_SPAN.finditer(text)],
        debris_spans=[
            m.group() for text in plain for m in _DEBRIS_SPAN.finditer(text) if "$" not in m.group()
        ],
        titles=titles,
        title_words=[w for t in titles for w in t if len(w) >= 4 and w[0].isupper()],
        first_names=[n[0] for n in names],
        surnames=[" ".join(n[1:]) for n in names],
        categories=[p.category for p in papers if p.category],
    )


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seeds = seeds()
        cum_weights = list(accumulate(self.seeds.word_weights))
        # Abstracts are cut from one long stream of seed words at seed frequencies: drawing
        # each word separately is ten times slower.
        self.stream = self.rng.choices(self.seeds.words, cum_weights=cum_weights, k=_STREAM_WORDS)
        self.coined: list[str] = []

    def coin(self) -> str:
        rng = self.rng
        if self.coined and rng.random() < 0.5:
            # Re-use earlier coinages, recent ones more often, like follow-up papers do.
            return self.coined[-1 - min(int(rng.expovariate(0.01)), len(self.coined) - 1)]
        stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
        term = stem.capitalize() if rng.random() < 0.5 else stem.upper()[:5]
        term += rng.choice(["", "", "Net", "Former", "-2", "GAN", "Flow"])
        self.coined.append(term)
        return term

    def title(self, coined: str) -> str:
        rng, s = self.rng, self.seeds
        words = list(rng.choice(s.titles))
        for _ in range(rng.randint(2, 4)):
            slots = [i for i, w in enumerate(words) if len(w) >= 3]
            if slots:
                words[rng.choice(slots)] = rng.choice(s.title_words)
        title = " ".join(words)
        roll = rng.random()
        if roll < 0.4:
            return f"{coined}: {title}"
        if roll < 0.7:
            return f"{title} with {coined}"
        return f"{title} via {coined}"

    def authors(self) -> tuple[tuple[str, ...], bool]:
        rng, s = self.rng, self.seeds
        count = 3 if rng.random() < 0.92 else 2
        names = tuple(f"{rng.choice(s.first_names)} {rng.choice(s.surnames)}" for _ in range(count))
        return names, rng.random() < 0.84

    def abstract(self, coined: str) -> str:
        rng, s = self.rng, self.seeds
        target = rng.choice(s.abstract_lengths)
        # Runs of about 20 words from random places: two abstracts never share a long stretch
        # by accident (one long slice each made thousands of false near duplicates).
        words, length = [], 0
        while length < target:
            start = rng.randrange(len(self.stream) - 20)
            for word in self.stream[start : start + 20]:
                if length >= target:
                    break
                words.append(word)
                length += len(word) + 1
        count = len(words)
        words[rng.randrange(count)] = coined
        roll = rng.random()
        if roll < s.latex_share:
            for _ in range(rng.randint(1, 3)):
                words[rng.randrange(count)] = rng.choice(s.latex_spans)
        elif roll < s.latex_share + _DEBRIS_SHARE and s.debris_spans:
            words[rng.randrange(count)] = rng.choice(s.debris_spans)
        sentences: list[str] = []
        start = 0
        while start < count:
            length = rng.randint(12, 26)
            sentence = " ".join(words[start : start + length]).rstrip(".")
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
            start += length
        return " ".join(sentences)

    def date(self) -> str:
        rng = self.rng
        return f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _papers(n: int, seed: int) -> Iterator[Synthetic]:
    gen = _Generator(seed)
    rng = gen.rng
    recent: list[Synthetic] = []
    for _ in range(n):
        coined = gen.coin()
        if recent and rng.random() < _NEAR_DUPLICATES:
            item = _renamed(gen, rng.choice(recent), coined)
        else:
            item = _fresh(gen, coined)
        recent = [*recent[-99:], item]
        yield item


def _fresh(gen: _Generator, coined: str) -> Synthetic:
    rng = gen.rng
    roll = rng.random()
    fmt = DATED if roll < 0.5 else TRENDING if roll < 0.8 else ABSTRACTS
    abstract = gen.abstract(coined)
    if fmt == ABSTRACTS:
        org = _ABSTRACT_LIST_ORGS[min(int(rng.expovariate(0.5)), len(_ABSTRACT_LIST_ORGS) - 1)]
        return Synthetic(Paper(paper_id(None, abstract), None, (), abstract, orgs=(org,)), fmt)
    title = gen.title(coined)
    if fmt == TRENDING:
        return Synthetic(Paper(paper_id(title, abstract), title, (), abstract), fmt)
    authors, truncated = gen.authors()
    orgs = () if rng.random() < 0.92 else tuple(rng.sample(_ORGS, rng.randint(1, 2)))
    paper = Paper(
        paper_id(title, abstract),
        title,
        authors,
        abstract,
        authors_truncated=truncated,
        orgs=orgs,
        category=rng.choice(gen.seeds.categories),
        date=gen.date(),
        has_code=rng.random() < 0.06,
    )
    return Synthetic(paper, fmt)


def _renamed(gen: _Generator, earlier: Synthetic, coined: str) -> Synthetic:
    """A later version of ``earlier``: renamed, with one abstract word changed."""
    rng = gen.rng
    words = earlier.paper.abstract.split(" ")
    words[rng.randrange(len(words))] = coined
    abstract = " ".join(words)
    title = gen.title(coined) if earlier.paper.title else None
    paper = replace(earlier.paper, id=paper_id(title, abstract), title=title, abstract=abstract)
    return Synthetic(paper, earlier.format)


def generate(n: int, seed: int = 0) -> list[Paper]:
    """``n`` papers, deterministic for ``seed``."""
    return [item.paper for item in _papers(n, seed)]


# ---------------------------------------------------------------------------- writing


def _dated_lines(paper: Paper) -> list[str]:
    assert paper.date is not None and paper.category is not None
    year, month, day = paper.date.split("-")
    header = f"{paper.category}{_MONTHS[int(month) - 1]} {int(day)}, {year}"
    byline = f"{paper.title}{', '.join(paper.authors)}"
    if paper.authors_truncated:
        byline += " et al."
    if paper.orgs:
        byline += " · " + ", ".join(paper.orgs)
    return [header + ("Code" if paper.has_code else ""), byline, paper.abstract]


def file_text(fmt: str, papers: list[Paper]) -> str:
    """``papers`` as one listing file of format ``fmt``."""
    lines: list[str] = []
    if fmt == DATED:
        for paper in papers:
            lines.extend(_dated_lines(paper))
    elif fmt == TRENDING:
        lines += [
            "Get trending papers in your email inbox once a day!",
            "Get trending papers in your email inbox!",
        ]
        for number, paper in enumerate(papers):
            lines.append(("Subscribe" if number == 0 else "") + (paper.title or ""))
            lines.append(paper.abstract)
    else:
        current = None
        for paper in papers:
            if paper.orgs[0] != current:
                current = paper.orgs[0]
                lines.append(current)
            lines.append("Abstract:" + paper.abstract)
    return "\n".join(lines) + "\n"


def write_corpus(out: Path, n: int, seed: int, per_file: int = 5000, prefix: str = "") -> int:
    """Write ``n`` papers under ``out``; returns the number of files written."""
    out.mkdir(parents=True, exist_ok=True)
    pending: dict[str, list[Paper]] = {DATED: [], TRENDING: [], ABSTRACTS: []}
    files = 0

    def flush(fmt: str) -> None:
        nonlocal files
        text = file_text(fmt, pending[fmt])
        (out / f"{prefix}{files:05d}_{fmt}.txt").write_text(text, encoding="utf-8")
        pending[fmt] = []
        files += 1

    for item in _papers(n, seed):
        pending[item.format].append(item.paper)
        if len(pending[item.format]) >= per_file:
            flush(item.format)
    for fmt in (DATED, TRENDING, ABSTRACTS):
        if pending[fmt]:
            flush(fmt)
    return files


def write_day_file(path: Path, n: int, seed: int) -> None:
    """One dated-listing file of ``n`` papers: the file a user pastes in on one day."""
    papers: list[Paper] = []
    for item in _papers(4 * n, seed):
        if item.format == DATED:
            papers.append(item.paper)
            if len(papers) == n:
                break
    path.write_text(file_text(DATED, papers), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-file", type=int, default=5000)
    parser.add_argument("--prefix", default="", help="file name prefix (e.g. a day's date)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    files = write_corpus(args.out, args.papers, args.seed, args.per_file, args.prefix)
    elapsed = time.perf_counter() - started
    print(f"wrote {args.papers:,} papers in {files} files under {args.out} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
