"""Cleaning user and listing text before it is written into any export format.

Notes are typed or pasted by users and may hold anything: terminal colour codes, NUL and
other control characters, bidi overrides, Windows or Unicode line separators, lone surrogates
from broken decoding. None of that belongs in a text file, and some of it breaks parsers,
so it goes.
Printable characters, including every non-ASCII letter and emoji, are kept.
"""

from __future__ import annotations

import re

from reader.model.sanitize import UNSAFE_CLASS, strip_unsafe

_WHITESPACE = re.compile(r"\s+")
_INLINE_WHITESPACE = re.compile(r"[^\S\n]+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Characters that make ``one_line`` do more than strip the ends: what the sanitiser removes
# and whitespace other than the plain space (Python's \s, spelled out so that the test is one
# character class, which ``re`` scans fast; most listing text has none of these).
_NEEDS_WORK = re.compile(f"[{UNSAFE_CLASS}\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def printable(text: str) -> str:
    """``text`` with control characters removed and every line break spelled ``\\n``.

    The rule is ``reader.model.sanitize``'s, shared with the CLI and the app: escape
    sequences, C0/C1 controls, NUL and bidi controls go; tab and newline stay for the callers.
    """
    return strip_unsafe(text)


def one_line(text: str) -> str:
    """Printable text on one line, runs of whitespace collapsed to one space."""
    if "  " not in text and not _NEEDS_WORK.search(text):
        return text.strip()
    return _WHITESPACE.sub(" ", printable(text)).strip()


def paragraphs(text: str) -> list[list[str]]:
    """Printable text as paragraphs (split at blank lines) of stripped, non-empty lines."""
    result = []
    for block in _PARAGRAPH_BREAK.split(printable(text)):
        lines = [_INLINE_WHITESPACE.sub(" ", line).strip() for line in block.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            result.append(lines)
    return result
