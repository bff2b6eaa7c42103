"""Papers stored by column, materialised one at a time: the cached corpus's compact form.

A warm start at 10^6 papers cannot afford to build a million ``Paper`` objects before the
first screen: unpickling them costs seconds, while unpickling a few lists of strings costs a
fraction of that. ``PaperTable`` keeps the columns and builds a ``Paper`` the first time its
position is read (the visible rows, the detail pane); code that walks every paper (export,
citation keys) still can, and pays the cost only then.
"""

from __future__ import annotations

from collections.abc import Iterator, KeysView, Mapping, Sequence
from typing import Any, overload

from reader.records import Paper, Source

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
)


class PaperTable(Sequence[Paper]):
    def __init__(self, columns: dict[str, list[Any]]) -> None:
        self._columns = columns
        self._made: list[Paper | None] = [None] * len(columns["ids"])

    @classmethod
    def from_papers(cls, papers: Sequence[Paper]) -> PaperTable:
        columns: dict[str, list[Any]] = {name: [] for name in _COLUMNS}
        paths: dict[str, int] = {}
        for paper in papers:
            columns["ids"].append(paper.id)
            columns["titles"].append(paper.title)
            columns["authors"].append(paper.authors)
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
        columns["paths"] = list(paths)
        return cls(columns)

    @property
    def ids(self) -> list[str]:
        return self._columns["ids"]

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

    def _build(self, index: int) -> Paper:
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
        )

    def __reduce__(self) -> tuple[type[PaperTable], tuple[dict[str, list[Any]]]]:
        return (PaperTable, (self._columns,))


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


def paper_ids(papers: Sequence[Paper]) -> list[str]:
    """Every paper's id, without materialising a table's papers."""
    if isinstance(papers, PaperTable):
        return papers.ids
    return [paper.id for paper in papers]
