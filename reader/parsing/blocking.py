"""Blocking keys, candidate pairs and their scores for near-duplicate linking (``merge.Linker``).

Kept apart from ``merge`` so that numpy is imported only when papers are linked: a warm start
served from the cache never links, and never pays for the import.

A paper's keys depend on that paper alone (see ``merge``): the words of its title and of its
abstract's opening that come first in a fixed hash order, common words left out. Python only
cuts each paper's words out; hashing, sketching, grouping equal keys into candidate pairs and
de-duplicating them run over whole arrays, and only the candidate pairs are scored one by one.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from reader.model.paper import Paper, fold_text, fold_unicode

Array: TypeAlias = npt.NDArray[np.int64]
# Paper positions: 32 bits make a block entry 12 bytes instead of 16 (a corpus stays far
# below 2**31 papers); widened to 64 bits only where two are packed into one pair.
Positions: TypeAlias = npt.NDArray[np.int32]

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


# ---------------------------------------------------------------------------- blocking keys

_SIMILAR = 90.0  # rapidfuzz ratio at or above which two titles or abstracts are near duplicates
_ABSTRACT_PREFIX_CHARS = 400  # enough text to tell two abstracts apart, bounded cost per pair
# The abstract's opening, for blocking: its first whitespace-separated tokens. Counted in
# tokens, not characters, so that a renamed version with one word changed has the same
# opening but for that word (a character cut-off shifts, and changed a second word).
_OPENING_TOKENS = 30
# Words of each field kept in its sketch; every subset of all but one of them is a key. A
# near duplicate that differs in one word therefore always shares a key: the words both
# keep but the one. Five words (keys of four) rather than four (keys of three): unrelated
# papers share three uncommon title words often (variations on a theme, "... for Large
# Language Models"; in the synthetic corpus, titles recombined from the same seed title),
# and at 100k papers keys of three made 3.5 times as many title candidates for no more
# real links (benchmarks/README.md, "Linking").
_TITLE_SKETCH, _OPENING_SKETCH = 5, 5
_FEWEST = 3  # words a set needs for its subsets to be keys
_TITLE_WORD = re.compile(rb"[^ ]{4,}")  # on folded text, where words are spaces apart
_OPENING_WORD = re.compile(rb"[^ ]{5,}")
_TITLE_KEY, _OPENING_KEY = 1, 2  # a key's two low bits: which field it came from
_CHUNK = 1 << 14  # papers keyed between two conversions to arrays (bounds the Python lists)
_PAIR_CHUNK = 1 << 20  # candidate pairs expanded at once (bounds the temporary arrays)
# Lower-case letters and digits survive, every other ASCII byte becomes a space: the ASCII
# fast path of fold_unicode, without its join (the words are all a key needs).
_ASCII_WORDS = bytes(
    (c | 0x20) if chr(c).isalpha() else c if chr(c).isdigit() else 0x20 for c in range(128)
).ljust(256, b" ")
_COMMON_HASHES = np.array(sorted(zlib.crc32(word.encode()) for word in _COMMON), dtype=np.int64)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it modulo 2**64 loses nothing


def no_blocks() -> tuple[Array, Positions]:
    return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32)


def without(keys: Array, positions: Positions, gone: list[int]) -> tuple[Array, Positions]:
    """The blocks less every entry of the papers at positions ``gone``."""
    if not len(positions):
        return keys, positions
    keep = ~np.isin(positions, np.array(gone, dtype=np.int32), kind="table")
    return (keys, positions) if keep.all() else (keys[keep], positions[keep])


def insert(
    keys: Array, positions: Positions, new: Array, owners: Positions
) -> tuple[Array, Positions]:
    """The blocks with the (sorted) ``new`` keys of ``owners`` added, still sorted."""
    if not len(keys):  # linking from scratch: no copy (it would be the peak of memory)
        return new, owners
    at = np.searchsorted(keys, new)
    return np.insert(keys, at, new), np.insert(positions, at, owners)


def keys_of(
    papers: Sequence[Paper], todo: list[int], progress: Callable[[int], None]
) -> tuple[Array, Positions]:
    """Every blocking key of the papers at ``todo`` and the position carrying it, by key.

    The Python loop only cuts each paper's words out (a few calls into C per field);
    hashing, sketching and combining into keys run over the whole batch in numpy."""
    key_chunks: list[Array] = [np.empty(0, dtype=np.int64)]
    owner_chunks: list[Positions] = [np.empty(0, dtype=np.int32)]
    for start in range(0, len(todo), _CHUNK):
        progress(start)
        chunk = todo[start : start + _CHUNK]
        title_words: list[bytes] = []
        title_counts: list[int] = []
        opening_words: list[bytes] = []
        opening_counts: list[int] = []
        for position in chunk:
            paper = papers[position]
            found = _TITLE_WORD.findall(_folded_bytes(paper.title)) if paper.title else []
            title_words += found
            title_counts.append(len(found))
            found = _OPENING_WORD.findall(_folded_bytes(_opening(paper.abstract)))
            opening_words += found
            opening_counts.append(len(found))
        owners = np.array(chunk, dtype=np.int32)
        for words, counts, sketch, kind in (
            (title_words, title_counts, _TITLE_SKETCH, _TITLE_KEY),
            (opening_words, opening_counts, _OPENING_SKETCH, _OPENING_KEY),
        ):
            keys, keyed = _sketch_keys(owners, words, counts, sketch, kind)
            key_chunks.append(keys)
            owner_chunks.append(keyed)
    # Sorted with as few copies alive at once as can be: at a million papers each is 90 MB.
    keys = np.concatenate(key_chunks)
    key_chunks.clear()
    order = np.argsort(keys)
    keys = keys[order]
    owners = np.concatenate(owner_chunks)[order]
    return keys, owners


def _opening(abstract: str) -> str:
    """The first ``_OPENING_TOKENS`` tokens (split at whitespace) of ``abstract``."""
    # Split a prefix first: splitting the whole abstract copies all of it. The prefix holds
    # the whole opening when a token is left over after it.
    tokens = abstract[: 16 * _OPENING_TOKENS].split(maxsplit=_OPENING_TOKENS)
    if len(tokens) <= _OPENING_TOKENS:
        tokens = abstract.split(maxsplit=_OPENING_TOKENS)
    return " ".join(tokens[:_OPENING_TOKENS])


def _folded_bytes(text: str) -> bytes:
    # Without the LaTeX step of fold_text: pylatexenc costs 25 ms on the spans the fast
    # path cannot decide, and a key only has to be a function of the paper's own text.
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_WORDS)
    return fold_unicode(text).encode("utf-8", "surrogatepass")


def _sketch_keys(
    owners: Positions, words: list[bytes], counts: list[int], sketch: int, kind: int
) -> tuple[Array, Positions]:
    """The keys of one field of each paper, and the position each belongs to.

    A min-hash sketch: a paper's distinct uncommon words that come first in a fixed hash
    order (crc32: stable across processes, unlike str hashes, so keys can be cached with
    the corpus). Each subset leaving one word out is a key, and so, with fewer than
    ``sketch`` words (a short title), is the whole set: two papers whose sets differ in one
    word (one has a word more, or another word in its place) always share a key. Keys have
    at least ``_FEWEST - 1`` words: a key of one word would block together every paper with
    a short title that has it."""
    hashes = np.fromiter(map(zlib.crc32, words), dtype=np.int64, count=len(words))
    owner = np.repeat(owners.astype(np.int64), counts)
    at = np.searchsorted(_COMMON_HASHES, hashes).clip(max=len(_COMMON_HASHES) - 1)
    uncommon = _COMMON_HASHES[at] != hashes
    # Sorted by paper, then by hash, each word once: the sketch is each paper's first few.
    entries = unique(owner[uncommon] << 32 | hashes[uncommon])
    if not len(entries):
        return entries, entries.astype(np.int32)
    owner, hashes = entries >> 32, entries & 0xFFFFFFFF
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    sizes = np.diff(np.r_[starts, len(owner)])
    rank = np.arange(len(owner)) - np.repeat(starts, sizes)
    kept = rank < sketch
    table = np.zeros((len(starts), sketch), dtype=np.uint64)
    table[np.repeat(np.arange(len(starts)), sizes)[kept], rank[kept]] = hashes[kept]
    papers, count = owner[starts].astype(np.int32), np.minimum(sizes, sketch)
    short = count < sketch
    # A key is a row of sketch - 1 hashes, zero past its count, and the count: leaving one
    # word out of a row gives the key of the row without that word.
    keys = [_combine(table[short, : sketch - 1], count[short], kind)]
    keyed = [papers[short]]
    for left_out in range(sketch):
        rows = count > max(left_out, _FEWEST - 1)
        keys.append(_combine(np.delete(table[rows], left_out, axis=1), count[rows] - 1, kind))
        keyed.append(papers[rows])
    return np.concatenate(keys), np.concatenate(keyed)


def _combine(columns: npt.NDArray[np.uint64], count: Array, kind: int) -> Array:
    """One key per row from its word hashes (zero past the row's count) and that count.

    Multiply-xor in 64 bits: a function of the row alone, and two different rows collide
    about once in 2**61 (a collision only adds a candidate pair, scored like any other)."""
    mixed = count.astype(np.uint64) * _MIX
    for column in columns.T:
        mixed = (mixed ^ column) * _MIX
        mixed ^= mixed >> np.uint64(29)
    return (mixed >> np.uint64(3)).astype(np.int64) << 2 | kind


def unique(values: Array) -> Array:
    """Sorted distinct values (a sort and a mask; faster here than numpy's hashing unique)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


# ---------------------------------------------------------------------------- candidates


def candidates(
    keys: Array, owners: Positions, old_keys: Array, old_owners: Positions
) -> tuple[Array, Array]:
    """The pairs sharing a title key and those sharing an opening key, new with new and new
    with old, each once, packed as ``low << 32 | high`` positions. Keys arrays are sorted."""
    found: list[tuple[Array, Array]] = []
    # New with new: within each run of equal keys, every element with every later one. Only
    # keys shared by two papers or more take part (most keys are a single paper's).
    repeated = keys[1:] == keys[:-1]
    shared = np.flatnonzero(np.r_[False, repeated] | np.r_[repeated, False])
    run_keys, run_owners = keys[shared], owners[shared]
    starts = np.flatnonzero(np.r_[True, run_keys[1:] != run_keys[:-1]])
    sizes = np.diff(np.r_[starts, len(run_keys)])
    everything = np.arange(len(run_keys))
    later = np.repeat(sizes, sizes) - (everything - np.repeat(starts, sizes)) - 1
    found += _expand(run_keys, run_owners, later, run_owners, everything + 1)
    # New with old: each new key against the run of equal keys in the old blocks.
    if len(old_keys):
        low = np.searchsorted(old_keys, keys, side="left")
        high = np.searchsorted(old_keys, keys, side="right")
        found += _expand(keys, owners, high - low, old_owners, low)
    empty = np.empty(0, dtype=np.int64)
    titles = np.concatenate([empty, *(title for title, _ in found)])
    openings = np.concatenate([empty, *(opening for _, opening in found)])
    return unique(titles), unique(openings)


def _expand(
    keys: Array, owners: Positions, counts: Array, others: Positions, first: Array
) -> list[tuple[Array, Array]]:
    """For each i, the pairs (owners[i], others[first[i] + j]) for j < counts[i], split by
    the field of keys[i], duplicates removed; expanded a chunk at a time to bound memory."""
    chunks: list[tuple[Array, Array]] = []
    live = np.flatnonzero(counts > 0)
    ends = np.cumsum(counts[live])
    begin = 0
    while begin < len(live):
        base = int(ends[begin - 1]) if begin else 0
        end = max(begin + 1, int(np.searchsorted(ends, base + _PAIR_CHUNK, side="right")))
        rows = live[begin:end]
        n = counts[rows]
        row = np.repeat(rows, n)
        offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        a, b = owners[row], others[first[row] + offset]
        packed = np.minimum(a, b).astype(np.int64) << 32 | np.maximum(a, b)
        distinct = a != b  # a paper never pairs with itself (two of its keys may collide)
        by_title = (keys[row] & 3 == _TITLE_KEY) & distinct
        by_opening = (keys[row] & 3 == _OPENING_KEY) & distinct
        chunks.append((unique(packed[by_title]), unique(packed[by_opening])))
        begin = end
    return chunks


# ---------------------------------------------------------------------------- scoring


def linked_pairs(
    papers: Sequence[Paper],
    title_pairs: Array,
    opening_pairs: Array,
    progress: Callable[[float], None],
) -> list[tuple[int, int]]:
    """The candidate pairs that are near duplicates; ``progress`` hears the share scored.

    Titles are compared for pairs blocked by title words, abstracts for pairs blocked by
    the abstract's opening words: a pair that shares only title words but has different
    titles is not worth folding two abstracts for. Both rules depend on the pair alone."""
    total = len(title_pairs) + len(opening_pairs)
    linked = _similar_pairs(papers, title_pairs, _title, progress, 0, total)
    packed = np.array([a << 32 | b for a, b in linked], dtype=np.int64)
    rest = np.setdiff1d(opening_pairs, packed, assume_unique=True)
    done = len(title_pairs) + len(opening_pairs) - len(rest)
    return linked + _similar_pairs(papers, rest, _abstract_prefix, progress, done, total)


def _similar_pairs(
    papers: Sequence[Paper],
    pairs: Array,
    text: Callable[[Paper], str],
    progress: Callable[[float], None],
    done: int,
    total: int,
) -> list[tuple[int, int]]:
    lows, highs = pairs >> 32, pairs & 0xFFFFFFFF
    # Each paper folded once, and only papers that are candidates: an index into ``texts``.
    involved = unique(np.r_[lows, highs])
    texts = [fold_text(text(papers[p])) for p in involved.tolist()]
    index = np.searchsorted(involved, np.stack([lows, highs]))
    empty = np.array([not folded for folded in texts], dtype=bool)
    linked: list[tuple[int, int]] = []
    step = 1 << 16
    for start in range(0, len(pairs), step):
        progress((done + start) / total)
        a, b = index[0, start : start + step], index[1, start : start + step]
        # Scored in C, a chunk at a time: rapidfuzz's pairwise ratio (the cutoff makes it
        # stop early on hopeless pairs). Two empty texts are 100% alike, but say nothing.
        scores = process.cpdist(
            [texts[i] for i in a.tolist()],
            [texts[i] for i in b.tolist()],
            scorer=fuzz.ratio,
            score_cutoff=_SIMILAR,
            dtype=np.float64,  # as fuzz.ratio: a float32 would round 89.999996 up to 90
        )
        hit = (scores >= _SIMILAR) & ~empty[a] & ~empty[b]
        linked += zip(involved[a[hit]].tolist(), involved[b[hit]].tolist(), strict=True)
    return linked


def _title(paper: Paper) -> str:
    return paper.title or ""


def _abstract_prefix(paper: Paper) -> str:
    return paper.abstract[:_ABSTRACT_PREFIX_CHARS]
