"""Merging exact duplicates and linking near duplicates across every loaded file.

Exact duplicates share an id (the id is derived from the folded title), so they merge into one
record listing every source and keeping the richest fields. Near duplicates, such as a paper
renamed between versions (``DeepMesh: ...`` / ``MeshSDF: ...`` with the same abstract), stay
separate but point at each other through ``possible_duplicates``.

Comparing every pair is quadratic, so candidate pairs come from blocking, and only those pairs
are scored with rapidfuzz: titles first, abstracts (folded on demand) only where the titles
differ. A paper's blocking keys depend on that paper alone, never on the rest of the corpus:
pairs of its words that come first in a fixed hash order (a min-hash sketch), taken from its
title and from its abstract's opening, common words left out. Whether two papers are linked
is therefore a function of the two papers, so linking the papers of a new file against the
blocks of the old corpus gives exactly the links of linking everything from scratch.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, MutableSequence, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from rapidfuzz import fuzz

from reader.model.paper import Paper, fold_text
from reader.parsing.table import PaperTable, paper_ids

_SIMILAR = 90.0  # rapidfuzz ratio at or above which two titles or abstracts are near duplicates
_ABSTRACT_PREFIX_CHARS = 400  # enough text to tell two abstracts apart, bounded cost per pair
_OPENING_CHARS = 100  # the abstract's first words, for blocking untitled papers
_SKETCH = 4  # words per field kept in the sketch; every triple of them is a blocking key
# Words too common in paper titles and openings to say anything about duplication (the most
# frequent ones in sample_corpus/). A fixed list, so a paper's keys never depend on others.
_COMMON = frozenset(
    (
        "adversarial",
        "approach",
        "based",
        "bayesian",
        "continuous",
        "data",
        "deep",
        "differentiable",
        "diffusion",
        "distribution",
        "efficient",
        "feature",
        "features",
        "framework",
        "from",
        "functions",
        "gaussian",
        "generative",
        "gradient",
        "image",
        "images",
        "inference",
        "introduce",
        "large",
        "latent",
        "learn",
        "learning",
        "machine",
        "method",
        "methods",
        "model",
        "modeling",
        "models",
        "multi",
        "network",
        "networks",
        "neural",
        "novel",
        "often",
        "optimization",
        "paper",
        "posterior",
        "present",
        "problem",
        "problems",
        "propose",
        "recent",
        "representation",
        "representations",
        "self",
        "stochastic",
        "study",
        "supervised",
        "tasks",
        "training",
        "using",
        "variational",
        "vision",
        "visual",
        "which",
        "with",
        "towards",
        "these",
        "their",
        "this",
        "that",
        "however",
        "recently",
    )
)


def merge_duplicates(papers: Iterable[Paper]) -> list[Paper]:
    """One record per id, in first-seen order."""
    groups: dict[str, list[Paper]] = {}
    for paper in papers:
        groups.setdefault(paper.id, []).append(paper)
    return [group[0] if len(group) == 1 else _richest(group) for group in groups.values()]


def merge_into(papers: MutableSequence[Paper] | PaperTable, new: Iterable[Paper]) -> set[int]:
    """Merge ``new`` records (from files after those of ``papers``) into ``papers`` in place.

    Returns the positions that changed or were added. Because ``_richest`` takes each field
    from the first or the largest record, merging a merged record with later ones gives the
    same record as merging all of them at once: the result equals ``merge_duplicates`` of
    everything.
    """
    # Ids only: a cached corpus's table would build every paper to be enumerated.
    positions = {paper_id: index for index, paper_id in enumerate(paper_ids(papers))}
    groups: dict[str, list[Paper]] = {}
    for paper in new:
        groups.setdefault(paper.id, []).append(paper)
    changed: set[int] = set()
    for paper_id, group in groups.items():
        index = positions.get(paper_id)
        if index is None:
            positions[paper_id] = len(papers)
            changed.add(len(papers))
            papers.append(group[0] if len(group) == 1 else _richest(group))
        else:
            papers[index] = _richest([papers[index], *group])
            changed.add(index)
    return changed


def _richest(group: list[Paper]) -> Paper:
    """Combine the records of one paper, each field from whichever source has the most."""
    first = group[0]
    authors_from = max(group, key=_author_rank)  # max() keeps the first of equals
    return Paper(
        id=first.id,
        title=next((p.title for p in group if p.title), None),
        authors=authors_from.authors,
        authors_truncated=authors_from.authors_truncated,
        abstract=max((p.abstract for p in group), key=len),
        orgs=tuple(dict.fromkeys(org for p in group for org in p.orgs)),
        category=next((p.category for p in group if p.category), None),
        date=next((p.date for p in group if p.date), None),
        has_code=any(p.has_code for p in group),
        sources=tuple(dict.fromkeys(source for p in group for source in p.sources)),
        extra={key: value for p in reversed(group) for key, value in p.extra.items()},
        arxiv_id=next((p.arxiv_id for p in group if p.arxiv_id), None),
    )


def _author_rank(paper: Paper) -> tuple[int, int]:
    # A complete list beats a truncated one; then the longer list wins.
    return (0 if paper.authors_truncated else 1, len(paper.authors)) if paper.authors else (-1, 0)


Pair = tuple[int, int]


@dataclass(slots=True)
class Linker:
    """Near-duplicate links of a growing list of papers, kept up to date one batch at a time.

    ``blocks`` maps each blocking key to the positions of the papers carrying it; ``links``
    holds the linked pairs. ``add`` scores only pairs that involve a new or changed paper,
    which is what makes adding a file to a large corpus cheap. It pickles with the corpus.
    """

    blocks: dict[int, list[int]] = field(default_factory=dict)
    keys: list[tuple[int, ...]] = field(default_factory=list)
    links: dict[int, set[int]] = field(default_factory=dict)

    def add(
        self,
        papers: Sequence[Paper],
        positions: Iterable[int],
        progress: Callable[[int, int], None] | None = None,
    ) -> set[int]:
        """(Re-)link ``papers[i]`` for each i in ``positions``.

        Returns the positions whose links changed (their ``possible_duplicates`` need
        ``apply_links``)."""
        todo = sorted(set(positions))
        touched: set[int] = set()
        for position in todo:  # forget what a changed paper was linked to before
            self._forget(position, touched)
        while len(self.keys) < len(papers):
            self.keys.append(())
        titles: dict[int, str] = {}
        abstracts: dict[int, str] = {}
        for done, position in enumerate(todo):
            paper = papers[position]
            keys = _blocking_keys(paper)
            self.keys[position] = keys
            title_candidates: set[int] = set()
            opening_candidates: set[int] = set()
            for key in keys:
                block = self.blocks.setdefault(key, [])
                (title_candidates if key & _TITLE_KEY else opening_candidates).update(block)
                block.append(position)
            title_candidates.discard(position)
            opening_candidates.discard(position)
            for other in title_candidates | opening_candidates:
                by_title, by_opening = other in title_candidates, other in opening_candidates
                if _near_duplicates(
                    papers, position, other, titles, abstracts, by_title, by_opening
                ):
                    self.links.setdefault(position, set()).add(other)
                    self.links.setdefault(other, set()).add(position)
                    touched.update((position, other))
            if progress is not None and done % 2000 == 0:
                progress(done, len(todo))
        if progress is not None:
            progress(len(todo), len(todo))
        return touched

    def _forget(self, position: int, touched: set[int]) -> None:
        if position < len(self.keys):
            for key in self.keys[position]:
                block = self.blocks.get(key)
                if block is not None and position in block:
                    block.remove(position)
            self.keys[position] = ()
        for other in self.links.pop(position, set()):
            self.links.get(other, set()).discard(position)
            touched.update((position, other))

    def duplicates_of(self, papers: Sequence[Paper], position: int) -> tuple[str, ...]:
        return tuple(sorted(papers[other].id for other in self.links.get(position, ())))


def link_near_duplicates(papers: list[Paper]) -> Linker:
    """Fill ``possible_duplicates`` both ways for pairs of similar papers (in place)."""
    linker = Linker()
    linker.add(papers, range(len(papers)))
    apply_links(papers, linker, range(len(papers)))
    return linker


def apply_links(papers: Sequence[Paper], linker: Linker, positions: Iterable[int]) -> None:
    for position in positions:
        papers[position].possible_duplicates = linker.duplicates_of(papers, position)


def _near_duplicates(
    papers: Sequence[Paper],
    a: int,
    b: int,
    titles: dict[int, str],
    abstracts: dict[int, str],
    by_title: bool,
    by_opening: bool,
) -> bool:
    """Titles are compared for pairs blocked by title words, abstracts for pairs blocked by
    the abstract's opening words: a pair that shares only title words but has different
    titles is not worth folding two abstracts for. Both rules depend on the pair alone."""
    if by_title and _similar(
        _folded(papers, a, titles, _title), _folded(papers, b, titles, _title)
    ):
        return True
    return by_opening and _similar(
        _folded(papers, a, abstracts, _abstract_prefix),
        _folded(papers, b, abstracts, _abstract_prefix),
    )


def _folded(
    papers: Sequence[Paper], index: int, memo: dict[int, str], text: Callable[[Paper], str]
) -> str:
    folded = memo.get(index)
    if folded is None:
        folded = memo[index] = fold_text(text(papers[index]))
    return folded


def _title(paper: Paper) -> str:
    return paper.title or ""


def _abstract_prefix(paper: Paper) -> str:
    return paper.abstract[:_ABSTRACT_PREFIX_CHARS]


def _similar(a: str, b: str) -> bool:
    return bool(a and b) and fuzz.ratio(a, b, score_cutoff=_SIMILAR) > 0


_WORD_HASHES: dict[str, int] = {}


def _word_hash(word: str) -> int:
    # Stable across processes (str hash is salted), so keys can be cached with the corpus.
    value = _WORD_HASHES.get(word)
    if value is None:
        value = _WORD_HASHES[word] = zlib.crc32(word.encode("utf-8", "surrogatepass"))
    return value


def _sketch_keys(words: set[str], salt: int) -> list[int]:
    # Triples, not pairs: two unrelated papers rarely share three uncommon words, so blocks
    # stay small as the corpus grows, while near duplicates share most of their words.
    hashes = sorted(_word_hash(word) for word in words - _COMMON)[:_SKETCH]
    if len(hashes) < 3:  # short titles: the words there are, marked by their count
        packed = 0
        for value in hashes:
            packed = packed << 32 | value
        return [salt | len(hashes) << 100 | packed] if hashes else []
    return [salt | 3 << 100 | a << 64 | b << 32 | c for a, b, c in combinations(hashes, 3)]


_TITLE_KEY, _OPENING_KEY = 1 << 104, 2 << 104


def _blocking_keys(paper: Paper) -> tuple[int, ...]:
    title = fold_text(paper.title) if paper.title else ""
    opening = fold_text(paper.abstract[:_OPENING_CHARS])
    keys = _sketch_keys({w for w in title.split() if len(w) >= 4}, _TITLE_KEY)
    keys += _sketch_keys({w for w in opening.split() if len(w) >= 5}, _OPENING_KEY)
    return tuple(keys)
