r"""BibTeX files as a corpus source, read with bibtexparser 1.4.

Each entry becomes a Paper:

- ``title``: whitespace collapsed, case-protection braces removed (``{DINOv2} {$x$}`` ->
  ``DINOv2 $x$``); braces that belong to commands (``\emph{..}``, ``\'{e}``) or open with a
  command (``{\em ..}``) stay. LaTeX is otherwise kept raw, as the listings keep it.
- ``author``: split at top-level ``and``; ``Last, First`` and ``Last, Jr, First`` become
  ``First Last (Jr)``; a name braced whole (``{Acme, Inc.}``) loses the braces; a final
  ``others`` sets ``authors_truncated``.
- Date: a biblatex ``date`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) wins, else ``year``
  and ``month`` (macro, name or number). A Paper date is a full ISO date, so missing parts
  are filled with ``01``: ``YYYY-MM-01`` when the month is known, ``YYYY-01-01`` when only the
  year is. ``extra[DATE_PRECISION]`` records "month" or "year" so the filler is never
  exported as a real month.
- ``primaryclass`` -> category, ``institution`` (``and``-separated) -> orgs, ``abstract``.
- Every other field (``keywords``, ``annote``, ``doi``, ``journal``, ...) is kept in ``extra``
  and written back by the BibTeX export; the entry's key is kept as ``extra[IMPORTED_KEY]``.
- The commands the export writes for bare specials (``\textasciicircum{}``,
  ``\textasciitilde{}``, ``\textbraceleft{}``, ``\textbraceright{}``, ``\textbackslash{}``
  before a non-letter) become the character again: the listing spelling. The display
  converter shows some of them as letters (U+02C6) or raw, which would change the folded
  title and with it the paper's id.
- Ids come from ``paper_id(title, abstract)``, so an exported and re-imported paper keeps its
  annotations.

bibtexparser skips entries it cannot parse without saying so. To report them, entry starts
(``@type{key`` at the beginning of a line, outside the braces of a good entry) are located
in the text; a start whose key bibtexparser did not return is reported with its line.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass

from reader.model.paper import Paper, Source, paper_id
from reader.parsing.problems import ParsedFile, Problem

FORMAT = "bibtex"
# Keys in Paper.extra that are not BibTeX fields (the colon makes them invalid field names).
IMPORTED_KEY = "reader:key"
DATE_PRECISION = "reader:date_precision"

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NON_ENTRY_TYPES = frozenset({"comment", "preamble", "string"})
_MAPPED_FIELDS = frozenset(
    {"title", "author", "year", "month", "date", "abstract", "primaryclass", "institution"}
)
_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(][ \t\r\n]*([^,\s{}()]*)", re.M)
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_YEAR = re.compile(r"\d{4}")
_WHITESPACE = re.compile(r"\s+")
_AUTHOR_SEPARATOR = re.compile(r"\s+and\s+", re.IGNORECASE)
# A brace group right after a control word or an accent is an argument, not protection.
_CONTROL_WORD = re.compile(r"\\[A-Za-z]+")
_SPELLED_OUT = re.compile(
    r"\\text(asciicircum|asciitilde|braceleft|braceright)\{\}|\\text(backslash)\{\}(?![A-Za-z])"
)
_SPELLED_OUT_CHARACTERS = {
    "asciicircum": "^",
    "asciitilde": "~",
    "braceleft": "{",
    "braceright": "}",
    "backslash": "\\",
}
_COMMAND_BEFORE = re.compile(r"\\(?:[A-Za-z]+\s*|['\"^~=.`])$")


@dataclass(frozen=True, slots=True)
class _EntryStart:
    line: int
    entry_type: str
    key: str


def parse_bibtex(text: str, path: str) -> ParsedFile:
    """Papers and problems from BibTeX ``text``; never raises."""
    parsed = ParsedFile(path, FORMAT)
    try:
        entries = _bibtexparser_entries(text)
    except Exception as error:  # bibtexparser/pyparsing on hostile input
        parsed.problems.append(Problem(path, 0, f"not readable as BibTeX ({error})"))
        return parsed
    lines_by_key = _locate_entries(text, {entry.get("ID", "") for entry in entries}, path, parsed)
    for entry in entries:
        key = entry.get("ID", "")
        queue = lines_by_key.get(key)
        line = queue.popleft() if queue else 0
        paper = _paper(entry, path, line, parsed.problems)
        if paper is not None:
            parsed.papers.append(paper)
    if not entries and not parsed.problems:
        parsed.problems.append(Problem(path, 0, "no BibTeX entries found", "warning"))
    return parsed


def _bibtexparser_entries(text: str) -> list[dict[str, str]]:
    # Imported here: bibtexparser pulls in pyparsing, which the app should not pay for
    # unless a .bib file is actually loaded.
    import bibtexparser
    from bibtexparser.bparser import BibTexParser

    parser = BibTexParser(
        common_strings=True, ignore_nonstandard_types=False, interpolate_strings=True
    )
    return bibtexparser.loads(text, parser=parser).entries


def _locate_entries(
    text: str, parsed_keys: set[str], path: str, parsed: ParsedFile
) -> dict[str, deque[int]]:
    """Lines of the entries bibtexparser returned; problems for those it dropped."""
    lines: dict[str, deque[int]] = defaultdict(deque)
    for start in _entry_starts(text, parsed_keys):
        if start.entry_type.casefold() in _NON_ENTRY_TYPES:
            continue
        if start.key in parsed_keys:
            lines[start.key].append(start.line)
        elif not start.key:
            parsed.problems.append(Problem(path, start.line, "entry has no citation key; skipped"))
        else:
            message = (
                f"entry '{start.key}' could not be read (unbalanced braces or quotes, "
                "or a missing comma?); skipped"
            )
            parsed.problems.append(Problem(path, start.line, message))
    return lines


def _entry_starts(text: str, parsed_keys: set[str]) -> Iterator[_EntryStart]:
    """``@type{key`` at line starts, except those inside the value of an entry that parsed.

    A good entry's braces balance, so an ``@`` line met while its braces are still open is
    text inside a field (a pasted entry in a note). After a broken entry the brace count
    means nothing, so every ``@`` line counts until the next good entry.
    """
    line = 1
    scanned = 0
    depth = 0
    inside_good_entry = False
    for match in _ENTRY_START.finditer(text):
        begin = match.start()
        line += text.count("\n", scanned, begin)
        depth += text.count("{", scanned, begin) - text.count("}", scanned, begin)
        scanned = begin
        if inside_good_entry and depth > 0:
            continue
        entry_type, key = match.group(1), match.group(2)
        inside_good_entry = key in parsed_keys
        depth = 0
        yield _EntryStart(line, entry_type, key)


def _paper(entry: dict[str, str], path: str, line: int, problems: list[Problem]) -> Paper | None:
    fields = {name.casefold(): value for name, value in entry.items()}
    key = entry.get("ID", "")
    title = _listing_text(unprotect_title(_one_line(fields.get("title", "")))) or None
    abstract = _listing_text(_one_line(fields.get("abstract", "")))
    if title is None and not abstract:
        message = f"entry '{key}' has neither a title nor an abstract; skipped"
        problems.append(Problem(path, line, message, "warning"))
        return None
    authors, truncated = split_authors(fields.get("author", ""))
    date, precision = _date(fields, key, path, line, problems)
    extra = {
        name: _extra_value(name, value)
        for name, value in fields.items()
        if name not in _MAPPED_FIELDS and name not in ("id", "entrytype")
    }
    if key:
        extra[IMPORTED_KEY] = key
    if precision:
        extra[DATE_PRECISION] = precision
    organisations = _AUTHOR_SEPARATOR.split(_one_line(fields.get("institution", "")))
    return Paper(
        id=paper_id(title, abstract),
        title=title,
        authors=authors,
        abstract=abstract,
        authors_truncated=truncated,
        orgs=tuple(org for org in organisations if org),
        category=_one_line(fields.get("primaryclass", "")) or None,
        date=date,
        sources=(Source(path, line),),
        extra=extra,
    )


def split_authors(value: str) -> tuple[tuple[str, ...], bool]:
    """("First Last", ...) and whether the list ended in ``others``."""
    raw_names = _split_top_level(_one_line(value))
    # Only a bare "others" means "and more"; "{others}" is a person or group of that name.
    truncated = bool(raw_names) and raw_names[-1].casefold() == "others"
    if truncated:
        raw_names.pop()
    names = (_listing_text(_display_name(name)) for name in raw_names)
    return tuple(name for name in names if name), truncated


def unprotect_title(title: str) -> str:
    """``title`` without the braces BibTeX uses only to protect case."""
    drop: set[int] = set()
    stack: list[tuple[int, bool]] = []
    in_math = False
    argument_end = -2  # where the last non-empty argument group closed (\frac{a}{b})
    for index, char in enumerate(title):
        escaped = index > 0 and _backslashes_before(title, index) % 2 == 1
        if escaped:
            continue
        if char == "$":
            in_math = not in_math
        elif char == "{":
            is_argument = (
                in_math
                or _COMMAND_BEFORE.search(title, 0, index) is not None
                or argument_end == index - 1
            )
            stack.append((index, is_argument))
        elif char == "}" and stack:
            opening, is_argument = stack.pop()
            if is_argument:
                if index > opening + 1:  # "{}" only ends a command name, it is no argument
                    argument_end = index
                continue
            # {\em text} opens a scope and stays; {\LaTeX} only protects one command's case;
            # {} protects nothing but ends a command name ("\LaTeX{} for").
            scope = title[opening + 1 : opening + 2] == "\\"
            if index == opening + 1:
                continue
            if not scope or _CONTROL_WORD.fullmatch(title, opening + 1, index):
                drop.update((opening, index))
    if not drop:
        return title
    return "".join(char for index, char in enumerate(title) if index not in drop)


def _backslashes_before(text: str, index: int) -> int:
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count


def _split_top_level(value: str) -> list[str]:
    """``value`` split at ``and`` outside braces, as BibTeX splits author lists."""
    names = []
    start = 0
    depth = 0
    scanned = 0
    for separator in _AUTHOR_SEPARATOR.finditer(value):
        depth += _depth(value, scanned, separator.start())
        scanned = separator.start()
        if depth == 0:
            names.append(value[start : separator.start()])
            start = separator.end()
    names.append(value[start:])
    return [name.strip() for name in names if name.strip()]


def _depth(text: str, start: int, end: int) -> int:
    return text.count("{", start, end) - text.count("}", start, end)


def _display_name(name: str) -> str:
    if _is_wholly_braced(name):
        return name[1:-1].strip()
    parts = [part.strip() for part in _split_top_level_commas(name)]
    if len(parts) == 2:  # Last, First
        return _one_line(f"{parts[1]} {parts[0]}")
    if len(parts) >= 3:  # Last, Jr, First
        return _one_line(f"{parts[2]} {parts[0]} {parts[1]}")
    return name


def _split_top_level_commas(name: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(name):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(name[start:index])
            start = index + 1
    parts.append(name[start:])
    return parts


def _is_wholly_braced(text: str) -> bool:
    if not (text.startswith("{") and text.endswith("}")):
        return False
    depth = 0
    for index, char in enumerate(text):
        depth += char == "{"
        depth -= char == "}"
        if depth == 0 and index < len(text) - 1:
            return False
    return True


def _date(
    fields: dict[str, str], key: str, path: str, line: int, problems: list[Problem]
) -> tuple[str | None, str | None]:
    """(ISO date, "month" | "year" | None when the day is real or there is no date)."""
    iso = _ISO_DATE.fullmatch(_one_line(fields.get("date", "")))
    if iso:
        year, month, day = iso.groups()
        if month and day:
            return f"{year}-{month}-{day}", None
        if month:
            return f"{year}-{month}-01", "month"
        return f"{year}-01-01", "year"
    year_text = _one_line(fields.get("year", ""))
    if not year_text:
        return None, None
    year_match = _YEAR.search(year_text)
    if year_match is None:
        problems.append(
            Problem(path, line, f"entry '{key}': year '{year_text}' is not a year", "warning")
        )
        return None, None
    month = _month_number(_one_line(fields.get("month", "")))
    if month is None:
        return f"{year_match.group()}-01-01", "year"
    return f"{year_match.group()}-{month:02d}-01", "month"


def _month_number(text: str) -> int | None:
    text = text.strip("{}. ").casefold()
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return _MONTH_NAMES.index(text[:3]) + 1 if text[:3] in _MONTH_NAMES else None


def _extra_value(name: str, value: str) -> str:
    if name == "annote":  # a note: keep its lines, drop the export's indentation
        return "\n".join(line.strip() for line in value.strip().splitlines())
    return _one_line(value)


def _listing_text(text: str) -> str:
    if "\\text" not in text:
        return text
    return _SPELLED_OUT.sub(
        lambda match: _SPELLED_OUT_CHARACTERS[match.group(match.lastindex or 0)], text
    )


def _one_line(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()
