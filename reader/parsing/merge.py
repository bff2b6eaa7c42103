"""Merging exact duplicates and linking near duplicates across every loaded file.

Exact duplicates share an id (the id is derived from the folded title), so they merge into one
record listing every source and keeping the richest fields. Near duplicates, such as a paper
renamed between versions (``DeepMesh: ...`` / ``MeshSDF: ...`` with the same abstract), stay
separate but point at each other through ``possible_duplicates``.

Comparing every pair is quadratic, so candidate pairs come from blocking: papers sharing one of
their rarest title or abstract-opening words. Only those pairs are scored with rapidfuzz.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations

from rapidfuzz import fuzz

from reader.model.paper import Paper, fold_text

_SIMILAR = 90.0  # rapidfuzz ratio at or above which two titles or abstracts are near duplicates
_ABSTRACT_PREFIX_CHARS = 400  # enough text to tell two abstracts apart, bounded cost per pair
_BLOCK_WORDS = 2  # rarest words per paper used for blocking
_MAX_BLOCK = 12  # blocks larger than this are common words, not evidence of duplication
_OPENING_CHARS = 100  # the abstract's first words, for blocking untitled papers


def merge_duplicates(papers: Iterable[Paper]) -> list[Paper]:
    """One record per id, in first-seen order."""
    groups: dict[str, list[Paper]] = {}
    for paper in papers:
        groups.setdefault(paper.id, []).append(paper)
    return [group[0] if len(group) == 1 else _richest(group) for group in groups.values()]


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


def link_near_duplicates(papers: list[Paper]) -> None:
    """Fill ``possible_duplicates`` both ways for pairs of similar papers (in place)."""
    titles = [fold_text(p.title) if p.title else "" for p in papers]
    openings = [fold_text(p.abstract[:_OPENING_CHARS]) for p in papers]
    abstracts: dict[int, str] = {}

    def abstract(index: int) -> str:
        if index not in abstracts:
            abstracts[index] = fold_text(papers[index].abstract[:_ABSTRACT_PREFIX_CHARS])
        return abstracts[index]

    links: dict[int, set[int]] = defaultdict(set)
    for a, b in _candidate_pairs(titles, openings):
        if _similar(titles[a], titles[b]) or _similar(abstract(a), abstract(b)):
            links[a].add(b)
            links[b].add(a)
    for index, others in links.items():
        papers[index].possible_duplicates = tuple(sorted(papers[o].id for o in others))


def _similar(a: str, b: str) -> bool:
    return bool(a and b) and fuzz.ratio(a, b, score_cutoff=_SIMILAR) > 0


def _candidate_pairs(titles: list[str], openings: list[str]) -> set[tuple[int, int]]:
    words_of = [
        {w for w in title.split() if len(w) >= 4} | {w for w in opening.split() if len(w) >= 5}
        for title, opening in zip(titles, openings, strict=True)
    ]
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, words in enumerate(words_of):
        for word in words:
            blocks[word].append(index)
    chosen: set[str] = set()
    for words in words_of:
        shared = [w for w in words if 2 <= len(blocks[w]) <= _MAX_BLOCK]
        chosen.update(sorted(shared, key=lambda w: len(blocks[w]))[:_BLOCK_WORDS])
    pairs: set[tuple[int, int]] = set()
    for word in chosen:
        pairs.update(combinations(blocks[word], 2))
    return pairs
