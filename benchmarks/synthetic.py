"""A synthetic corpus in the three listing formats, for benchmarks at 10^4–10^6 papers.

    python benchmarks/synthetic.py --papers 100000 --out /tmp/corpus --seed 1

Papers get plausible machine-learning titles, 3–8 authors (some with accented names),
150–250-word abstracts drawn from a Zipf-weighted vocabulary, categories, dates and orgs.
Every paper also coins a made-up term (a method name or acronym) with some probability, so
the vocabulary keeps growing with the corpus the way real collections do; without that, a
benchmark at 10^6 papers would search a toy vocabulary.

Files are written in the formats of sample_corpus/ (see reader/parsing/listings.py): half
the papers as dated listings (category, date, title glued to authors, abstract), 30% as
trending lists (title, abstract), 20% as abstract lists (institution header, ``Abstract:``
lines); at most ``--per-file`` papers per file. Output is deterministic for a given seed.

``generate(n, seed)`` returns the same papers as ``Paper`` records, exactly as a parser
would read them back from the files (dates and authors only where the format carries them).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.model.paper import Paper, paper_id


def _words(text: str) -> list[str]:
    return text.split()


DATED, TRENDING, ABSTRACTS = "dated-listing", "trending-list", "abstract-list"
_MONTHS = _words("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec")
_CATEGORIES = ["LG", "LG", "LG", "CV", "CV", "CL", "AI", "ML", "NE", "RO", "IR"]
_ORGS = [
    "mila",
    "meta-ai",
    "deepmind",
    "inria",
    "ucl",
    "eth-zurich",
    "mpi-is",
    "oxford",
    "stanford",
    "cmu",
    "berkeley",
    "mit",
    "tsinghua",
    "kaist",
    "vector",
    "amii",
]
_ABSTRACT_LIST_ORGS = ["UCL", "MILA", "INRIA", "ETH Zurich", "MPI-IS", "KAIST"]
_FIRST = _words(
    "Pascal Yann Yoshua Aaron Hugo Mathilde Diane Florian Randall Ishan Vitória José "
    "Zoé Björn Jürgen Søren Chloé Mahmoud Karsten Mark Zeynep Casey Li Wei Xin Yuki "
    "Aditya Priya Ahmed Fatima Olga Ivan Elena Marco Giulia Lucas Camille Noah Emma "
    "Liam Sofia Mateo Amélie François Rémi Kartik Simon Julius Linus Cian Reza Ali "
    "Martin Mikael Roberta Sebastian Anna Tom Kate Ruth Omar Layla Chen Hao Min Jun"
)
_LAST = _words(
    "Vincent LeCun Bengio Courville Larochelle Caron Bouchacourt Bordes Balestriero Misra "
    "Barin-Pacela Hernández Müller Schölkopf Kügelgen García Núñez Dubois Lefèvre Roth "
    "Ibrahim Akata Meehan Assran Ahuja Lacoste-Julien Eastwood Bayat Pezeshki Klissarov "
    "Henaff Raileanu Touati Precup Bacon Huang Zhang Wang Li Liu Chen Yang Kumar Sharma "
    "Singh Ivanov Petrova Rossi Bianchi Martin Bernard Silva Santos Kowalski Nowak "
    "Johansson Andersen Okafor Mensah Tanaka Sato Kim Park Nguyen Tran O'Brien McAllester "
    "DeAndre Dumoulin Mladenovic Bose Bouthillier Delaunay Rahimi-Kalahroudi"
)
_ADJECTIVES = _words(
    "Robust Scalable Efficient Neural Deep Bayesian Probabilistic Contrastive "
    "Self-Supervised Generative Adversarial Variational Sparse Causal Equivariant "
    "Hierarchical Continual Federated Differentiable Stochastic Implicit Latent "
    "Masked Diffusion-Based Graph Multimodal Unsupervised Offline Meta-Learned "
    "Compositional Invariant Optimal Adaptive Provable Fast Lightweight"
)
_NOUNS = _words(
    "Representations Transformers Networks Optimisation Optimization Inference Flows "
    "Processes Embeddings Policies Agents Models Priors Kernels Features Attention "
    "Disentanglement Generalization Memorization Segmentation Detection Reasoning "
    "Exploration Planning Retrieval Alignment Distillation Pretraining Fine-Tuning "
    "Calibration Uncertainty Robustness Transport Sampling Estimation Regression "
    "Classification Clustering Augmentations Objectives Benchmarks Simulators Rewards"
)
_DOMAINS = _words(
    "Images Video Language Molecules Proteins Graphs Robotics Speech Point Clouds "
    "Time Series Tabular Data Scenes Physics Games Medicine Climate Code"
)
# Every title names its coined term, so titles (and hence paper ids) rarely collide.
_TEMPLATES = [
    "{adj} {noun} for {domain} with {coined}",
    "{coined}: {adj} {noun} with {noun2}",
    "Towards {adj} {noun} via {noun2} in {coined}",
    "On the {noun} of {adj} {noun2}: the {coined} Case",
    "Learning {noun} from {domain} with {adj} {coined}",
    "{adj} {noun2} Meets {noun} in {coined}",
    "{coined}: Scaling {adj} {noun} to {domain}",
    "When Does {adj} {noun} Help {noun2}? Evidence from {coined}",
]
_FUNCTION_WORDS = _words(
    "the of and to a in we that for is on with by this our as are from "
    "which be an can it these at show than not both into such"
)
_CONTENT_WORDS = _words(
    "model models learning data training method methods approach network networks neural "
    "performance results task tasks propose proposed representation representations show "
    "based framework problem algorithm algorithms existing novel state art distribution "
    "distributions loss function functions benchmark benchmarks experiments demonstrate "
    "improve improves deep large small efficient robust generalization inference estimation "
    "optimization optimisation bayesian gaussian process processes prior posterior sampling "
    "transformer transformers attention self supervised unsupervised contrastive generative "
    "adversarial diffusion variational latent space spaces embedding embeddings features "
    "feature image images video language text graph graphs policy reinforcement reward agent "
    "agents environment environments exploration planning objective objectives gradient "
    "gradients descent stochastic convergence theoretical empirical analysis evaluation "
    "dataset datasets samples sample labels label supervision pretraining pretrained "
    "fine tuning downstream transfer domain shift shifts invariance equivariant symmetry "
    "causal structure structures sparse dense scalable scale scaling parameters layers "
    "normalizing flow flows kernel kernels uncertainty calibration robustness memorization "
    "disentanglement factors segmentation detection classification regression clustering "
    "retrieval alignment reasoning planning simulation simulator physics molecules protein "
    "proteins point cloud clouds registration rendering scene scenes geometry 3d 2d depth "
    "camera pose shape meta acquisition surrogate hyperparameter hyperparameters regret "
    "trajectory trajectories offline online continual federated privacy fairness bias "
    "variance entropy mutual information divergence transport optimal wasserstein score "
    "matching energy hierarchical compositional modular memory recurrent convolutional "
    "vision visual speech audio multimodal contrastive masked autoencoder autoencoders "
    "encoder decoder tokens token sequence sequences prediction predictions predictive "
    "accuracy error errors baseline baselines outperforms competitive significantly "
    "computational cost efficiency memory inference latency hardware quantization pruning "
    "distillation teacher student knowledge curriculum augmentation augmentations "
    "identifiability quantized steering activations interpretability explanations "
    "benchmarking reproducibility replicability open source code available github"
)
_OPENERS = [
    "We propose",
    "We introduce",
    "In this paper, we study",
    "We present",
    "This work investigates",
    "We consider",
    "Recent work has shown that",
]


_STREAM_WORDS = 1 << 20


@dataclass(frozen=True, slots=True)
class Synthetic:
    """One generated paper and the format its file is written in."""

    paper: Paper
    format: str


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        words = _FUNCTION_WORDS + _CONTENT_WORDS
        # Zipf weights over the vocabulary: function words first, so they are the most common.
        cum_weights = list(accumulate(1.0 / (rank + 1) for rank in range(len(words))))
        # Abstracts are slices of one long Zipf-distributed word stream taken at random
        # offsets: drawing each word separately made generation ten times slower.
        self.stream = self.rng.choices(words, cum_weights=cum_weights, k=_STREAM_WORDS)
        self.coined: list[str] = []

    def coin(self) -> str:
        rng = self.rng
        if self.coined and rng.random() < 0.5:
            # Re-use earlier coinages, recent ones more often, like follow-up papers do.
            return self.coined[-1 - min(int(rng.expovariate(0.01)), len(self.coined) - 1)]
        syllables = [
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
        stem = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3)))
        term = stem.capitalize() if rng.random() < 0.5 else stem.upper()[:5]
        term += rng.choice(["", "", "Net", "Former", "-2", "GAN", "Flow"])
        self.coined.append(term)
        return term

    def title(self, coined: str) -> str:
        rng = self.rng
        template = rng.choice(_TEMPLATES)
        return template.format(
            adj=rng.choice(_ADJECTIVES),
            noun=rng.choice(_NOUNS),
            noun2=rng.choice(_NOUNS),
            domain=rng.choice(_DOMAINS),
            coined=coined,
        )

    def authors(self) -> tuple[str, ...]:
        rng = self.rng
        return tuple(f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(rng.randint(3, 8)))

    def abstract(self, coined: str) -> str:
        rng = self.rng
        opener = rng.choice(_OPENERS)
        count = rng.randint(150, 250) - len(opener.split())
        start = rng.randrange(len(self.stream) - count)
        words = self.stream[start : start + count]
        words[rng.randrange(count)] = coined
        sentences: list[str] = [opener]
        start = 0
        while start < count:
            length = rng.randint(12, 26)
            sentence = " ".join(words[start : start + length])
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
            start += length
        return " ".join(sentences)

    def date(self) -> str:
        rng = self.rng
        return f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _papers(n: int, seed: int) -> Iterator[Synthetic]:
    gen = _Generator(seed)
    rng = gen.rng
    for _ in range(n):
        roll = rng.random()
        fmt = DATED if roll < 0.5 else TRENDING if roll < 0.8 else ABSTRACTS
        coined = gen.coin()
        abstract = gen.abstract(coined)
        if fmt == ABSTRACTS:
            org = _ABSTRACT_LIST_ORGS[min(int(rng.expovariate(0.5)), len(_ABSTRACT_LIST_ORGS) - 1)]
            paper = Paper(paper_id(None, abstract), None, (), abstract, orgs=(org,))
        elif fmt == TRENDING:
            title = gen.title(coined)
            paper = Paper(paper_id(title, abstract), title, (), abstract)
        else:
            title = gen.title(coined)
            authors = gen.authors()
            paper = Paper(
                paper_id(title, abstract),
                title,
                authors,
                abstract,
                orgs=tuple(rng.sample(_ORGS, rng.randint(0, 2))),
                category=rng.choice(_CATEGORIES),
                date=gen.date(),
                has_code=rng.random() < 0.3,
            )
        yield Synthetic(paper, fmt)


def generate(n: int, seed: int = 0) -> list[Paper]:
    """``n`` papers, deterministic for ``seed``."""
    return [item.paper for item in _papers(n, seed)]


# ---------------------------------------------------------------------------- writing


def _dated_lines(paper: Paper) -> list[str]:
    assert paper.date is not None and paper.category is not None
    year, month, day = paper.date.split("-")
    header = f"{paper.category}{_MONTHS[int(month) - 1]} {int(day)}, {year}"
    byline = f"{paper.title}{', '.join(paper.authors)}"
    if paper.orgs:
        byline += " · " + ", ".join(paper.orgs)
    return [header + ("Code" if paper.has_code else ""), byline, paper.abstract]


def _file_text(fmt: str, papers: list[Paper]) -> str:
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


def write_corpus(out: Path, n: int, seed: int, per_file: int = 5000) -> int:
    """Write ``n`` papers under ``out``; returns the number of files written."""
    out.mkdir(parents=True, exist_ok=True)
    pending: dict[str, list[Paper]] = {DATED: [], TRENDING: [], ABSTRACTS: []}
    files = 0

    def flush(fmt: str) -> None:
        nonlocal files
        text = _file_text(fmt, pending[fmt])
        (out / f"{files:05d}_{fmt}.txt").write_text(text, encoding="utf-8")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-file", type=int, default=5000)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    files = write_corpus(args.out, args.papers, args.seed, args.per_file)
    elapsed = time.perf_counter() - started
    print(f"wrote {args.papers:,} papers in {files} files under {args.out} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
