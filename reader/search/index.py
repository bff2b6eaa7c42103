"""The search index: built once per corpus, then only read.

Documents are renumbered into *internal ids* ordered newest first (undated papers last,
ties by corpus position). Postings are therefore sorted newest first for free, a year range
is a contiguous run of internal ids, and "newest first" never needs a sort at query time.
``order[internal]`` gives the position in the caller's ``papers`` sequence; ``internal_of``
goes back.

Postings per field (title, author, abstract, org) map each folded token to the internal ids
containing it, stored in whichever form is smaller: ``array('I')`` for rare tokens, a bitset
int (see bitsets.py) for tokens in more than 1 in 32 documents. Both pickle compactly.

The vocabulary is one sorted list (prefix expansion is a bisect) plus the tokens grouped by
length and first letter: typo expansion only compares tokens whose length is within the
edit budget and whose first letter is right (see expansion.py).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import signal
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TypeAlias

from reader.model.paper import Paper
from reader.parsing.parallel import process_context, stderr_for_children, usable_cores
from reader.parsing.table import paper_dates, paper_ids
from reader.search import bitsets
from reader.search.query import ABSTRACT, AUTHOR, TITLE
from reader.search.text import tokens

ORG = "org"
INDEXED_FIELDS: tuple[str, ...] = (TITLE, AUTHOR, ABSTRACT, ORG)
Postings: TypeAlias = "array[int] | int"  # array('I') of internal ids, or a bitset
# A bitset costs size/8 bytes, an array 4 bytes per id: bits win above 1 id in 32 documents.
_BITSET_IF_MORE_THAN_ONE_IN = 32
_UNDATED = 0


@dataclass(slots=True)
class SearchIndex:
    size: int
    order: array[int]  # internal id -> position in papers
    internal_of: array[int]  # position in papers -> internal id
    date_keys: array[int]  # internal id -> YYYYMMDD, descending; 0 for undated (all at the end)
    dated_count: int
    title_rank: array[int]  # internal id -> rank in title order
    title_order: array[int]  # title rank -> internal id
    vocab: list[str]  # sorted, every token of every text field
    postings: dict[str, list[Postings | None]]  # field -> aligned with vocab
    doc_freq: array[int]  # vocab index -> documents containing the token in any text field
    by_shape: dict[tuple[int, str], list[str]]  # (length, first letter) -> tokens
    org_vocab: list[str]
    org_postings: list[Postings]
    categories: dict[str, Postings]  # casefolded category -> documents
    has_code: int  # bitset
    fingerprint: str  # of the papers' ids in order: an index is only valid for its papers

    @classmethod
    def build(
        cls, papers: Sequence[Paper], progress: Callable[[int, int], None] | None = None
    ) -> SearchIndex:
        # The postings of the older part of the corpus are built in a second process
        # when there are enough papers and idle cores (see _Helper), started first so it
        # runs while this process does everything else; its lists are appended at the end
        # (its ids are all higher).
        order = newest_first(papers)
        helper = _Helper.start(papers, order, _helper_share(len(papers)))
        try:
            return cls._build(papers, progress, order, helper)
        finally:
            helper.stop()  # at once when the build was abandoned; a no-op once joined

    @classmethod
    def _build(
        cls,
        papers: Sequence[Paper],
        progress: Callable[[int, int], None] | None,
        order: array[int],
        helper: _Helper,
    ) -> SearchIndex:
        size = len(papers)
        internal_of = array("I", bytes(4 * size))
        for internal, position in enumerate(order):
            internal_of[position] = internal
        date_keys = array("I", (_date_key(papers[position].date) for position in order))
        dated_count = sum(1 for key in date_keys if key != _UNDATED)
        title_order = array(
            "I", sorted(range(size), key=lambda internal: title_key(papers[order[internal]]))
        )
        title_rank = array("I", bytes(4 * size))
        for rank, internal in enumerate(title_order):
            title_rank[internal] = rank

        mine = size - helper.count
        # Progress counts papers, then a quarter as much again for compacting the lists,
        # so the bar is never full while work goes on.
        finishing = size // 4 + 1
        total = size + finishing
        by_field: dict[str, defaultdict[str, array[int]]] = {
            name: defaultdict(_new_postings) for name in INDEXED_FIELDS
        }
        categories: dict[str, array[int]] = {}
        code_ids: list[int] = []
        title_map, author_map = by_field[TITLE], by_field[AUTHOR]
        abstract_map, org_map = by_field[ABSTRACT], by_field[ORG]
        for internal, position in enumerate(order):
            paper = papers[position]
            if internal < mine:
                if paper.title:
                    _add(title_map, tokens(paper.title), internal)
                if paper.authors:
                    _add(author_map, tokens(" ".join(paper.authors)), internal)
                if paper.abstract:
                    _add(abstract_map, tokens(paper.abstract), internal)
                if paper.orgs:
                    _add(org_map, tokens(" ".join(paper.orgs)), internal)
            if paper.category:
                categories.setdefault(paper.category.casefold(), array("I")).append(internal)
            if paper.has_code:
                code_ids.append(internal)
            if progress is not None and internal % 10000 == 0 and internal < mine:
                progress(internal, total)
        helper.join_into(by_field, papers, order)
        if progress is not None:
            progress(size, total)

        text_fields = (TITLE, AUTHOR, ABSTRACT)
        vocab = sorted(set().union(*(by_field[name] for name in text_fields)))
        postings: dict[str, list[Postings | None]] = {}
        doc_freq = array("I", bytes(4 * len(vocab)))
        for done, name in enumerate(text_fields, 1):
            if progress is not None:
                progress(size + finishing * done // (len(text_fields) + 1), total)
            field_map = by_field[name]
            aligned: list[Postings | None] = []
            for index, token in enumerate(vocab):
                ids = field_map.pop(token, None)
                if ids is None:
                    aligned.append(None)
                    continue
                doc_freq[index] += len(ids)
                aligned.append(_compact(ids, size))
            postings[name] = aligned
        by_shape: dict[tuple[int, str], list[str]] = {}
        for token in vocab:
            by_shape.setdefault((len(token), token[0]), []).append(token)
        org_vocab = sorted(org_map)
        built = cls(
            size=size,
            order=order,
            internal_of=internal_of,
            date_keys=date_keys,
            dated_count=dated_count,
            title_rank=title_rank,
            title_order=title_order,
            vocab=vocab,
            postings=postings,
            doc_freq=doc_freq,
            by_shape=by_shape,
            org_vocab=org_vocab,
            org_postings=[_compact(org_map[token], size) for token in org_vocab],
            categories={name: _compact(ids, size) for name, ids in categories.items()},
            has_code=bitsets.from_ids(code_ids, size),
            fingerprint=fingerprint(papers),
        )
        if progress is not None:
            progress(total, total)
        return built


def fingerprint(papers: Sequence[Paper]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\n".join(paper_ids(papers)).encode("utf-8"))
    return digest.hexdigest()


def as_bits(postings: Postings | None, size: int) -> int:
    if postings is None:
        return 0
    if isinstance(postings, int):
        return postings
    return bitsets.from_ids(postings, size)


# Below this many papers a second process costs more (start-up, sending the texts) than the
# half of the postings it builds.
PARALLEL_ABOVE = 20_000
_HELPER_EXIT_GRACE = 2.0
# Texts sent to the helper process: title, authors, abstract, organisations.
_Texts: TypeAlias = "list[tuple[str, str, str, str]]"
_FieldPostings: TypeAlias = "dict[str, dict[str, array[int]]]"


def _helper_share(size: int) -> int:
    """How many papers (the oldest) the helper process indexes: half, when it pays.

    As for parsing (reader.parsing.parallel), a second process needs a second idle core:
    on a machine whose cores other work already fills, it only adds the cost of shipping
    texts and postings between processes.
    """
    if size < PARALLEL_ABOVE or usable_cores() < 2:
        return 0
    return size // 2


def _texts(papers: Sequence[Paper], positions: Iterable[int]) -> _Texts:
    return [
        (
            paper.title or "",
            " ".join(paper.authors),
            paper.abstract,
            " ".join(paper.orgs),
        )
        for paper in map(papers.__getitem__, positions)
    ]


def postings_of(texts: _Texts, first: int) -> _FieldPostings:
    """Postings of ``texts`` numbered from ``first``: what the helper process runs."""
    by_field: dict[str, defaultdict[str, array[int]]] = {
        name: defaultdict(_new_postings) for name in INDEXED_FIELDS
    }
    maps = [by_field[name] for name in (TITLE, AUTHOR, ABSTRACT, ORG)]
    for internal, fields in enumerate(texts, first):
        for field_map, text in zip(maps, fields, strict=True):
            if text:
                _add(field_map, tokens(text), internal)
    return {name: dict(field_map) for name, field_map in by_field.items()}


def _serve_postings(conn: Connection, texts: _Texts, first: int) -> None:
    """The helper process: postings of ``texts`` back through ``conn``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    try:
        conn.send(postings_of(texts, first))
    finally:
        conn.close()


@dataclass(slots=True)
class _Helper:
    """A second process building the postings of the last ``count`` internal ids.

    Any failure (no process can be started, it dies, its answer cannot be read) falls back
    to building those postings here: the index is the same either way, only slower. If the
    build is abandoned (the app quits mid-way), ``stop`` ends the process at once.
    """

    count: int
    first: int = 0
    process: multiprocessing.process.BaseProcess | None = None
    conn: Connection | None = None

    @classmethod
    def start(cls, papers: Sequence[Paper], order: array[int], count: int) -> _Helper:
        if count == 0:
            return cls(0)
        first = len(order) - count
        try:
            context = process_context()
            ours, theirs = context.Pipe(duplex=False)
            texts = _texts(papers, order[first:])
            process = context.Process(  # type: ignore[attr-defined]
                target=_serve_postings, args=(theirs, texts, first), daemon=True
            )
            with stderr_for_children():
                process.start()
            theirs.close()
        except Exception:  # no process here (limits, a frozen app, ...): build it here
            return cls(count, first)
        return cls(count, first, process, ours)

    def join_into(
        self,
        by_field: dict[str, defaultdict[str, array[int]]],
        papers: Sequence[Paper],
        order: array[int],
    ) -> None:
        if self.count == 0:
            return
        found: _FieldPostings | None = None
        if self.conn is not None:
            try:
                found = self.conn.recv()
            except Exception:  # it died or its answer is unreadable: build it here
                found = None
            self.stop()
        if found is None:
            found = postings_of(_texts(papers, order[self.first :]), self.first)
        for name, field_map in found.items():
            into = by_field[name]
            for token, ids in field_map.items():
                if token in into:
                    into[token].extend(ids)  # the helper's ids are all higher: still sorted
                else:
                    into[token] = ids

    def stop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.process is not None:
            self.process.join(_HELPER_EXIT_GRACE)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
            self.process = None


def _add(field_map: defaultdict[str, array[int]], found: list[str], internal: int) -> None:
    # map() over the defaultdict's __getitem__ keeps the lookup in C: 25% faster overall.
    for ids in map(field_map.__getitem__, set(found)):
        ids.append(internal)


def _new_postings() -> array[int]:
    return array("I")


def _compact(ids: array[int], size: int) -> Postings:
    if len(ids) * _BITSET_IF_MORE_THAN_ONE_IN > size:
        return bitsets.from_ids(ids, size)
    return ids


def _date_key(iso_date: str | None) -> int:
    if not iso_date or len(iso_date) < 10:
        return _UNDATED
    try:
        return int(iso_date[:4]) * 10000 + int(iso_date[5:7]) * 100 + int(iso_date[8:10])
    except ValueError:
        return _UNDATED


def newest_first(papers: Sequence[Paper]) -> array[int]:
    """Positions newest first; corpus order among equal dates, undated last."""
    keys = [_date_key(date) for date in paper_dates(papers)]  # a table builds no papers
    # Stable sort on the negated key: newest first, corpus order among equals, undated last.
    return array("I", sorted(range(len(papers)), key=lambda position: -keys[position]))


def title_key(paper: Paper) -> str:
    """What title order sorts by."""
    return " ".join(tokens(paper.title or paper.abstract[:120]))
