"""Searching a corpus: a query in, the positions of the matching papers out, ordered.

Every condition of the query becomes a bitset over internal ids (see index.py) and the
conditions are ANDed; negated ones are ANDed in complemented. Annotation filters (tags,
status, notes) come from the annotations mapping passed with each search, so they always
reflect the reading list of the moment; a paper without an annotation is unread.

Keystroke latency: word matches are cached (typing "bayes" then "bayesi" re-uses nothing,
but "bayesian opt" then "bayesian opti" re-uses "bayesian"); ``within`` restricts to a
previous result; ``should_stop`` is polled between steps so a newer keystroke abandons old
work; ``limit`` bounds how many ids are materialised. ``SearchResult.total`` always counts
every match, and ``truncated`` says some rare matches were left out to stay fast.

Persistence: a SearchEngine pickles (with its papers); to cache it beside a corpus that is
pickled separately, store ``engine.to_state()`` and rebuild with
``SearchEngine.from_state(state, papers)``.
"""

from __future__ import annotations

import re
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import compress, islice

from reader.model.annotation import Annotation
from reader.model.paper import Paper
from reader.parsing.table import has_possible_duplicates
from reader.parsing.table import paper_ids as ids_of_papers
from reader.search import bitsets
from reader.search.expansion import PLURAL_SUFFIXES, WordMatch, match_word, vocab_index
from reader.search.index import ORG, SearchIndex, as_bits, fingerprint
from reader.search.index import title_key as _title_key
from reader.search.query import (
    AUTHOR,
    CATEGORY,
    HAS,
    IS,
    TAG,
    TEXT,
    TITLE,
    YEAR,
    ParsedQuery,
    Term,
    parse_query,
)
from reader.search.ranking import Cancelled, Scores, by_relevance, rerank_head
from reader.search.text import fold

# Phrases are checked against the text of each candidate, newest first; past this many
# candidates the rest are left out (and the result marked truncated) to keep typing fluid.
PHRASE_CHECK_BUDGET = 5_000
# Each cached word holds up to six bitsets of size/8 bytes: ~50 MB at 10^6 papers.
_WORD_CACHE_SIZE = 64


class SortKey(StrEnum):
    RELEVANCE = "relevance"
    DATE = "date"
    TITLE = "title"
    # Ordered by the learner above this layer (reader.service.learning); the engine gives
    # date order as the base, so without a model "for you" is simply newest first.
    FOR_YOU = "for-you"

    def next(self) -> SortKey:
        members = list(SortKey)
        return members[(members.index(self) + 1) % len(members)]


@dataclass
class SearchResult:
    query: ParsedQuery
    indices: list[int]  # positions into the engine's papers, in display order
    hint: str | None
    cancelled: bool = False
    total: int = 0  # matches before ``limit``
    truncated: bool = False  # some rare matches were skipped to answer quickly
    # Relevance order only: the score of the results from each start index, as
    # ``[start0, score0, start1, score1, ...]`` (0: the unranked tail); see ranking.py.
    runs: list[int] = field(default_factory=list)


class SearchEngine:
    _peers: tuple[SearchIndex, ...]

    def __init__(
        self, papers: Sequence[Paper], *, progress: Callable[[int, int], None] | None = None
    ) -> None:
        """Index ``papers``: about 5 s per 10^5 papers on one core. ``progress(done, total)``
        is called as the index is built."""
        self._papers = papers
        self._index = SearchIndex.build(papers, progress)
        self._init_caches()

    @classmethod
    def from_state(cls, state: SearchIndex, papers: Sequence[Paper]) -> SearchEngine:
        """An engine over ``papers`` re-using an index from ``to_state()`` of the same papers."""
        if state.size != len(papers) or state.fingerprint != fingerprint(papers):
            raise ValueError("search index state does not belong to these papers")
        engine = cls.__new__(cls)
        engine._papers = papers
        engine._index = state
        engine._init_caches()
        return engine

    def to_state(self) -> SearchIndex:
        return self._index

    def hide(self, positions: Sequence[int]) -> None:
        """Leave the papers at ``positions`` out of every result from now on: another index
        serves them (a paper a later file changed, see segments.py)."""
        internal_of = self._index.internal_of
        hidden = bitsets.from_ids([internal_of[p] for p in positions], self._index.size)
        self._all &= ~hidden
        self._hidden |= hidden

    def search_beside(self, peers: tuple[SearchIndex, ...]) -> None:
        """Indexes searched together with this one: typo correction considers them too."""
        self._peers = tuple(peers)
        with self._lock:
            self._words.clear()

    def date_key(self, position: int) -> int:
        """The paper's date as YYYYMMDD (0 when undated): the key of newest-first order."""
        return self._index.date_keys[self._index.internal_of[position]]

    def title_rank(self, position: int) -> int:
        """The paper's place in title order among this engine's papers."""
        return self._index.title_rank[self._index.internal_of[position]]

    def title_rank_of(self, paper: Paper) -> int:
        """Where a paper this engine does not hold would go in its title order."""
        index = self._index
        key = _title_key(paper)
        return bisect_left(
            index.title_order,
            key,
            key=lambda internal: _title_key(self._papers[index.order[internal]]),
        )

    def _init_caches(self) -> None:
        self._all = bitsets.span(0, self._index.size)
        self._hidden = 0
        self._peers = ()  # indexes searched beside this one: see search_beside
        # A superseded search may still be winding down in another thread while the next one
        # runs, so the shared caches are guarded and the last result is swapped in one piece.
        self._lock = threading.Lock()
        self._words: OrderedDict[tuple[object, ...], WordMatch] = OrderedDict()
        self._last: tuple[list[int], int] | None = None  # (indices returned, their bitset)
        self._title_positions: array[int] | None = None  # corpus positions in title order
        self._present: dict[str, int] = {}  # has:authors, has:title, is:duplicate bitsets
        # Annotations are keyed by paper id; built now because the inbox view needs it first.
        internal_of = self._index.internal_of
        self._internal_by_id = {
            paper_id: internal_of[i] for i, paper_id in enumerate(ids_of_papers(self._papers))
        }

    def __getstate__(self) -> dict[str, object]:
        return {"papers": self._papers, "index": self._index}  # caches and lock are rebuilt

    def __setstate__(self, state: dict[str, object]) -> None:
        self._papers = state["papers"]  # type: ignore[assignment]
        self._index = state["index"]  # type: ignore[assignment]
        self._init_caches()

    def __len__(self) -> int:
        return self._index.size

    @property
    def needs_compaction(self) -> bool:
        """Never: one index over everything (see segments.SegmentedEngine)."""
        return False

    def clear_caches(self) -> None:
        """Forget cached word matches (benchmarks use this to measure cold searches)."""
        with self._lock:
            self._words.clear()
            self._last = None

    # ------------------------------------------------------------------ search

    def search(
        self,
        text: str,
        annotations: Mapping[str, Annotation],
        sort: SortKey = SortKey.RELEVANCE,
        *,
        within: Sequence[int] | None = None,
        limit: int | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> SearchResult:
        query = parse_query(text)
        stop = should_stop or _never
        try:
            if query.is_empty and within is None:
                return self._everything(query, sort, limit)
            # Starting from a previous result only saves work (phrases are checked against
            # fewer candidates); the caller guarantees it holds every match (narrowing.py).
            start = self._all if within is None else self._within_bits(within)
            matches, scores, truncated = self._matches(query, annotations, stop, start)
            indices, runs = self._order(matches, scores, query, sort, limit, stop)
        except Cancelled:
            return SearchResult(query, [], query.hint, cancelled=True)
        if len(indices) == matches.bit_count():
            self._last = (indices, matches)
        total = matches.bit_count()
        return SearchResult(query, indices, query.hint, False, total, truncated, runs)

    def _everything(self, query: ParsedQuery, sort: SortKey, limit: int | None) -> SearchResult:
        index = self._index
        if self._hidden:
            if sort is SortKey.TITLE:
                shown = self._by_title(self._all, limit)
            else:
                shown = bitsets.select(self._all, index.order, limit)
            return SearchResult(query, shown, query.hint, False, self._all.bit_count())
        if sort is SortKey.TITLE:
            indices = list(self._positions_by_title()[:limit])
        else:
            indices = list(index.order[:limit] if limit is not None else index.order)
        return SearchResult(query, indices, query.hint, False, index.size)

    # ------------------------------------------------------------------ matching

    def _matches(
        self,
        query: ParsedQuery,
        annotations: Mapping[str, Annotation],
        stop: Callable[[], bool],
        start: int,
    ) -> tuple[int, Scores, bool]:
        matches = start
        scores = Scores()
        truncated = False
        # Phrases are checked last, against the text of what the other conditions leave.
        phrases = [term for term in query.terms if term.kind == TEXT and term.phrase]
        for term in query.terms:
            if term.kind == TEXT and term.phrase:
                continue
            if stop():
                raise Cancelled
            if term.kind == TEXT:
                word = self._word(term)
                truncated = truncated or word.truncated
                if term.negated:
                    matches &= ~word.any
                else:
                    matches &= word.any
                    scores.add(word.exact, word.loose)
                continue
            members = self._filter(term, annotations)
            matches &= ~members if term.negated else members
        for term in sorted(phrases, key=lambda term: term.negated):
            found, cut = self._phrase(term, matches, stop)
            truncated = truncated or cut
            if term.negated:
                matches &= ~bitsets.union(found.values())
            else:
                matches &= bitsets.union(found.values())
                scores.add(found, {})
        return matches, scores, truncated

    def _word(self, term: Term) -> WordMatch:
        prefix = term.prefix and not term.negated and not term.exact
        fuzzy = not term.negated and not term.exact
        key = (term.words[0], term.fields, prefix, fuzzy, term.exact)
        with self._lock:
            cached = self._words.get(key)
            if cached is not None:
                self._words.move_to_end(key)
                return cached
        cached = match_word(
            self._index,
            term.words[0],
            term.fields,
            prefix=prefix,
            fuzzy=fuzzy,
            plurals=term.exact and not term.negated,
            peers=self._peers,
        )
        with self._lock:
            self._words[key] = cached
            if len(self._words) > _WORD_CACHE_SIZE:
                self._words.popitem(last=False)
        return cached

    def _filter(self, term: Term, annotations: Mapping[str, Annotation]) -> int:
        index = self._index
        if term.kind == YEAR:
            return self._years(*term.years)
        if term.kind == CATEGORY:
            return as_bits(index.categories.get(term.value), index.size)
        if term.kind == ORG:
            return self._org(term)
        if term.kind == HAS and term.value == "code":
            return index.has_code
        if term.kind == HAS and term.value == "date":
            return bitsets.span(0, index.dated_count)  # dated documents come first
        if term.kind == HAS and term.value in ("authors", "title"):
            return self._field_present(AUTHOR if term.value == "authors" else TITLE)
        if term.kind == IS and term.value == "duplicate":
            return self._duplicates()
        if term.kind == IS and term.value == "unread":
            done = [pid for pid, a in annotations.items() if a.status in ("read", "skipped")]
            return self._all & ~self._annotated(done)
        wanted: Callable[[Annotation], bool]
        if term.kind == TAG:
            wanted = lambda a: any(tag.casefold() == term.value for tag in a.tags)  # noqa: E731
        elif term.kind == HAS:  # note
            wanted = lambda a: bool(a.note.strip())  # noqa: E731
        elif term.value == "starred":
            wanted = lambda a: a.starred  # noqa: E731
        else:
            wanted = lambda a: a.status == term.value  # noqa: E731
        return self._annotated([pid for pid, a in annotations.items() if wanted(a)])

    def _field_present(self, name: str) -> int:
        """Documents with at least one token in field ``name``: the union of its postings,
        computed on first use (one pass over the postings) and kept."""
        with self._lock:
            cached = self._present.get(name)
        if cached is not None:
            return cached
        index = self._index
        dense = 0
        sparse = array("I")
        for postings in index.postings[name]:
            if postings is None:
                continue
            if isinstance(postings, int):
                dense |= postings
            else:
                sparse.extend(postings)
        found = dense | bitsets.from_ids(sparse, index.size)
        with self._lock:
            self._present[name] = found
        return found

    def _duplicates(self) -> int:
        """Documents linked to a possible duplicate. The index does not keep the links, so
        the corpus column is read once, on first use."""
        with self._lock:
            cached = self._present.get("duplicate")
        if cached is not None:
            return cached
        internal_of = self._index.internal_of
        flags = has_possible_duplicates(self._papers)
        linked = [internal_of[position] for position, flag in enumerate(flags) if flag]
        found = bitsets.from_ids(linked, self._index.size)
        with self._lock:
            self._present["duplicate"] = found
        return found

    def _annotated(self, paper_ids: list[str]) -> int:
        lookup = self._internal_by_id
        internal = [lookup[paper_id] for paper_id in paper_ids if paper_id in lookup]
        return bitsets.from_ids(internal, self._index.size)

    def _years(self, first: int, last: int) -> int:
        # Dated documents come first, newest first: a year range is one run of internal ids.
        keys = self._index.date_keys
        dated = self._index.dated_count
        newest, oldest = last * 10000 + 1231, first * 10000 + 101
        start = _first_at_or_below(keys, newest, dated)
        stop = _first_at_or_below(keys, oldest - 1, dated)
        return bitsets.span(start, stop)

    def _org(self, term: Term) -> int:
        index = self._index
        members = self._all
        for position, word in enumerate(term.words):
            start = bisect_left(index.org_vocab, word)
            if term.prefix and position == len(term.words) - 1:
                stop = bisect_left(index.org_vocab, word + "\U0010ffff")
            else:
                found = start < len(index.org_vocab) and index.org_vocab[start] == word
                stop = start + 1 if found else start
            members &= bitsets.union(
                as_bits(index.org_postings[i], index.size) for i in range(start, stop)
            )
        return members

    def _phrase(
        self, term: Term, candidates: int, stop: Callable[[], bool]
    ) -> tuple[dict[str, int], bool]:
        """Documents where the words of ``term`` are adjacent, per field."""
        index = self._index
        forms = [_known_forms(index, word) for word in term.words]
        if not all(forms):
            return {}, False
        # Only documents holding every word in a field can hold the phrase there.
        per_field: dict[str, int] = {}
        for name in term.fields:
            column = index.postings[name]
            within = candidates
            for positions in forms:
                within &= bitsets.union(as_bits(column[p], index.size) for p in positions)
            per_field[name] = within
        checked = bitsets.to_ids(bitsets.union(per_field.values()), PHRASE_CHECK_BUDGET + 1)
        truncated = len(checked) > PHRASE_CHECK_BUDGET
        last_checked = checked[PHRASE_CHECK_BUDGET - 1] if truncated else index.size
        phrase = _Phrase(term.words)
        found: dict[str, list[int]] = {}
        for name, members in per_field.items():
            found[name] = []
            for count, internal in enumerate(
                bitsets.to_ids(members & bitsets.span(0, last_checked + 1))
            ):
                if count % 512 == 0 and stop():
                    raise Cancelled
                paper = self._papers[index.order[internal]]
                if phrase.occurs_in(fold(_field_text(paper, name))):
                    found[name].append(internal)
        return {name: bitsets.from_ids(ids, index.size) for name, ids in found.items()}, truncated

    def _within_bits(self, within: Sequence[int]) -> int:
        last = self._last
        if last is not None and within is last[0]:
            return last[1]
        internal_of = self._index.internal_of
        return bitsets.from_ids([internal_of[position] for position in within], self._index.size)

    # ------------------------------------------------------------------ ordering

    def _order(
        self,
        matches: int,
        scores: Scores,
        query: ParsedQuery,
        sort: SortKey,
        limit: int | None,
        stop: Callable[[], bool],
    ) -> tuple[list[int], list[int]]:
        """Corpus positions of ``matches`` in display order, and their relevance runs."""
        if stop():
            raise Cancelled
        positions = self._index.order
        if sort is SortKey.TITLE:
            return self._by_title(matches, limit), []
        if sort in (SortKey.DATE, SortKey.FOR_YOU) or not scores.words:
            return bitsets.select(matches, positions, limit), []
        ranked, runs = by_relevance(matches, scores, limit, stop, positions)
        words = " ".join(word for word, _ in query.highlight_words)
        reranked = rerank_head(
            ranked, runs, words, self._folded_titles, self._index.internal_of.__getitem__
        )
        return reranked, runs

    def _by_title(self, matches: int, limit: int | None) -> list[int]:
        index = self._index
        if matches.bit_count() * 24 < index.size:
            ids = bitsets.to_ids(matches)
            ids.sort(key=index.title_rank.__getitem__)
            return [index.order[internal] for internal in ids[:limit]]
        member = bitsets.flags(matches).ljust(index.size, b"\0")
        selected = compress(self._positions_by_title(), map(member.__getitem__, index.title_order))
        return list(selected if limit is None else islice(selected, limit))

    def _positions_by_title(self) -> array[int]:
        if self._title_positions is None:
            index = self._index
            self._title_positions = array("I", map(index.order.__getitem__, index.title_order))
        return self._title_positions

    def _folded_titles(self, positions: Sequence[int]) -> list[str]:
        return [fold(self._papers[position].display_title) for position in positions]


def _known_forms(index: SearchIndex, word: str) -> list[int]:
    """Vocabulary positions of ``word`` and its plurals (see ``PLURAL_SUFFIXES``)."""
    found = (vocab_index(index, word + suffix) for suffix in ("", *PLURAL_SUFFIXES))
    return [position for position in found if position is not None]


class _Phrase:
    """Adjacent words (or their plurals) in folded text. The pattern starts with a literal so
    the regex engine can skip ahead quickly; a word boundary before it is checked by hand,
    because a leading lookbehind or ``\\b`` makes the search about eight times slower."""

    def __init__(self, words: tuple[str, ...]) -> None:
        self._first = words[0]
        plural = "(?:" + "|".join(PLURAL_SUFFIXES) + ")?"
        pattern = r"[\W_]+".join(re.escape(word) + plural for word in words)
        self._pattern = re.compile(pattern + r"(?![^\W_])")

    def occurs_in(self, folded: str) -> bool:
        if self._first not in folded:
            return False
        for match in self._pattern.finditer(folded):
            start = match.start()
            if start == 0 or not folded[start - 1].isalnum():
                return True
        return False


def _never() -> bool:
    return False


def _field_text(paper: Paper, name: str) -> str:
    if name == TITLE:
        return paper.title or ""
    if name == AUTHOR:
        return ", ".join(paper.authors)
    if name == ORG:
        return ", ".join(paper.orgs)
    return paper.abstract


def _first_at_or_below(keys: Sequence[int], key: int, count: int) -> int:
    """First position among ``keys[:count]`` (descending) holding a value <= ``key``."""
    low, high = 0, count
    while low < high:
        middle = (low + high) // 2
        if keys[middle] > key:
            low = middle + 1
        else:
            high = middle
    return low
