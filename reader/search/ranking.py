"""Relevance: where each query word was found, scored for every match at once on bitsets.

Each positive word earns a document a *level* by the best place it occurs:

    6 title, exact      5 title, prefix/typo
    4 author, exact     3 author, prefix/typo
    2 abstract, exact   1 abstract, prefix/typo

A document's score is the sum over the words. Scores are kept *bit-sliced*: plane ``i`` is a
bitset of the documents whose score has bit ``i`` set, and adding a word's levels is a
ripple-carry addition over planes. That is a few dozen big-int operations whatever the
number of matches, so 10^6 matches are ranked without touching them one by one. Documents
are then read out by descending score, newest first within a score (internal-id order).

Only the head of that order (``RERANK_HEAD`` documents) is refined with rapidfuzz: within an
equal score, titles closer to the whole query come first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rapidfuzz import fuzz, process

from reader.search import bitsets
from reader.search.query import ABSTRACT, AUTHOR, TITLE

RERANK_HEAD = 200
RANKED_CAP = 50_000
_LEVEL_ORDER = ((TITLE, 6, 5), (AUTHOR, 4, 3), (ABSTRACT, 2, 1))


class Cancelled(Exception):
    """Raised out of long loops when ``should_stop()`` says a newer query supersedes this one."""


class Scores:
    """Bit-sliced per-document sums of word levels."""

    def __init__(self) -> None:
        self.planes: list[int] = []
        self.words = 0

    def add(self, exact: dict[str, int], loose: dict[str, int]) -> None:
        """Add one word's level for every document, from its per-field matches."""
        by_level: dict[int, int] = {}
        unclaimed = -1  # all documents: a document takes the best level it reaches
        for name, exact_level, loose_level in _LEVEL_ORDER:
            exact_bits = exact.get(name, 0) & unclaimed
            loose_bits = loose.get(name, 0) & unclaimed & ~exact_bits
            by_level[exact_level], by_level[loose_level] = exact_bits, loose_bits
            unclaimed &= ~(exact_bits | loose_bits)
        addend = [0, 0, 0]
        for level, members in by_level.items():
            for bit in range(3):
                if level >> bit & 1:
                    addend[bit] |= members
        self._add_planes(addend)
        self.words += 1

    def _add_planes(self, addend: list[int]) -> None:
        width = (6 * (self.words + 1)).bit_length()
        while len(self.planes) < width:
            self.planes.append(0)
        carry = 0
        for bit in range(width):
            plane = self.planes[bit]
            other = addend[bit] if bit < len(addend) else 0
            self.planes[bit] = plane ^ other ^ carry
            carry = (plane & other) | (carry & (plane ^ other))

    def equal_to(self, score: int) -> int:
        """Documents (of any set) whose score is exactly ``score``."""
        members = -1
        for bit, plane in enumerate(self.planes):
            members &= plane if score >> bit & 1 else ~plane
        return members


def by_relevance(
    matches: int,
    scores: Scores,
    limit: int | None,
    should_stop: Callable[[], bool],
    positions: Sequence[int],
) -> tuple[list[int], list[int]]:
    """``positions[id]`` for the ids in ``matches``, best score first, then by id (newest).

    Only the first ``RANKED_CAP`` results are ordered by score; any further matches follow
    newest first. Reading out a score costs one pass over the corpus (~30 ms at 10^6
    papers), so ranking a one-letter prefix's million matches level by level would cost
    ~150 ms; nobody reads past the first screens, and one pass for the rest costs one level.

    Also returns the scores, run-length encoded as the score of the results from each start
    index: ``[start0, score0, start1, score1, ...]``; 0 marks the unranked tail.
    """
    cap = RANKED_CAP if limit is None else min(limit, RANKED_CAP)
    ranked: list[int] = []
    runs: list[int] = []
    remaining = matches
    for score in range(6 * scores.words, scores.words - 1, -1):
        if not remaining or len(ranked) >= cap:
            break
        if should_stop():
            raise Cancelled
        bucket = remaining & scores.equal_to(score)
        if not bucket:
            continue
        runs += [len(ranked), score]
        taken = bitsets.to_ids(bucket, cap - len(ranked))
        # The lowest ids of the bucket were taken: the rest of it joins the unranked tail.
        remaining &= ~(bucket & bitsets.span(0, taken[-1] + 1))
        ranked += map(positions.__getitem__, taken)
    wanted = None if limit is None else limit - len(ranked)
    if remaining and wanted != 0:
        runs += [len(ranked), 0]
        ranked += bitsets.select(remaining, positions, wanted)
    return ranked, runs


def run_scores(runs: list[int], length: int) -> list[int]:
    """A score for each of the first ``length`` results, from ``by_relevance``'s runs
    (0 where no run covers a result)."""
    scores = [0] * length
    for run in range(0, len(runs), 2):
        start = runs[run]
        if start >= length:
            break
        stop = runs[run + 2] if run + 2 < len(runs) else length
        scores[start:stop] = [runs[run + 1]] * (min(stop, length) - start)
    return scores


def rerank_head(
    ranked: list[int],
    runs: list[int],
    query: str,
    titles: Callable[[Sequence[int]], list[str]],
    age: Callable[[int], int],
) -> list[int]:
    """The head of ``ranked`` re-sorted by (score, title similarity to ``query``, ``age``).

    The unranked tail (score 0, see ``by_relevance``) keeps its date order.
    """
    unranked = [runs[i] for i in range(0, len(runs), 2) if runs[i + 1] == 0]
    head = ranked[: min(RERANK_HEAD, *unranked)] if unranked else ranked[:RERANK_HEAD]
    if len(head) < 2 or not query:
        return ranked
    head_scores = run_scores(runs, len(head))
    similarity = [0.0] * len(head)
    for _, value, position in process.extract(query, titles(head), scorer=fuzz.WRatio, limit=None):
        similarity[position] = value
    order = sorted(range(len(head)), key=lambda i: (-head_scores[i], -similarity[i], age(head[i])))
    ranked[: len(head)] = [head[i] for i in order]
    return ranked
