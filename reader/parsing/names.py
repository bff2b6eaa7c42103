"""Splitting a title glued to its author list, as dated listings print them.

    Discovering environments with XRMMohammad Pezeshki, Mark Ibrahim et al. · mila
    ^ title                         ^ authors (", "-separated)  ^ truncated  ^ orgs

The page drops the space between the title and the first author, so the boundary has to be
found from the shape of the text alone; no list of known names or titles is used. The rule:

1. The first author starts at an upper-case letter glued to the character before it
   (``XRMM|ohammad``, ``MRIJ|ure``, ``sentences?|Tom``, ``4|Sébastien``).
2. Everything from that letter to the end must read as a list of person names: words that
   are capitalised (``Kügelgen``, ``Barin-Pacela``, ``D'Oro``), initials (``J.``), lower-case
   particles (``de``, ``von``), generational suffixes, or capitals after a short surname
   prefix (``LeCun``, ``McAllester``). The first author has at least two words.
3. Of the boundaries that satisfy (2), the earliest wins: it is the longest author list, and a
   later one could only be a suffix of the same first name (``DeAndre`` vs ``Andre``).

A title word such as ``ImageNet`` or ``GANs`` cannot satisfy (2), because a capital inside a
name is only accepted after one of the short prefixes, never after an arbitrary word.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache


@cache
def _char_class(predicate_name: str) -> str:
    """A regex character class of every code point for which ``str.<predicate>()`` is true."""
    predicate = getattr(str, predicate_name)
    ranges: list[tuple[int, int]] = []
    # The Basic Multilingual Plane holds every script person names are written in here.
    for code in range(0x10000):
        if predicate(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    parts = [
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    ]
    return "[" + "".join(parts) + "]"


_UP = _char_class("isupper")
_LO = _char_class("islower")
_APOSTROPHE = "['’]"
# Surname prefixes after which a second capital is normal: LeCun, McAllester, DiCarlo, O'Brien.
_PREFIXES = "(?:Mc|Mac|Fitz|De|Di|Da|Du|Le|La|Van|Von|Ter|Ten|Del|Della|Des)"
_PARTICLES = (
    "(?:de|da|di|do|du|del|della|der|den|des|dos|das|la|le|van|von|ter|ten|zu|y|e|bin|binti"
    "|al|el|af|av|st\\.)"
)
_SUFFIXES = "(?:Jr\\.?|Sr\\.?|II|III|IV)"

# One hyphen/apostrophe-free piece of a capitalised name: Mohammad, LeCun, D'Oro, d'Alembert.
_PIECE = (
    f"(?:{_PREFIXES}{_UP}{_LO}+|{_UP}{_LO}+|{_UP}{_APOSTROPHE}{_UP}{_LO}+"
    f"|{_LO}{{1,2}}{_APOSTROPHE}{_UP}{_LO}+)"
)
_LATER_PIECE = f"(?:{_PIECE}|{_LO}+|{_UP}{_APOSTROPHE}{_LO}+)"
_WORD = f"{_PIECE}(?:-{_LATER_PIECE})*"
_INITIALS = f"{_UP}\\.(?:-?{_UP}\\.)*"
_CAPS = f"{_UP}{{2,}}(?:-{_UP}{{2,}})*"
_TOKEN = f"(?:{_WORD}|{_INITIALS}|{_UP}|{_CAPS}|{_PARTICLES}|{_SUFFIXES})"
_SURNAME = f"(?:{_WORD}|{_CAPS}|{_SUFFIXES})"
# The first author: glued word or initials, then at least one more word ending in a surname.
_FIRST_AUTHOR = f"(?:{_WORD}|{_INITIALS})(?: {_TOKEN})*? {_SURNAME}"
_OTHER_AUTHOR = f"(?:(?:{_TOKEN} )*{_SURNAME}|{_INITIALS}|{_UP}{_LO}+)"
_AUTHOR_LIST = re.compile(f"{_FIRST_AUTHOR}(?:, {_OTHER_AUTHOR})*(?:,? {_SUFFIXES})?")

_SUFFIX = re.compile(_SUFFIXES)  # compiled once: re.fullmatch(str) pays a cache lookup per name
_GLUED_CAPITAL = re.compile(f"(?<=\\S){_UP}")
_ORGS_SEPARATOR = " · "
_ET_AL = re.compile(r",?\s+et al\.?$")


@dataclass(frozen=True, slots=True)
class Byline:
    title: str
    authors: tuple[str, ...]
    authors_truncated: bool
    orgs: tuple[str, ...]
    confident: bool  # False when no boundary satisfied the name rule (fallback used)


def split_title_authors(line: str) -> Byline:
    """Split a dated listing's second line into title, authors, truncation flag and orgs."""
    text, orgs = _split_orgs(line.strip())
    et_al = _ET_AL.search(text)  # one search, then a slice: this runs once per record
    truncated = et_al is not None
    if et_al is not None:
        text = text[: et_al.start()]
    start = _author_list_start(text)
    confident = start is not None
    if start is None:
        start = _fallback_start(text)
    if start is None:
        return Byline(text.strip(), (), truncated, orgs, False)
    title, authors = text[:start].rstrip(), text[start:]
    return Byline(title, _split_authors(authors), truncated, orgs, confident)


def _split_orgs(text: str) -> tuple[str, tuple[str, ...]]:
    head, separator, tail = text.rpartition(_ORGS_SEPARATOR)
    if not separator:
        return text, ()
    orgs = tuple(sys.intern(org.strip()) for org in tail.split(",") if org.strip())
    return head, orgs


def _author_list_start(text: str) -> int | None:
    for start in _glued_capitals(text):
        if _AUTHOR_LIST.fullmatch(text, start):
            return start
    return None


def _glued_capitals(text: str) -> list[int]:
    return [match.start() for match in _GLUED_CAPITAL.finditer(text)]


def _fallback_start(text: str) -> int | None:
    """Without a clean name list, the last lower-to-upper glue before the first comma."""
    limit = text.find(", ")
    candidates = [i for i in _glued_capitals(text) if limit < 0 or i < limit]
    return candidates[-1] if candidates else None


def _split_authors(authors: str) -> tuple[str, ...]:
    names: list[str] = []
    for part in authors.split(","):
        name = " ".join(part.split())
        if not name:
            continue
        if names and _SUFFIX.fullmatch(name):
            names[-1] = f"{names[-1]}, {name}"
        else:
            # A name recurs across thousands of papers in a large corpus: one shared string.
            names.append(sys.intern(name))
    return tuple(names)
