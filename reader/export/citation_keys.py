"""Citation keys: ``assran2022masked`` = first author's surname + year + first title word.

- Surname: the last word of the name plus the lower-case particles right before it, so
  "Alexandre de Brébisson" gives ``debrebisson`` and "Laurens van der Maaten" gives
  ``vandermaaten`` (the name as it is cited). "Last, First" names use the part before the
  comma; "Jr."/"III" suffixes are skipped. Letters are folded to ASCII (é -> e, ø -> o,
  ß -> ss); a name with no Latin letters at all gives ``anon``, as does a paper with no author.
- Year: ``nd`` ("no date") when unknown.
- Word: the first title word that is not an article, preposition or conjunction; untitled
  records (abstract lists) use their abstract instead, and ``untitled`` is the last resort.
- A paper imported from BibTeX keeps the key it had there.
- Keys shared by several papers all get a suffix, ``a``, ``b``, ... (``z``, ``aa``, ...), in
  order of (date, paper id). Only papers with the same base key take part, so adding other
  papers to a corpus never changes a key.

Keys are computed once over the whole corpus by ``CitationKeys``: the app's copy of one
entry and a full export then agree on every key.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence

from reader.model.paper import Paper
from reader.parsing.bibtex_import import IMPORTED_KEY
from reader.parsing.table import paper_reader

STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "and",
        "or",
        "nor",
        "but",
        "of",
        "on",
        "in",
        "into",
        "onto",
        "to",
        "for",
        "from",
        "with",
        "without",
        "at",
        "by",
        "via",
        "as",
        "about",
        "over",
        "under",
        "upon",
    }
)
_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# Latin letters that Unicode decomposition does not reduce to ASCII.
_UNDECOMPOSABLE = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ß": "ss"}
)
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_LATEX_MARKERS = re.compile(r"[\\$~{}]")
_VALID_IMPORTED_KEY = re.compile(r"[A-Za-z0-9_:.\-]+")


class CitationKeys:
    """Unique keys for a corpus, built once; ``key(paper)`` is then a dictionary lookup."""

    def __init__(self, papers: Sequence[Paper]) -> None:
        # Positions, not papers, are grouped: at 10^6 papers holding every paper (or letting
        # a cached corpus's table keep each one it builds) would cost gigabytes.
        read = paper_reader(papers)
        groups: dict[str, list[int]] = defaultdict(list)
        for position in range(len(papers)):
            groups[base_key(read(position))].append(position)
        self._keys: dict[str, str] = {}
        taken = set(groups)
        for base in sorted(groups):
            positions = groups[base]
            if len(positions) == 1:
                self._keys[read(positions[0]).id] = base
                continue
            members = {paper.id: paper for paper in map(read, positions)}
            suffixes = _suffixes()
            for paper in sorted(members.values(), key=_collision_order):
                key = base + next(suffixes)
                while key in taken:
                    key = base + next(suffixes)
                taken.add(key)
                self._keys[paper.id] = key

    def key(self, paper: Paper) -> str:
        """The paper's key; a paper outside the corpus gets its unsuffixed base key."""
        return self._keys.get(paper.id) or base_key(paper)

    def __len__(self) -> int:
        return len(self._keys)


def base_key(paper: Paper) -> str:
    """The key before collision suffixes."""
    imported = paper.extra.get(IMPORTED_KEY)
    if imported and _VALID_IMPORTED_KEY.fullmatch(imported):
        return imported
    author = surname(paper.first_author) if paper.first_author else ""
    year = str(paper.year) if paper.year is not None else "nd"
    word = first_significant_word(paper.title or "") or first_significant_word(paper.abstract)
    return (author or "anon") + year + (word or "untitled")


def surname(name: str) -> str:
    """ASCII-folded surname with its particles, e.g. "Alexandre de Brébisson" -> debrebisson."""
    if "," in name:
        family = name.split(",", 1)[0]
    else:
        tokens = name.split()
        while len(tokens) > 1 and tokens[-1].casefold() in _NAME_SUFFIXES:
            tokens.pop()
        start = len(tokens) - 1
        # Never take the first token as a particle: it is the given name, even lower-cased.
        while start > 1 and tokens[start - 1][:1].islower():
            start -= 1
        family = " ".join(tokens[start:])
    return "".join(ascii_words(family))


def first_significant_word(text: str) -> str:
    for word in ascii_words(text):
        if word not in STOPWORDS:
            return word
    return ""


def ascii_words(text: str) -> list[str]:
    """Lower-case ASCII words of ``text`` after LaTeX and accents are resolved."""
    if _LATEX_MARKERS.search(text):
        from reader.model.latex import to_unicode

        text = to_unicode(text)
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_UNDECOMPOSABLE))
    return _ASCII_WORD.findall(folded.encode("ascii", "ignore").decode("ascii"))


def _collision_order(paper: Paper) -> tuple[bool, str, str]:
    return (paper.date is None, paper.date or "", paper.id)


def _suffixes() -> Iterator[str]:
    """a, b, ..., z, aa, ab, ...: bijective base 26, so every suffix is distinct."""
    number = 0
    while True:
        number += 1
        letters = ""
        remaining = number
        while remaining:
            remaining, digit = divmod(remaining - 1, 26)
            letters = chr(ord("a") + digit) + letters
        yield letters
