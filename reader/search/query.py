"""The query language typed into the search box, parsed into terms that are ANDed together.

    bayesian optimisation        words, anywhere (title, authors, abstract); typo-tolerant
    "normalizing flow"           a phrase: these words (or plurals), adjacent, in this order
    title:flow  author:vincent  abstract:"normalizing flow"      a word or phrase in one field
    tag:toread  tag:"my tag"     cat:LG     org:mila               annotations / record fields
    year:2021  year:2020..2023  year:2020..  year:..2019  year:>=2022  (also > < <= =)
    is:starred is:unread is:read is:skipped is:duplicate
    has:note has:code has:authors has:date has:title
    -word  -"a phrase"  -tag:x  -is:read          negation of any term

Quirks worth knowing:

- Parsing never fails. Whatever cannot be understood becomes a ``hint`` for the user and the
  rest of the query still runs: an unknown field (``foo:bar``) is searched as plain words, a
  bad value (``year:abc``, ``is:bogus``) is dropped, an unclosed quote runs to the end.
- The last word is being typed (unless the text ends in a space or a closing quote), so it is
  matched as a prefix, and a half-typed filter value (``is:st``, ``year:20``) is not an error:
  it completes when exactly one value fits, and is otherwise ignored without a hint.
- A field with no value at all (``author:``, ``tag:``) always gets a hint, even while typing:
  otherwise the box shows every paper (or none) with no clue why.
- A bare word with punctuation inside (``meta-BO``) is several words, each required.
- Quoted text is matched exactly: no prefix or typo expansion (plurals still match).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reader.search.text import tokens

TITLE = "title"
AUTHOR = "author"
ABSTRACT = "abstract"
TEXT_FIELDS: tuple[str, ...] = (TITLE, AUTHOR, ABSTRACT)

TEXT = "text"
TAG = "tag"
CATEGORY = "cat"
ORG = "org"
YEAR = "year"
IS = "is"
HAS = "has"

_FIELD_NAMES: dict[str, str] = {
    "title": TITLE,
    "ti": TITLE,
    "author": AUTHOR,
    "authors": AUTHOR,
    "au": AUTHOR,
    "abstract": ABSTRACT,
    "abs": ABSTRACT,
}
_FILTER_NAMES: dict[str, str] = {
    "tag": TAG,
    "tags": TAG,
    "cat": CATEGORY,
    "category": CATEGORY,
    "org": ORG,
    "orgs": ORG,
    "year": YEAR,
    "is": IS,
    "has": HAS,
}
IS_VALUES = ("starred", "unread", "read", "skipped", "duplicate")
HAS_VALUES = ("note", "code", "authors", "date", "title")
_VALUE_ALIASES = {"notes": "note", "author": "authors", "duplicates": "duplicate"}
_EXAMPLES = {
    "title": "title:flow",
    "author": "author:vincent",
    "abstract": 'abstract:"normalizing flow"',
    "tag": "tag:toread",
    "cat": "cat:LG",
    "org": "org:mila",
    "year": "year:2021",
    "is": "is:starred",
    "has": "has:note",
}

_FIELD_PREFIX = re.compile(r"([A-Za-z]+):")
_YEAR_RANGE = re.compile(r"^(\d{4})?\s*(?:\.\.|–|-)\s*(\d{4})?$")
_YEAR_COMPARISON = re.compile(r"^(>=|<=|>|<|=)?(\d{4})$")
_PARTIAL_YEAR = re.compile(r"^(>=|<=|>|<|=)?\d{0,4}(\.\.?\d{0,4}|[-–]\d{0,4})?$")
_YEAR_HINT = "year: expects a year like 2021, a range 2020..2023, or >=2022"
MIN_YEAR, MAX_YEAR = 0, 9999


@dataclass(frozen=True, slots=True)
class Term:
    """One condition. ``kind`` is TEXT or one of the filter kinds."""

    kind: str
    words: tuple[str, ...] = ()  # folded words: TEXT and ORG
    fields: tuple[str, ...] = TEXT_FIELDS  # TEXT: where the words may occur
    value: str = ""  # TAG, CATEGORY, IS, HAS (folded or canonical)
    years: tuple[int, int] = (MIN_YEAR, MAX_YEAR)  # YEAR: inclusive range
    phrase: bool = False  # TEXT: the words must be adjacent, in order
    exact: bool = False  # quoted: no prefix or typo expansion
    prefix: bool = False  # the last word is still being typed
    negated: bool = False


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str
    hint: str | None
    terms: tuple[Term, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.terms

    @property
    def highlight_words(self) -> tuple[tuple[str, bool], ...]:
        """(folded word, typed as prefix) for every positive word a title may show."""
        return self.words_in(TITLE)

    def words_in(self, field_name: str) -> tuple[tuple[str, bool], ...]:
        """(folded word, typed as prefix) for every positive word searched in a field."""
        words: list[tuple[str, bool]] = []
        for term in self.terms:
            if term.kind == TEXT and not term.negated and field_name in term.fields:
                last = len(term.words) - 1
                words.extend((word, term.prefix and i == last) for i, word in enumerate(term.words))
        return tuple(words)


@dataclass(slots=True)
class _Token:
    """A lexical piece of the query: ``[-][name:]value`` with the value maybe quoted."""

    negated: bool
    name: str | None
    value: str
    quoted: bool
    closed: bool  # a quoted value found its closing quote
    last: bool = False  # nothing but the end of text after it


def parse_query(text: str) -> ParsedQuery:
    """Terms and a hint for ``text``; never raises."""
    tokens_ = _lex(text)
    typing = bool(text) and not text[-1].isspace()
    hints: list[str] = []
    terms: list[Term] = []
    for token in tokens_:
        typing_this = typing and token.last and not (token.quoted and token.closed)
        if token.quoted and not token.closed:
            hints.append("unclosed quote")
        terms.extend(_terms_for(token, typing_this, hints))
    unique_hints = list(dict.fromkeys(hints))
    return ParsedQuery(text, "; ".join(unique_hints) or None, tuple(terms))


def _lex(text: str) -> list[_Token]:
    found: list[_Token] = []
    position, length = 0, len(text)
    while position < length:
        if text[position].isspace():
            position += 1
            continue
        negated = text[position] == "-" and position + 1 < length
        if negated and not text[position + 1].isspace():
            position += 1
        else:
            negated = False
        name = None
        named = _FIELD_PREFIX.match(text, position)
        if named:
            name = named.group(1).lower()
            position = named.end()
        if position < length and text[position] == '"':
            close = text.find('"', position + 1)
            closed = close != -1
            end = close if closed else length
            value = text[position + 1 : end]
            position = end + 1 if closed else length
            found.append(_Token(negated, name, value, quoted=True, closed=closed))
        else:
            end = position
            while end < length and not text[end].isspace():
                end += 1
            found.append(_Token(negated, name, text[position:end], quoted=False, closed=False))
            position = end
    if found:
        found[-1].last = True
    return found


def _terms_for(token: _Token, typing: bool, hints: list[str]) -> list[Term]:
    name = token.name
    if name is None or name in _FIELD_NAMES:
        fields = (_FIELD_NAMES[name],) if name else TEXT_FIELDS
        return _text_terms(token, fields, typing, hints)
    kind = _FILTER_NAMES.get(name)
    if kind is None:
        hints.append(f"unknown field '{name}:' searched as text")
        return _text_terms(
            _Token(token.negated, None, f"{name} {token.value}", token.quoted, token.closed),
            TEXT_FIELDS,
            typing,
            hints,
        )
    value = token.value.strip()
    if not value:
        hints.append(_needs_value(name, kind))
        return []
    if kind == ORG:
        words = tuple(tokens(value))
        return [Term(ORG, words=words, prefix=typing, negated=token.negated)] if words else []
    if kind in (TAG, CATEGORY):
        return [Term(kind, value=value.casefold(), negated=token.negated)]
    if kind == YEAR:
        years = _parse_years(value)
        if years is None:
            if not (typing and _PARTIAL_YEAR.match(value)):
                hints.append(_YEAR_HINT)
            return []
        return [Term(YEAR, years=years, negated=token.negated)]
    choices = IS_VALUES if kind == IS else HAS_VALUES
    chosen = _choose(value.lower(), choices, typing)
    if chosen is None:
        if not (typing and any(choice.startswith(value.lower()) for choice in choices)):
            hints.append(f"{name}: expects one of {', '.join(choices)}")
        return []
    return [Term(kind, value=chosen, negated=token.negated)]


def _text_terms(
    token: _Token, fields: tuple[str, ...], typing: bool, hints: list[str]
) -> list[Term]:
    words = tuple(tokens(token.value))
    if not words:
        if token.name in _FIELD_NAMES:
            hints.append(_needs_value(token.name, _FIELD_NAMES[token.name]))
        return []
    if token.quoted:
        return [
            Term(
                TEXT,
                words=words,
                fields=fields,
                phrase=len(words) > 1,
                exact=True,
                negated=token.negated,
            )
        ]
    last = len(words) - 1
    return [
        Term(TEXT, words=(word,), fields=fields, prefix=typing and i == last, negated=token.negated)
        for i, word in enumerate(words)
    ]


def _needs_value(name: str, kind: str) -> str:
    example = _EXAMPLES.get(kind)
    return f"{name}: needs a value, e.g. {example}" if example else f"{name}: needs a value"


def _parse_years(value: str) -> tuple[int, int] | None:
    comparison = _YEAR_COMPARISON.match(value)
    if comparison:
        operator, year = comparison.group(1) or "=", int(comparison.group(2))
        return {
            "=": (year, year),
            ">=": (year, MAX_YEAR),
            ">": (year + 1, MAX_YEAR),
            "<=": (MIN_YEAR, year),
            "<": (MIN_YEAR, year - 1),
        }[operator]
    ranged = _YEAR_RANGE.match(value)
    if ranged and (ranged.group(1) or ranged.group(2)):
        low = int(ranged.group(1)) if ranged.group(1) else MIN_YEAR
        high = int(ranged.group(2)) if ranged.group(2) else MAX_YEAR
        return (min(low, high), max(low, high))
    return None


def _choose(value: str, choices: tuple[str, ...], typing: bool) -> str | None:
    value = _VALUE_ALIASES.get(value, value)
    if value in choices:
        return value
    if typing:
        candidates = [choice for choice in choices if choice.startswith(value)]
        if len(candidates) == 1:
            return candidates[0]
    return None
