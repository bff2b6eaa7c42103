"""Merging exact duplicates and linking near duplicates across every loaded file.

Exact duplicates share an id (the id is derived from the folded title), so they merge into one
record listing every source and keeping the richest fields. Near duplicates, such as a paper
renamed between versions (``DeepMesh: ...`` / ``MeshSDF: ...`` with the same abstract), stay
separate but point at each other through ``possible_duplicates``.

Comparing every pair is quadratic, so candidate pairs come from blocking, and only those pairs
are scored with rapidfuzz: titles first, abstracts (folded on demand) only where the titles
differ. A paper's blocking keys depend on that paper alone, never on the rest of the corpus:
sets of its words that come first in a fixed hash order (a min-hash sketch), taken from its
title and from its abstract's opening, common words left out. Whether two papers are linked
is therefore a function of the two papers, so linking the papers of a new file against the
blocks of the old corpus gives exactly the links of linking everything from scratch.

The work is done a batch at a time in numpy, in ``reader/parsing/blocking.py``: Python only
cuts each paper's words out; hashing, sketching, grouping equal keys into candidate pairs and
de-duplicating them run over whole arrays, and only the candidate pairs are scored. Costs:
``benchmarks/linking.py`` and the "Linking" section of ``benchmarks/README.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, MutableSequence, Sequence
from typing import TYPE_CHECKING

from reader.model.paper import Paper
from reader.parsing.table import PaperTable, paper_ids

if TYPE_CHECKING:
    from reader.parsing.blocking import Array, Positions

_FORMAT = 2  # of a pickled Linker; bump when the blocking keys change


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


class Linker:
    """Near-duplicate links of a growing list of papers, kept up to date one batch at a time.

    The blocks are two parallel arrays sorted by key: ``_keys`` (every blocking key of every
    linked paper) and ``_positions`` (the paper carrying it). Papers sharing a key are
    candidates. Arrays, not a dict of lists: at a million papers eight million keys cost
    100 MB this way against more than a gigabyte of Python objects, and they pickle as raw
    bytes. ``links`` holds the linked pairs. ``add`` scores only pairs that involve a new or
    changed paper, which is what makes adding a file to a large corpus cheap. It pickles with
    the corpus; a Linker pickled by another version refuses to load (a cache miss).
    """

    __slots__ = ("_keys", "_positions", "links")

    def __init__(self) -> None:
        from reader.parsing import blocking

        self._keys: Array
        self._positions: Positions
        self._keys, self._positions = blocking.no_blocks()
        self.links: dict[int, set[int]] = {}

    def __getstate__(self) -> tuple[int, Array, Positions, dict[int, set[int]]]:
        return (_FORMAT, self._keys, self._positions, self.links)

    def __setstate__(self, state: object) -> None:
        if not (isinstance(state, tuple) and len(state) == 4 and state[0] == _FORMAT):
            # Blocks of another key scheme would find other candidates than a full link
            # does: refuse, and the caller links from scratch.
            raise ValueError("a Linker pickled in another format")
        _, self._keys, self._positions, self.links = state

    def add(
        self,
        papers: Sequence[Paper],
        positions: Iterable[int],
        progress: Callable[[int, int], None] | None = None,
    ) -> set[int]:
        """(Re-)link ``papers[i]`` for each i in ``positions``.

        Returns the positions whose links changed (their ``possible_duplicates`` need
        ``apply_links``)."""
        from reader.parsing import blocking

        todo = sorted(set(positions))
        touched: set[int] = set()
        for position in todo:  # forget what a changed paper was linked to before
            for other in self.links.pop(position, set()):
                self.links.get(other, set()).discard(position)
                touched.update((position, other))
        if todo:  # and what it was keyed by (new papers have no keys yet)
            self._keys, self._positions = blocking.without(self._keys, self._positions, todo)
        # Progress counts papers keyed, then (as many units again) candidate pairs scored.
        total = 2 * len(todo)

        def report(done: int) -> None:
            if progress is not None:
                progress(min(done, total - 1), total)

        keys, owners = blocking.keys_of(papers, todo, report)
        title_pairs, opening_pairs = blocking.candidates(keys, owners, self._keys, self._positions)
        self._keys, self._positions = blocking.insert(self._keys, self._positions, keys, owners)
        linked = blocking.linked_pairs(
            papers,
            title_pairs,
            opening_pairs,
            lambda share: report(len(todo) + int(share * len(todo))),
        )
        for a, b in linked:
            self.links.setdefault(a, set()).add(b)
            self.links.setdefault(b, set()).add(a)
            touched.update((a, b))
        if progress is not None:
            progress(total, total)
        return touched

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
