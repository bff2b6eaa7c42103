"""Which documents a query word matches, field by field: exact, prefix and typo expansion.

A word matches its own token *exactly*; it matches *loosely* the tokens it is a prefix of
(only for the word being typed) and the tokens within a small edit distance with the same
first letter (only for words of 4+ characters that the corpus does not contain, or contains
almost nowhere: a real word is not "corrected" into another real word). Quoted words, which
get neither, still match their plurals loosely (``"normalizing flow"`` finds "normalizing
flows"): exact wording is what quotes ask for, but a reader never means to exclude the
plural. Ranking puts exact matches above loose ones.

Expansion must stay cheap on every keystroke, even for a one-letter prefix over 10^6
papers. Prefix candidates are taken most frequent first and the work is capped: at most
``MAX_DENSE`` bitset postings and ``MAX_SPARSE_IDS`` array entries per field. What the cap
leaves out only removes rare matches; the result says it is ``truncated`` so the UI can tell
the user to keep typing.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from reader.search import bitsets
from reader.search.index import SearchIndex

MIN_TYPO_LENGTH = 4
LONG_WORD = 8  # words this long may be two edits away
MAX_PREFIX_TOKENS = 4096
MAX_DENSE = 256
MAX_SPARSE_IDS = 250_000
PLURAL_SUFFIXES = ("s", "es")
# A token this rare (relative to corpus size) is probably itself a typo: expand it anyway.
RARE_TOKEN_RATIO = 200_000


@dataclass(frozen=True, slots=True)
class WordMatch:
    """Documents matching one word, per field: by its own token, or by an expansion."""

    exact: dict[str, int]
    loose: dict[str, int]
    truncated: bool

    @property
    def any(self) -> int:
        return bitsets.union(self.exact.values()) | bitsets.union(self.loose.values())


def vocab_index(index: SearchIndex, token: str) -> int | None:
    position = bisect_left(index.vocab, token)
    if position < len(index.vocab) and index.vocab[position] == token:
        return position
    return None


def match_word(
    index: SearchIndex,
    word: str,
    fields: tuple[str, ...],
    *,
    prefix: bool,
    fuzzy: bool,
    plurals: bool = False,
    peers: tuple[SearchIndex, ...] = (),
) -> WordMatch:
    """``peers`` are indexes searched beside this one (segments.py): whether a word is
    corrected into its typo neighbours is decided on all of them together, as one index
    over everything would decide it."""
    exact_at = vocab_index(index, word)
    loose: list[int] = []
    if plurals:
        found = (vocab_index(index, word + suffix) for suffix in PLURAL_SUFFIXES)
        loose.extend(position for position in found if position is not None)
    if prefix:
        loose.extend(prefix_expansions(index, word))
    if fuzzy and len(word) >= MIN_TYPO_LENGTH:
        frequency = sum(_frequency(each, word) for each in peers)
        frequency += index.doc_freq[exact_at] if exact_at is not None else 0
        size = index.size + sum(each.size for each in peers)
        found_elsewhere = any(_loose_exists(each, word, prefix, plurals) for each in peers)
        if frequency * RARE_TOKEN_RATIO <= size and not loose and not found_elsewhere:
            loose.extend(typo_expansions(index, word))
    exact = {
        name: _bits_of([exact_at] if exact_at is not None else [], index, name)[0]
        for name in fields
    }
    truncated = False
    loose_bits: dict[str, int] = {}
    for name in fields:
        loose_bits[name], cut = _bits_of(loose, index, name)
        truncated = truncated or cut
    return WordMatch(exact, loose_bits, truncated)


def _frequency(index: SearchIndex, token: str) -> int:
    position = vocab_index(index, token)
    return 0 if position is None else index.doc_freq[position]


def _loose_exists(index: SearchIndex, word: str, prefix: bool, plurals: bool) -> bool:
    """Whether ``index`` holds a plural (when asked) or a longer token starting with
    ``word`` (when it is a prefix): matches that rule out typo expansion."""
    if plurals and any(vocab_index(index, word + suffix) is not None for suffix in PLURAL_SUFFIXES):
        return True
    if not prefix:
        return False
    start = bisect_left(index.vocab, word)
    if start < len(index.vocab) and index.vocab[start] == word:
        start += 1
    return start < len(index.vocab) and index.vocab[start].startswith(word)


def prefix_expansions(index: SearchIndex, word: str) -> list[int]:
    """Vocabulary positions of the tokens ``word`` is a proper prefix of, most frequent first."""
    start = bisect_left(index.vocab, word)
    stop = bisect_left(index.vocab, word + "\U0010ffff", start)
    if start < len(index.vocab) and index.vocab[start] == word:
        start += 1
    positions = range(start, stop)
    if len(positions) > MAX_PREFIX_TOKENS:
        return heapq.nlargest(MAX_PREFIX_TOKENS, positions, key=index.doc_freq.__getitem__)
    return sorted(positions, key=index.doc_freq.__getitem__, reverse=True)


def typo_expansions(index: SearchIndex, word: str) -> list[int]:
    """Vocabulary positions of the tokens within 1 edit (2 for long words) of ``word``.

    The first letter must be right, as in most search engines' fuzzy matching: people rarely
    mistype it, and it cuts the comparisons 26-fold (about 2 ms instead of 50 ms against a
    vocabulary of 10^6 distinct tokens).
    """
    budget = 2 if len(word) >= LONG_WORD else 1
    found: list[int] = []
    for length in range(len(word) - budget, len(word) + budget + 1):
        candidates = index.by_shape.get((length, word[0]))
        if not candidates:
            continue
        for token, _distance, _ in process.extract(
            word, candidates, scorer=OSA.distance, score_cutoff=budget, limit=None
        ):
            if token != word:
                found.append(bisect_left(index.vocab, token))
    return found


def _bits_of(positions: list[int], index: SearchIndex, name: str) -> tuple[int, bool]:
    """Union of the postings of ``positions`` in field ``name``, capped; (bits, truncated)."""
    column = index.postings[name]
    dense = 0
    dense_count = 0
    sparse = array("I")
    truncated = False
    for position in positions:
        postings = column[position]
        if postings is None:
            continue
        if isinstance(postings, int):
            if dense_count >= MAX_DENSE:
                truncated = True
                continue
            dense |= postings
            dense_count += 1
        elif len(sparse) + len(postings) > MAX_SPARSE_IDS:
            truncated = True
        else:
            sparse.extend(postings)
    return dense | bitsets.from_ids(sparse, index.size), truncated
