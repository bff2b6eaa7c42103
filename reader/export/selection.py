"""Which papers an export takes.

- Default: the reading list, every loaded paper that is starred, tagged or has a note,
  plus the reading-list annotations whose paper is not loaded (orphans, see below).
- ``everything``: the whole loaded corpus (``--all``); orphans are not part of a corpus.
- ``query``: narrows the default or ``--all`` set to the papers a search matches. Searching
  belongs to ``reader.search``; the caller passes ``matches(query) -> papers`` in, so this
  module does not depend on it. Orphans cannot be searched and are left out.

Orphans are exported (a person's notes must not silently vanish because a file was not
loaded) as stand-in papers built from what the annotation kept: the title and first author
(followed by "others", since the rest of the list is unknown), no year, no abstract. They
are marked so the Markdown export can say they were not in the loaded corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from reader.model.annotation import Annotation
from reader.model.paper import Paper

Matcher = Callable[[str], Sequence[Paper]]

# In a stand-in's ``extra``: not a BibTeX field name, so the BibTeX writer never emits it.
ORPHAN_MARKER = "reader:orphan"


@dataclass(frozen=True, slots=True)
class Selection:
    papers: list[Paper]  # loaded papers in corpus order, then orphan stand-ins
    orphan_count: int


# Which annotations a selection takes; the default is the reading list.
AnnotationTest = Callable[[Annotation], bool]


def in_reading_list(annotation: Annotation) -> bool:
    return annotation.in_reading_list


def select_papers(
    papers: Sequence[Paper],
    annotations: Mapping[str, Annotation],
    *,
    query: str | None = None,
    everything: bool = False,
    matches: Matcher | None = None,
    wanted: AnnotationTest = in_reading_list,
) -> Selection:
    """The papers to export; raises ValueError if a query is given without ``matches``.

    Without ``everything``, the papers whose annotation passes ``wanted`` (the reading list
    unless told otherwise: starred, one tag, ...), orphans included.
    """
    chosen = list(papers) if everything else select_annotated(papers, annotations, wanted)
    if query is not None and query.strip():
        if matches is None:
            raise ValueError("exporting with a query needs a search function")
        found = {paper.id for paper in matches(query)}
        return Selection([paper for paper in chosen if paper.id in found], 0)
    orphans = [] if everything else orphan_papers(papers, annotations, wanted)
    return Selection(chosen + orphans, len(orphans))


def select_annotated(
    papers: Sequence[Paper],
    annotations: Mapping[str, Annotation],
    wanted: AnnotationTest = in_reading_list,
) -> list[Paper]:
    """Loaded papers whose annotation passes ``wanted``, in corpus order."""
    selected = []
    for paper in papers:
        annotation = annotations.get(paper.id)
        if annotation is not None and wanted(annotation):
            selected.append(paper)
    return selected


def select_reading_list(
    papers: Sequence[Paper], annotations: Mapping[str, Annotation]
) -> list[Paper]:
    """Loaded papers that are starred, tagged or noted, in corpus order."""
    return select_annotated(papers, annotations, in_reading_list)


def orphan_papers(
    papers: Sequence[Paper],
    annotations: Mapping[str, Annotation],
    wanted: AnnotationTest = in_reading_list,
) -> list[Paper]:
    """Stand-ins for annotations passing ``wanted`` whose paper is not loaded, by paper id."""
    loaded = {paper.id for paper in papers}
    return [
        stand_in(annotation)
        for paper_id, annotation in sorted(annotations.items())
        if paper_id not in loaded and wanted(annotation)
    ]


def stand_in(annotation: Annotation) -> Paper:
    authors = (annotation.first_author,) if annotation.first_author else ()
    return Paper(
        id=annotation.paper_id,
        title=annotation.title,
        authors=authors,
        abstract="",
        authors_truncated=bool(authors),
        extra={ORPHAN_MARKER: "yes"},
    )


def is_orphan(paper: Paper) -> bool:
    return ORPHAN_MARKER in paper.extra
