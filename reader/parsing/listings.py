"""The three listing formats people paste, one parser each, chosen by content.

**Abstract list** (an institution's page): an optional header naming the institution, then one
paper per line. No titles, no authors. A later short line starts a new institution block::

    UCL
    Abstract:We address the task of uplifting visual features ...

**Dated listing** (an author's page): three lines per paper: category glued to the date with an
optional ``Code`` flag; title glued to the authors (see ``names.py``); the abstract::

    CVApr 26, 2023Code
    Do SSL Models Have Déjà Vu? ...LearningCasey Meehan, Florian Bordes, Pascal Vincent et al.
    Self-supervised learning (SSL) algorithms can learn ...

**Trending list** (a digest page): page chrome, then ``Subscribe`` glued to the first title, then
a title line and an abstract line per paper::

    Get trending papers in your email inbox once a day!
    SubscribeEnd-to-End Meta-Bayesian Optimisation with Transformer Neural Processes
    Meta-Bayesian optimisation (meta-BO) aims to improve ...

A line may carry an arXiv id or URL (``arXiv:2301.01234``, ``arxiv.org/abs/2301.01234v2``,
``arXiv:hep-th/9901001``); the first one in a record's title or abstract becomes its
``arxiv_id``, with its version where the line names one (as BibTeX imports keep it). The text
is kept as is.

Every parser returns records and problems; a line that is not used by a record is reported,
never silently dropped. Blank lines separate nothing in these formats and are ignored.
"""

from __future__ import annotations

import calendar
import re
import sys
from collections.abc import Callable
from datetime import date

from reader.model.paper import Paper, Source, paper_id
from reader.parsing.names import split_title_authors
from reader.parsing.problems import ParsedFile, Problem

ABSTRACT_LIST = "abstract-list"
DATED_LISTING = "dated-listing"
TRENDING_LIST = "trending-list"

_ABSTRACT_PREFIX = re.compile(r"^Abstract:\s*")
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_DATE_LINE = re.compile(
    r"^(?P<category>[A-Za-z][A-Za-z0-9.\-]*?)??"
    r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
    r" (?P<day>\d{1,2}), (?P<year>\d{4})(?P<code>Code)?$"
)
_TRENDING_CHROME = re.compile(r"^(Get trending papers\b|Subscribe$|Trending Papers$)", re.I)
_SUBSCRIBE = re.compile(r"^Subscribe(?=\S)")
# A header names an institution: short, and not a sentence.
_MAX_HEADER_CHARS = 80
# Titles are short single sentences; abstracts are paragraphs. The sample corpus has titles up
# to 134 characters and abstracts from 431, so the boundary sits far from both.
_MAX_TITLE_CHARS = 300
_ARXIV = re.compile(
    r"(?:\barXiv:\s*|\barxiv\.org/(?:abs|pdf)/)"
    r"(?P<id>(?:\d{4}\.\d{4,5}|[a-z][a-z.\-]*/\d{7})(?:v\d+)?)(?!\.?\d)",
    re.IGNORECASE,
)

Numbered = tuple[int, str]  # (1-based line number, text)


def numbered_lines(lines: list[str]) -> list[Numbered]:
    """Non-blank lines with their line numbers."""
    return [(number, line) for number, line in enumerate(lines, 1) if line.strip()]


# --------------------------------------------------------------------------- detection


def detect_format(lines: list[Numbered]) -> str | None:
    """The format whose signature lines dominate the file, or None."""
    if not lines:
        return None
    total = len(lines)
    abstracts = sum(1 for _, text in lines if _ABSTRACT_PREFIX.match(text))
    dates = sum(1 for _, text in lines if _DATE_LINE.match(text))
    chrome = any(_TRENDING_CHROME.match(text) or _SUBSCRIBE.match(text) for _, text in lines[:5])
    if abstracts and abstracts >= (total - 1) / 2:
        return ABSTRACT_LIST
    if dates and dates >= total / 4:
        return DATED_LISTING
    if chrome or _looks_like_title_abstract_pairs(lines):
        return TRENDING_LIST
    return None


def _looks_like_title_abstract_pairs(lines: list[Numbered]) -> bool:
    if len(lines) < 2:
        return False
    titles = sum(1 for _, text in lines if _is_title_like(text))
    return abs(titles - (len(lines) - titles)) <= max(1, len(lines) // 10)


def _is_title_like(text: str) -> bool:
    return len(text) <= _MAX_TITLE_CHARS and not (len(text) > 150 and text.endswith("."))


# --------------------------------------------------------------------------- abstract list


def parse_abstract_list(lines: list[Numbered], path: str) -> ParsedFile:
    result = ParsedFile(path, ABSTRACT_LIST)
    orgs: tuple[str, ...] = ()
    for number, text in lines:
        match = _ABSTRACT_PREFIX.match(text)
        if match:
            abstract = text[match.end() :].strip()
            if not abstract:
                result.problems.append(Problem(path, number, "empty abstract; skipped"))
                continue
            result.papers.append(_paper(path, number, None, abstract, orgs=orgs))
        elif len(text) <= _MAX_HEADER_CHARS and not text.endswith("."):
            orgs = tuple(org.strip() for org in text.split(",") if org.strip())
        else:
            result.problems.append(
                Problem(path, number, "line does not start with 'Abstract:'; skipped")
            )
    return result


# --------------------------------------------------------------------------- dated listing


def parse_dated_listing(lines: list[Numbered], path: str) -> ParsedFile:
    result = ParsedFile(path, DATED_LISTING)
    index = 0
    while index < len(lines):
        number, text = lines[index]
        header = _DATE_LINE.match(text)
        if not header:
            result.problems.append(
                Problem(path, number, "expected a category and date line; skipped")
            )
            index += 1
            continue
        body = _lines_until_next_date(lines, index + 1)
        index += 1 + len(body)
        paper = _dated_record(path, number, header, body, result.problems)
        if paper is not None:
            result.papers.append(paper)
    return result


def _lines_until_next_date(lines: list[Numbered], start: int) -> list[Numbered]:
    end = start
    while end < len(lines) and not _DATE_LINE.match(lines[end][1]):
        end += 1
    return lines[start:end]


def _dated_record(
    path: str,
    number: int,
    header: re.Match[str],
    body: list[Numbered],
    problems: list[Problem],
) -> Paper | None:
    if not body:
        problems.append(Problem(path, number, "record cut short: no title or abstract; skipped"))
        return None
    byline_number, byline_text = body[0]
    byline = split_title_authors(byline_text)
    if not byline.confident:
        problems.append(
            Problem(
                path,
                byline_number,
                "could not tell the title from the authors with confidence; check this record",
                "warning",
            )
        )
    if len(body) == 1:
        problems.append(
            Problem(path, byline_number, "record cut short: no abstract line", "warning")
        )
        abstract = ""
    else:
        abstract = body[1][1].strip()
        for extra_number, _ in body[2:]:
            problems.append(
                Problem(path, extra_number, "unexpected line after the abstract; skipped")
            )
    iso_date = _iso_date(header, path, number, problems)
    return _paper(
        path,
        number,
        byline.title or None,
        abstract,
        authors=byline.authors,
        authors_truncated=byline.authors_truncated,
        orgs=byline.orgs,
        category=sys.intern(header["category"]) if header["category"] else None,
        date=sys.intern(iso_date) if iso_date else None,
        has_code=bool(header["code"]),
    )


def _iso_date(header: re.Match[str], path: str, number: int, problems: list[Problem]) -> str | None:
    month = _MONTHS[header["month"].lower()]
    try:
        return date(int(header["year"]), month, int(header["day"])).isoformat()
    except ValueError:
        problems.append(
            Problem(path, number, "impossible date; kept the record undated", "warning")
        )
        return None


# --------------------------------------------------------------------------- trending list


def parse_trending_list(lines: list[Numbered], path: str) -> ParsedFile:
    result = ParsedFile(path, TRENDING_LIST)
    body = _strip_chrome(lines, path, result.problems)
    index = 0
    while index < len(body):
        number, text = body[index]
        if not _is_title_like(text):
            result.problems.append(
                Problem(
                    path, number, "abstract without a title; kept as an untitled paper", "warning"
                )
            )
            result.papers.append(_paper(path, number, None, text))
            index += 1
            continue
        following = body[index + 1][1] if index + 1 < len(body) else None
        after_that = body[index + 2][1] if index + 2 < len(body) else None
        if following is None:
            result.problems.append(
                Problem(path, number, "record cut short: no abstract line", "warning")
            )
            abstract, index = "", index + 1
        elif (
            _is_title_like(following) and after_that is not None and not _is_title_like(after_that)
        ):
            # Two titles in a row and then an abstract: this paper's abstract is missing.
            result.problems.append(Problem(path, number, "paper has no abstract line", "warning"))
            abstract, index = "", index + 1
        else:
            abstract, index = following, index + 2
        result.papers.append(_paper(path, number, text, abstract))
    return result


def _strip_chrome(lines: list[Numbered], path: str, problems: list[Problem]) -> list[Numbered]:
    """Drop the page chrome above the first paper, which starts at ``Subscribe<Title>``.

    Lines above the first paper that are not known chrome are reported, not dropped silently.
    """
    start = next(
        (i for i, (_, text) in enumerate(lines[:10]) if _SUBSCRIBE.match(text)),
        None,
    )
    if start is None:
        start = 0
        while start < len(lines) and _TRENDING_CHROME.match(lines[start][1]):
            start += 1
    for number, text in lines[:start]:
        if not _TRENDING_CHROME.match(text):
            problems.append(
                Problem(path, number, "unrecognised line above the first paper; skipped")
            )
    body = lines[start:]
    if body:
        number, text = body[0]
        body[0] = (number, _SUBSCRIBE.sub("", text, count=1))
    return body


# --------------------------------------------------------------------------- shared


def _paper(
    path: str,
    line: int,
    title: str | None,
    abstract: str,
    **fields: object,
) -> Paper:
    return Paper(
        id=paper_id(title, abstract),
        title=title,
        abstract=abstract,
        sources=(Source(path, line),),
        authors=fields.pop("authors", ()),  # type: ignore[arg-type]
        arxiv_id=arxiv_id(title) or arxiv_id(abstract),
        **fields,  # type: ignore[arg-type]
    )


def arxiv_id(text: str | None) -> str | None:
    """The first arXiv id named in ``text`` (``arXiv:ID`` or an arxiv.org URL)."""
    if not text or "rxiv" not in text.casefold():  # the cheap test first: most lines have none
        return None
    match = _ARXIV.search(text)
    return sys.intern(match["id"].casefold()) if match else None


PARSERS: dict[str, Callable[[list[Numbered], str], ParsedFile]] = {
    ABSTRACT_LIST: parse_abstract_list,
    DATED_LISTING: parse_dated_listing,
    TRENDING_LIST: parse_trending_list,
}
