"""Papers stored by column, materialised one at a time: the cached corpus's compact form.

A warm start at 10^6 papers cannot afford to build a million ``Paper`` objects before the
first screen: unpickling them costs seconds, while unpickling a few lists of strings costs a
fraction of that. ``PaperTable`` keeps the columns and builds a ``Paper`` the first time its
position is read (the visible rows, the detail pane); code that walks every paper (export,
citation keys) still can, and pays the cost only then.
"""

from __future__ import annotations

import mmap
from array import array
from collections.abc import Callable, Iterable, Iterator, KeysView, Mapping, Sequence
from pathlib import Path
from typing import Any, overload

from reader.model.paper import Paper, Source

_COLUMNS = (
    "ids",
    "titles",
    "authors",
    "abstracts",
    "authors_truncated",
    "orgs",
    "categories",
    "dates",
    "has_code",
    "sources",
    "possible_duplicates",
    "extras",
    "arxiv_ids",
)


class AbstractStore(Sequence[str]):
    """Abstracts in one UTF-8 file beside the cache, read through a memory map on demand.

    At 10^6 papers the abstracts are over a gigabyte: reading them at start-up would cost
    more than everything else a warm start does. Only the abstracts shown are decoded.
    """

    def __init__(self, path: str, offsets: array[int]) -> None:
        self._path = path
        self._offsets = offsets  # len(self) + 1 byte offsets
        self._map: mmap.mmap | None = None

    @classmethod
    def write(
        cls, abstracts: Iterable[str], save: Callable[[Iterable[bytes]], Path | None]
    ) -> AbstractStore | None:
        """Encode ``abstracts`` and stream them to ``save``; None when it could not save."""
        offsets = array("Q", [0])

        def encoded() -> Iterator[bytes]:
            # Streamed, so the encoded gigabyte never sits in memory beside the corpus.
            for abstract in abstracts:
                data = abstract.encode("utf-8", "surrogatepass")
                offsets.append(offsets[-1] + len(data))
                yield data

        path = save(encoded())
        return None if path is None else cls(str(path), offsets)

    def open(self) -> None:
        """Map the file now; raises OSError if it is gone or shorter than expected."""
        with open(self._path, "rb") as handle:
            mapped = (
                mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                if self._offsets[-1]
                else None
            )
        if mapped is not None and len(mapped) < self._offsets[-1]:
            raise OSError(f"{self._path} is shorter than its index")
        self._map = mapped

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if self._map is None and self._offsets[-1]:
            self.open()
        start, end = self._offsets[index], self._offsets[index + 1]
        if start == end:
            return ""
        assert self._map is not None
        return self._map[start:end].decode("utf-8", "surrogatepass")

    def __reduce__(self) -> tuple[type[AbstractStore], tuple[str, array[int]]]:
        return (AbstractStore, (self._path, self._offsets))


class PaperTable(Sequence[Paper]):
    """Rows from columns, plus papers added or replaced after loading (a day's new file
    merged into a cached corpus) held as objects: growing never rebuilds the columns."""

    def __init__(self, columns: dict[str, Any]) -> None:
        self._columns = columns
        self._made: list[Paper | None] = [None] * len(columns["ids"])
        self._stored = len(self._made)  # rows backed by the columns
        self._replaced: dict[int, Paper] = {}  # stored rows whose paper changed since
        self._ids: list[str] | None = None  # the columns' ids plus the appended papers'

    def append(self, paper: Paper) -> None:
        self._made.append(paper)
        if self._ids is not None:
            self._ids.append(paper.id)

    def __setitem__(self, index: int, paper: Paper) -> None:
        """Replace a row by a paper with the same id (``merge_into`` merging a duplicate)."""
        if self.ids[index] != paper.id:
            raise ValueError(f"row {index} holds {self.ids[index]!r}, not {paper.id!r}")
        self._made[index] = paper
        if index < self._stored:
            self._replaced[index] = paper

    @property
    def grown(self) -> bool:
        return bool(self._replaced) or len(self._made) > self._stored

    @classmethod
    def from_papers(
        cls, papers: Iterable[Paper], abstracts: Sequence[str] | None = None
    ) -> PaperTable:
        """Columns of ``papers``; ``abstracts`` (e.g. an AbstractStore) replaces theirs."""
        columns: dict[str, Any] = {name: [] for name in _COLUMNS}
        paths: dict[str, int] = {}
        for paper in papers:
            columns["ids"].append(paper.id)
            columns["titles"].append(paper.title)
            columns["authors"].append(paper.authors)
            if abstracts is None:
                columns["abstracts"].append(paper.abstract)
            columns["authors_truncated"].append(paper.authors_truncated)
            columns["orgs"].append(paper.orgs)
            columns["categories"].append(paper.category)
            columns["dates"].append(paper.date)
            columns["has_code"].append(paper.has_code)
            # (path number, line) pairs: a path string per source would be pickled once
            # anyway, but a Source object per paper costs as much as the paper itself.
            columns["sources"].append(
                tuple((paths.setdefault(s.path, len(paths)), s.line) for s in paper.sources)
            )
            columns["possible_duplicates"].append(paper.possible_duplicates)
            columns["extras"].append(paper.extra or None)
            columns["arxiv_ids"].append(paper.arxiv_id)
        columns["paths"] = list(paths)
        if abstracts is not None:
            columns["abstracts"] = abstracts
        return cls(columns)

    def open(self) -> None:
        """Check that every part of the table is readable (raises OSError if not)."""
        abstracts = self._columns["abstracts"]
        if isinstance(abstracts, AbstractStore):
            abstracts.open()

    @property
    def ids(self) -> list[str]:
        stored: list[str] = self._columns["ids"]
        if len(self._made) == self._stored:
            return stored
        if self._ids is None:
            appended = self._made[self._stored :]
            self._ids = stored + [paper.id for paper in appended if paper is not None]
        return self._ids

    @property
    def abstracts(self) -> AbstractStore | None:
        abstracts = self._columns["abstracts"]
        return abstracts if isinstance(abstracts, AbstractStore) else None

    def __len__(self) -> int:
        return len(self._made)

    @overload
    def __getitem__(self, index: int) -> Paper: ...
    @overload
    def __getitem__(self, index: slice) -> list[Paper]: ...
    def __getitem__(self, index: int | slice) -> Paper | list[Paper]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        paper = self._made[index]
        if paper is None:
            paper = self._made[index] = self._build(index)
        return paper

    def __iter__(self) -> Iterator[Paper]:
        for index in range(len(self)):
            yield self[index]

    def peek(self, index: int) -> Paper:
        """The paper at ``index`` without keeping it if it was not built yet (walking every
        row of 10^6 would otherwise pin gigabytes of objects)."""
        return self._made[index] or self._build(index)

    def _build(self, index: int) -> Paper:
        """The paper at ``index``, built from the columns without keeping it (rows added or
        replaced since loading are returned as they are)."""
        if index < 0:
            index += len(self._made)
        if index >= self._stored:
            paper = self._made[index]
            assert paper is not None
            return paper
        if index in self._replaced:
            return self._replaced[index]
        c = self._columns
        paths = c["paths"]
        return Paper(
            id=c["ids"][index],
            title=c["titles"][index],
            authors=c["authors"][index],
            abstract=c["abstracts"][index],
            authors_truncated=c["authors_truncated"][index],
            orgs=c["orgs"][index],
            category=c["categories"][index],
            date=c["dates"][index],
            has_code=c["has_code"][index],
            sources=tuple(Source(paths[p], line) for p, line in c["sources"][index]),
            possible_duplicates=c["possible_duplicates"][index],
            extra=dict(c["extras"][index] or {}),
            arxiv_id=c["arxiv_ids"][index],
        )

    def __reduce__(self) -> tuple[type[PaperTable], tuple[dict[str, Any]]]:
        if self.grown:  # the added papers live outside the columns: store them as columns
            return (PaperTable, (PaperTable.from_papers(self)._columns,))
        return (PaperTable, (self._columns,))

    def dates_column(self) -> list[str | None]:
        """Every row's date, without building rows."""
        dates: list[str | None] = self._current("dates", "date")
        return dates

    def links_column(self) -> list[bool]:
        """Whether each row has possible duplicates, without building rows."""
        return [
            bool(links) for links in self._current("possible_duplicates", "possible_duplicates")
        ]

    def _current(self, column: str, field: str) -> list[Any]:
        """A column as the rows are now: a built row's own value wins, since a replaced or
        added row has no column value and linking updates built papers in place."""
        stored = self._columns[column]
        return [
            getattr(made, field) if made is not None else stored[index]
            for index, made in enumerate(self._made)
        ]


class PaperIndex(Mapping[str, Paper]):
    """Papers by id over a table, without building every paper to make the map."""

    def __init__(self, table: PaperTable) -> None:
        self._table = table
        self._positions = {paper_id: i for i, paper_id in enumerate(table.ids)}

    def __getitem__(self, paper_id: str) -> Paper:
        return self._table[self._positions[paper_id]]

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._positions

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)

    def keys(self) -> KeysView[str]:
        # The dict's own view: set operations on it (orphans) stay cheap.
        return self._positions.keys()


def paper_reader(papers: Sequence[Paper]) -> Callable[[int], Paper]:
    """``papers[position]``, except that a table does not keep what it builds: code that walks
    every paper (keys, features, cache writes) would otherwise pin 10^6 objects, gigabytes."""
    if isinstance(papers, PaperTable):
        return papers.peek
    return papers.__getitem__


def paper_dates(papers: Sequence[Paper]) -> list[str | None]:
    """Every paper's date, without materialising a table's papers."""
    if isinstance(papers, PaperTable):
        return papers.dates_column()
    return [paper.date for paper in papers]


def paper_ids(papers: Sequence[Paper]) -> list[str]:
    """Every paper's id, without materialising a table's papers (or a view's that has
    them: see ``reader.search.segments.Prefix``)."""
    if isinstance(papers, PaperTable):
        return papers.ids
    ids = getattr(papers, "ids", None)
    if isinstance(ids, list):
        return ids
    return [paper.id for paper in papers]


def has_possible_duplicates(papers: Sequence[Paper]) -> list[bool]:
    """Whether each paper is linked to a possible duplicate, without materialising a
    table's papers (a built paper stays cached: building 10^6 of them costs gigabytes)."""
    links_column = getattr(papers, "links_column", None)
    if callable(links_column):
        found: list[bool] = links_column()
        return found
    return [bool(paper.possible_duplicates) for paper in papers]
