r"""BibTeX entries for papers and their annotations.

Format decisions (the README documents them for users):

- Entry type ``@misc``: the papers are preprints without a venue, and ``@misc`` is the type
  every reference manager and both BibTeX and biblatex accept with no required fields.
  Pretending ``@article{journal = {arXiv preprint}}`` would invent a venue we do not know.
  A paper imported from a .bib file keeps its own type (``extra[ENTRY_TYPE]``).
- ``title`` keeps acronyms and CamelCase words in braces so styles do not lower-case them;
  an untitled record (abstract list) has no title field, which keeps its identity on import.
- ``author``: "First Last" names joined with ``and``; ``and others`` when the listing
  truncated the author list. A name containing a comma or the word "and" is braced whole.
- ``year`` and ``month`` (a standard month macro, ``month = apr``) when known, and biblatex's
  ``date = {2022-04-14}`` when the day is known too (the import reads ``date`` first).
- ``primaryclass``: the listing's category; ``organization``: the organisations, joined
  with ``and`` like a biblatex list (``institution`` only in the report and thesis types,
  the only ones where biblatex allows it).
- ``eprint``, ``archiveprefix = {arXiv}`` and ``url`` (unless the paper has its own) when
  the paper has an arXiv id.
- ``keywords``: the user's tags, comma separated (a tag containing a comma is braced).
- ``annote`` (not ``note``): the user's note. Styles print ``note`` in reference lists,
  while ``annote`` is the standard field for private annotations, which reference managers
  import as notes. Line breaks in the note are kept (continuation lines indented).
- ``abstract``: always written, whatever the Markdown ``abstracts`` option says, so the
  app's ``y`` copy and the export agree.
- Fields a BibTeX import carried (``doi``, ``url``, ``journal``, ...) are written back after
  these, unless a field above replaced them.

Entries are sorted by key, so re-exports diff cleanly. Escaping: see ``bibtex_escape``; the
import (``bibtex_import``) reverses it exactly, so export then import is lossless.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from reader.export.bibtex_escape import braces_balance, clean_text, escape_field
from reader.export.citation_keys import CitationKeys
from reader.model.annotation import Annotation
from reader.model.memory import cyclic_gc_paused
from reader.model.paper import Paper
from reader.parsing.bibtex_import import DATE_PRECISION, ENTRY_TYPE, VERBATIM_FIELDS, arxiv_url

DEFAULT_ENTRY_TYPE = "misc"
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

_FIELD_NAME = re.compile(r"[a-z][a-z0-9_\-]*")
_ENTRY_TYPE = re.compile(r"[a-z]+")
# biblatex allows ``institution`` only in these types; everywhere else it is ``organization``.
_INSTITUTION_TYPES = frozenset({"report", "techreport", "thesis", "phdthesis", "mastersthesis"})
_AND_WORD = re.compile(r"(?:^|\s)and(?:\s|$)", re.IGNORECASE)


def to_bibtex(
    papers: Sequence[Paper],
    annotations: Mapping[str, Annotation],
    *,
    keys: CitationKeys | None = None,
) -> str:
    """A .bib file for ``papers``: one entry each, sorted by citation key.

    ``keys`` should be built over the whole loaded corpus so that keys match the app's copies;
    without it, keys are computed over ``papers`` alone.
    """
    with cyclic_gc_paused():
        if keys is None:
            keys = CitationKeys(papers)
        keyed = sorted(_unique_papers(papers), key=lambda paper: (keys.key(paper), paper.id))
        used: set[str] = set()
        entries = []
        for paper in keyed:
            key = _unused(keys.key(paper), used)
            entries.append(bibtex_entry(paper, annotations.get(paper.id), key))
        return "\n".join(entries)


def bibtex_entry(paper: Paper, annotation: Annotation | None, key: str) -> str:
    """One entry (``@misc`` unless imported with another type), ending in a newline."""
    fields = entry_fields(paper, annotation)
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    kind = entry_type(paper)
    return f"@{kind}{{{key},\n{body}\n}}\n" if body else f"@{kind}{{{key}\n}}\n"


def entry_type(paper: Paper) -> str:
    imported = paper.extra.get(ENTRY_TYPE, "")
    return imported if _ENTRY_TYPE.fullmatch(imported) else DEFAULT_ENTRY_TYPE


def entry_fields(paper: Paper, annotation: Annotation | None) -> list[tuple[str, str]]:
    """(name, value as written) pairs; values are braced except the month macro."""
    fields: dict[str, str] = {}
    title = escape_field(paper.title, protect_case=True) if paper.title else ""
    if title:
        fields["title"] = _braced(title)
    authors = author_field(paper.authors, truncated=paper.authors_truncated)
    if authors:
        fields["author"] = _braced(authors)
    else:
        # Styles sort and label by author; without one, BibTeX warns ("to sort, need author
        # or key") unless the standard ``key`` field gives it something to sort on.
        fields["key"] = _braced(title or escape_field(" ".join(paper.abstract.split()[:8])))
    if not (title or authors or paper.year is not None):
        # An abstract with nothing else (abstract lists): say so where @misc styles look,
        # or BibTeX warns that every field it prints is empty.
        source = escape_field(", ".join(paper.orgs))
        fields["howpublished"] = _braced(f"Abstract only ({source})" if source else "Abstract only")
    if paper.year is not None:
        fields["year"] = _braced(str(paper.year))
        month = _month(paper)
        if month:
            fields["month"] = month
        if month and DATE_PRECISION not in paper.extra and paper.date:
            # The day, in the biblatex field that biber and biblatex-aware tools read.
            fields["date"] = _braced(paper.date)
    category = escape_field(paper.category or "")
    if category:
        fields["primaryclass"] = _braced(category)
    organisations = _joined((escape_field(org) for org in paper.orgs), " and ")
    if organisations:
        name = "institution" if entry_type(paper) in _INSTITUTION_TYPES else "organization"
        fields[name] = _braced(organisations)
    if paper.arxiv_id:
        arxiv_id = clean_text(paper.arxiv_id)
        if arxiv_id and braces_balance(arxiv_id):
            fields["eprint"] = _braced(arxiv_id)
            fields["archiveprefix"] = "{arXiv}"
            if "url" not in paper.extra:
                fields["url"] = _braced(arxiv_url(arxiv_id))
    if annotation is not None:
        keywords = _joined((_keyword(tag) for tag in annotation.tags), ", ")
        if keywords:
            fields["keywords"] = _braced(keywords)
    abstract = escape_field(paper.abstract)
    if abstract:
        fields["abstract"] = _braced(abstract)
    note = escape_field(annotation.note, keep_newlines=True) if annotation is not None else ""
    if note:
        # Indented continuation lines: no line of the file inside a value starts with "@",
        # which line-oriented tools would take for a new entry. LaTeX ignores the indent.
        fields["annote"] = _braced(note.replace("\n", "\n    "))
    for name in sorted(paper.extra):
        if name not in fields and _FIELD_NAME.fullmatch(name):
            value = _imported_value(name, paper.extra[name])
            if value:
                fields[name] = _braced(value)
    return list(fields.items())


def author_field(authors: Iterable[str], *, truncated: bool = False) -> str:
    names = [name for name in (_author(author) for author in authors) if name]
    if truncated and names:
        names.append("others")
    return " and ".join(names)


def _author(name: str) -> str:
    escaped = escape_field(name)
    # Braced whole, the name is one unit: no "Last, First" reading, no split at "and".
    # A name already braced whole gets a second pair, as the import removes one.
    if (
        "," in escaped
        or _AND_WORD.search(escaped)
        or escaped.casefold() == "others"
        or (escaped.startswith("{") and escaped.endswith("}"))
    ):
        return "{" + escaped + "}"
    return escaped


def _keyword(tag: str) -> str:
    escaped = escape_field(tag)
    return "{" + escaped + "}" if "," in escaped else escaped


def _month(paper: Paper) -> str | None:
    if paper.extra.get(DATE_PRECISION) == "year" or not paper.date:
        return None
    try:
        number = int(paper.date[5:7])
    except ValueError:
        return None
    return MONTHS[number - 1] if 1 <= number <= 12 else None


def _imported_value(name: str, value: str) -> str:
    if name in VERBATIM_FIELDS and braces_balance(value) and clean_text(value) == value:
        return value
    return escape_field(value)


def _braced(value: str) -> str:
    return "{" + value + "}"


def _joined(parts: Iterable[str], separator: str) -> str:
    return separator.join(part for part in parts if part)


def _unique_papers(papers: Iterable[Paper]) -> list[Paper]:
    seen: set[str] = set()
    unique = []
    for paper in papers:
        if paper.id not in seen:
            seen.add(paper.id)
            unique.append(paper)
    return unique


def _unused(key: str, used: set[str]) -> str:
    # Keys built over another corpus than the one exported may clash; a file must not.
    candidate, number = key, 1
    while candidate in used:
        number += 1
        candidate = f"{key}-{number}"
    used.add(candidate)
    return candidate
