r"""BibTeX files as a corpus source: bibtexparser 2.x splits, this module reads the values.

bibtexparser 2.x is a linear, non-recursive splitter (30 times faster than 1.x's pyparsing
grammar, and immune to deep nesting). We use only its splitter and read the values here,
so that every rule below is ours and tested:

- Values: ``{..}``, ``".."``, bare numbers, ``@string`` macros (case-insensitive, defined
  earlier in the file, the twelve month macros built in) and ``#`` concatenations. An
  undefined macro is kept as its name, with a warning.
- ``title``: whitespace collapsed, one pair of case-protection braces removed from every
  top-level group that is no command argument (``{DINOv2} {$x$}`` -> ``DINOv2 $x$``);
  ``{\em ..}`` scopes and ``\emph{..}`` arguments stay (``bibtex_text.unprotect_title``).
  LaTeX is otherwise kept raw, as the listings keep it.
- Text fields lose exactly the escapes our export adds (``72.4\%`` -> ``72.4%``,
  ``\textasciicircum{}`` -> ``^``, ``{\%}`` -> ``\%``; see ``bibtex_text.unescape``), so an
  export read back gives the listing text it was made from.
- ``author``: split at top-level ``and``; ``Last, First`` and ``Last, Jr, First`` become
  ``First Last Jr``; a name braced whole (``{Acme, Inc.}``) loses the braces; LaTeX accents
  become letters (``C{\'e}sar`` -> ``César``); a final ``others`` sets ``authors_truncated``.
- Date: a biblatex ``date`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) wins, else ``year``
  and ``month``. Missing parts are filled with ``01`` and ``extra[DATE_PRECISION]``
  records "month" or "year", so the filler is never exported as a real month or day.
- ``primaryclass`` (or ``eprintclass``) -> category; ``organization`` or ``institution``
  (``and``-separated) -> orgs; ``eprint`` with ``archiveprefix``/``eprinttype`` arXiv, or an
  arXiv ``url``, -> ``arxiv_id``.
- ``crossref`` and ``xdata`` parents lend the fields a child lacks (title included), as
  BibTeX and biber do; ``@xdata`` entries are not papers themselves.
- The entry type is kept (``extra[ENTRY_TYPE]``, unless it is ``misc``) and the key
  (``extra[IMPORTED_KEY]``); every other field is kept in ``extra`` and written back.
- Ids come from ``paper_id(title, abstract)``, so an exported and re-imported paper keeps
  its annotations.

One bad entry never costs its neighbours: an entry that cannot be split, holds a NUL byte,
or nests braces deeper than ``MAX_BRACE_DEPTH`` is reported as ``PATH:LINE`` and skipped; a
line that is not UTF-8 is read as cp1252 with a warning. bibtexparser's own log lines never
reach stderr: they are routed into warnings.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any, AnyStr

from reader.model.memory import cyclic_gc_paused
from reader.model.paper import Paper, Source, paper_id
from reader.parsing.bibtex_text import decode_name_accents, unescape, unprotect_title
from reader.parsing.problems import ParsedFile, Problem

if TYPE_CHECKING:
    from bibtexparser.model import Block

FORMAT = "bibtex"
# Keys in Paper.extra that are not BibTeX fields (the colon makes them invalid field names).
IMPORTED_KEY = "reader:key"
DATE_PRECISION = "reader:date_precision"
ENTRY_TYPE = "reader:type"
# Real bibliographies nest braces a handful of levels; thousands are an attack, and the
# LaTeX display converter downstream recurses once per level.
MAX_BRACE_DEPTH = 64

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_MACROS = {
    name: full
    for name, full in zip(
        _MONTH_NAMES,
        (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        strict=True,
    )
}
_NOT_PAPERS = frozenset({"xdata", "set"})
_MAPPED_FIELDS = frozenset(
    {"title", "author", "year", "month", "date", "abstract", "primaryclass", "eprintclass"}
)
_NOT_INHERITED = frozenset({"crossref", "xdata", "ids", "entryset", "related"})
# Fields holding addresses or paths: written verbatim by the export, read verbatim here.
VERBATIM_FIELDS = frozenset({"url", "doi", "eprint", "file", "pdf", "urldate"})
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_YEAR = re.compile(r"\d{4}")
_WHITESPACE = re.compile(r"\s+")
_AUTHOR_SEPARATOR = re.compile(r"\s+and\s+", re.IGNORECASE)
_BRACE = re.compile(r"(?<!\\)[{}]")
_BLOCK_HEAD = re.compile(r"@\s*([A-Za-z]*)\s*[{(]\s*([^,\s{}()=]*)")
_ARXIV_URL = re.compile(
    r"https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/([A-Za-z.\-]*/?\d{4,7}(?:\.\d{4,5})?(?:v\d+)?)(?:\.pdf)?/?",
    re.IGNORECASE,
)
# Longest raw author name or field name remembered per file (``split_authors``, ``_name``):
# real ones are far shorter, and hostile 100 KB ones are not worth keeping.
_MEMO_LIMIT = 256
_LINE_IN_LOG = re.compile(r"\(line (\d+)\)")
_BOM = b"\xef\xbb\xbf"


def arxiv_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


# ---------------------------------------------------------------------------------------
# Bytes in: decoding line by line, so one bad byte costs one line, not the file.


def looks_like_bibtex(data: bytes) -> bool:
    """True when the first non-blank, non-``%`` line starts an ``@type{`` block."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    seen = 0
    for raw_line in data[:65536].splitlines():
        line = raw_line.strip()
        if not line:
            continue
        if line.startswith(b"@") and b"{" in line:
            return True
        if not line.startswith(b"%"):
            return False
        seen += 1
        if seen >= 50:
            return False
    return False


def parse_bibtex_bytes(data: bytes, path: str) -> ParsedFile:
    """Papers and problems from the bytes of a .bib file; never raises.

    A UTF-8 file is decoded one chunk (entry) at a time, so it never exists as one ``str``:
    a single character beyond Latin-1 makes CPython store a whole-file string at two bytes
    a character (300 MB for a 157 MB file). Chunks start at ``\\n@``, which no multi-byte
    UTF-8 sequence contains, so they decode exactly as the whole file would. A file that
    is not UTF-8 throughout is decoded whole, line by line, by ``decode_bibtex``."""
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    if b"\r" in body:  # CR is one byte in UTF-8 and cp1252 alike: the same as on the text
        body = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    try:
        with cyclic_gc_paused():
            return _parse_chunks(_byte_chunks(body), path)
    except _NotUtf8:
        pass
    text, problems = decode_bibtex(data, path)
    parsed = parse_bibtex(text, path)
    parsed.problems[:0] = problems
    return parsed


class _NotUtf8(Exception):
    """A chunk of the file is not UTF-8: the file is decoded whole instead."""


def decode_bibtex(data: bytes, path: str) -> tuple[str, list[Problem]]:
    """UTF-8 text; lines that are not UTF-8 are read as cp1252 (Latin-1 where it has gaps)."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text, problems = _decode_line_by_line(data, path)
    else:
        problems = []
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, problems


def _decode_line_by_line(data: bytes, path: str) -> tuple[str, list[Problem]]:
    lines = data.split(b"\n")
    decoded: list[str] = []
    bad: list[tuple[int, int]] = []  # (line number, first bad byte)
    utf8_elsewhere = False
    for number, line in enumerate(lines, 1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            bad.append((number, line[error.start]))
            text = _legacy_decode(line)
        else:
            utf8_elsewhere = utf8_elsewhere or not line.isascii()
        decoded.append(text)
    if utf8_elsewhere:
        # A UTF-8 file with a few damaged lines: name each one.
        problems = [
            Problem(
                path,
                number,
                f"not valid UTF-8 (byte 0x{byte:02x}); read this line as cp1252",
                "warning",
            )
            for number, byte in bad
        ]
    else:
        # No UTF-8 anywhere: a legacy file, as old reference managers wrote them.
        number, byte = bad[0]
        message = f"not valid UTF-8 (byte 0x{byte:02x}); decoded the file as cp1252"
        problems = [Problem(path, number, message, "warning")]
    return "\n".join(decoded), problems


def _legacy_decode(line: bytes) -> str:
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        return line.decode("latin-1")


# ---------------------------------------------------------------------------------------
# Text in: splitting, values, inheritance, papers.


@dataclass(slots=True)
class _Record:
    entry_type: str
    key: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Reader:
    path: str
    problems: list[Problem] = field(default_factory=list)
    macros: dict[str, str] = field(default_factory=lambda: dict(_MONTH_MACROS))
    defined_here: set[str] = field(default_factory=set)
    undefined: set[str] = field(default_factory=set)
    people: dict[str, str] = field(default_factory=dict)  # raw author name -> display name
    names: dict[str, str] = field(default_factory=dict)  # raw field name or type -> canonical
    dates: dict[str, str] = field(default_factory=dict)  # one string per distinct date

    def problem(self, line: int, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.path, line, message, severity))  # type: ignore[arg-type]


def parse_bibtex(text: str, path: str) -> ParsedFile:
    """Papers and problems from BibTeX ``text``; never raises."""
    with cyclic_gc_paused():
        return _parse_bibtex(text, path)


def _parse_bibtex(text: str, path: str, *, fast: bool = True) -> ParsedFile:
    return _parse_chunks(_text_chunks(text), path, fast=fast)


def _parse_chunks(chunks: Iterator[_Chunk], path: str, *, fast: bool = True) -> ParsedFile:
    parsed = ParsedFile(path, FORMAT)
    reader = _Reader(path)
    logged: list[tuple[int, str]] = []
    try:
        # Each block is read as soon as it is split, so its raw field values are freed
        # before the next one is split: at 10^5 entries the file is not held three times.
        records = [
            record
            for block, offset in _blocks(chunks, logged, fast=fast)
            if (record := _read_block(block, offset, reader))
        ]
    except _NotUtf8:
        raise
    except Exception as error:  # a splitter bug on hostile input: say so, do not crash
        parsed.problems.append(Problem(path, 0, f"not readable as BibTeX ({error})"))
        return parsed
    reported = {problem.line for problem in reader.problems}
    for line, message in logged:
        if line not in reported:
            reader.problem(line, f"bibtexparser: {message}", "warning")
    by_key = {record.key.casefold(): record for record in records}
    for record in records:
        if record.entry_type in _NOT_PAPERS:
            continue
        fields = _inherited(record, by_key, reader)
        paper = _paper(record, fields, reader)
        if paper is not None:
            parsed.papers.append(paper)
    parsed.problems.extend(sorted(reader.problems, key=lambda problem: problem.line))
    if not records and not parsed.problems:
        parsed.problems.append(Problem(path, 0, "no BibTeX entries found", "warning"))
    return parsed


class _LogCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        found = _LINE_IN_LOG.search(message)
        line = int(found.group(1)) + 1 if found else 0  # bibtexparser counts from 0
        self.lines.append((line, _one_line(message)))


@contextmanager
def _bibtexparser_log() -> Iterator[_LogCollector]:
    """bibtexparser's log lines, collected instead of printed raw to stderr."""
    logger = logging.getLogger("bibtexparser")
    collector = _LogCollector()
    propagate = logger.propagate
    logger.addHandler(collector)
    logger.propagate = False
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate


# The fast path: a well-formed entry or @string is read by one regex per field, run by the
# regex engine at C speed (possessive quantifiers: no backtracking). Braces nest up to four
# levels inside a value, raw braces counted as BibTeX counts them. Anything else (deeper
# nesting, parentheses, comments, a second block on the same line, broken entries) goes
# to bibtexparser's splitter, one column-0 chunk at a time.
_B0 = r"\{[^{}]*+\}"
_B1 = r"\{(?:[^{}]++|" + _B0 + r")*+\}"
_B2 = r"\{(?:[^{}]++|" + _B1 + r")*+\}"
_B3 = r"\{(?:[^{}]++|" + _B2 + r")*+\}"
_ATOM = r"(?:" + _B3 + r'|"(?:[^"{}]++|' + _B2 + r')*+"|[^\s,#{}"=()]++)'
_FIELD = re.compile(
    r'\s*+([^\s,={}"#()]++)\s*+=\s*+(' + _ATOM + r"(?:\s*+#\s*+" + _ATOM + r")*+)\s*+(,|\})"
)
_ENTRY_HEAD = re.compile(r"@[ \t]*+([A-Za-z]\w*+)[ \t]*+\{\s*+([^,\s{}()=]*+)\s*+,")
_STRING = re.compile(
    r"@[ \t]*+string[ \t]*+\{\s*+([^\s,={}\"#()]++)\s*+=\s*+("
    + _ATOM
    + r"(?:\s*+#\s*+"
    + _ATOM
    + r")*+)\s*+\}",
    re.IGNORECASE,
)
_CLOSING = re.compile(r"\s*+\}")
_SLOW_TYPES = frozenset({"comment", "preamble", "string"})


@dataclass(slots=True)
class _FastEntry:
    """An entry the fast path read whole: fields as (name, raw value) in file order.

    Lighter than bibtexparser's ``Entry``/``Field`` objects, which cost about a quarter of
    the fast path's time at 10^5 entries and were only read back field by field. The
    entry's text is ``text[begin:end]``, not copied."""

    entry_type: str
    key: str
    fields: list[tuple[str, str]]
    text: str
    begin: int
    end: int
    start_line: int


# A chunk of the file: ``text[begin:stop]``, and the number of lines before it. A chunk
# runs from an ``@`` in column 0 to the next one (the first from the start of the file).
_Chunk = tuple[str, int, int, int]


def _split(
    text: str, *, fast: bool = True
) -> tuple[list[tuple[Block | _FastEntry, int]], list[tuple[int, str]]]:
    """Every block of ``text`` at once, and bibtexparser's log lines (see ``_blocks``)."""
    logged: list[tuple[int, str]] = []
    return list(_blocks(_text_chunks(text), logged, fast=fast)), logged


def _blocks(
    chunks: Iterator[_Chunk], logged: list[tuple[int, str]], *, fast: bool = True
) -> Iterator[tuple[Block | _FastEntry, int]]:
    """Blocks in file order, each with the number of lines before its chunk.

    bibtexparser's log lines go to ``logged``. ``fast=False`` sends every chunk to
    bibtexparser's splitter: the reference the fast path is tested against."""
    for text, begin, stop, line in chunks:
        block = _fast_block(text, begin, stop, line) if fast else None
        if block is not None:
            yield block, 0
        elif text.find("@", begin, stop) >= 0:
            chunk_blocks, chunk_log = _slow_split(text[begin:stop])
            logged.extend((number + line, message) for number, message in chunk_log)
            for chunk_block in chunk_blocks:
                yield chunk_block, line


def _text_chunks(text: str) -> Iterator[_Chunk]:
    starts = _chunk_starts(text)
    starts.append(len(text))
    line = 0  # lines before the current chunk
    scanned = 0
    count = text.count
    for begin, stop in pairwise(starts):
        line += count("\n", scanned, begin)
        scanned = begin
        yield text, begin, stop, line


def _byte_chunks(data: bytes) -> Iterator[_Chunk]:
    """The chunks of UTF-8 ``data`` (line ends already ``\\n``), each decoded on its own."""
    starts = _starts(data, b"\n@")
    starts.append(len(data))
    line = 0
    scanned = 0
    count = data.count
    view = memoryview(data)  # slices of a view are not copies
    for begin, stop in pairwise(starts):
        line += count(b"\n", scanned, begin)
        scanned = begin
        try:
            chunk = str(view[begin:stop], "utf-8")
        except UnicodeDecodeError:
            raise _NotUtf8 from None
        yield chunk, 0, len(chunk), line


def _chunk_starts(text: str) -> list[int]:
    """0, then every offset of an ``@`` in column 0 (a chunk runs to the next one)."""
    return _starts(text, "\n@")


def _starts(text: AnyStr, separator: AnyStr) -> list[int]:
    # ``find`` skips to the next candidate at memchr speed; a ``^@`` regex in multiline
    # mode tries every position of a 100 MB file in turn (0.7 s at 10^5 entries).
    starts = [0]
    find = text.find
    position = find(separator)
    while position >= 0:
        starts.append(position + 1)
        position = find(separator, position + 2)
    return starts


def _fast_block(text: str, begin: int, stop: int, line: int) -> Block | _FastEntry | None:
    """The chunk's one entry or @string, or None when the chunk needs the full splitter."""
    head = _ENTRY_HEAD.match(text, begin, stop)
    if head is None:
        found = _STRING.match(text, begin, stop)
        if found is None or "@" in text[found.end() : stop]:
            return None
        from bibtexparser.model import String

        return String(found.group(1), found.group(2), start_line=line, raw=found.group())
    entry_type, key = head.groups()
    if entry_type.casefold() in _SLOW_TYPES:
        return None
    fields: list[tuple[str, str]] = []
    names: set[str] = set()
    position = head.end()
    match_field = _FIELD.match
    while True:
        found = match_field(text, position, stop)
        if found is None:
            closing = _CLOSING.match(text, position, stop)  # a trailing comma before "}"
            if closing is None or not fields:
                return None
            position = closing.end()
            break
        name, value, end = found.groups()
        if name in names:
            return None  # the full splitter reports duplicated fields
        names.add(name)
        fields.append((name, value))
        position = found.end()
        if end == "}":
            break
    if text.find("@", position, stop) >= 0:
        return None  # another block on the same line as this one's end
    return _FastEntry(entry_type, key, fields, text, begin, position, line)


def _slow_split(chunk: str) -> tuple[list[Block], list[tuple[int, str]]]:
    # Imported here: a warm start served from the cache should not pay for it.
    from bibtexparser.splitter import Splitter

    class ColumnZeroSplitter(Splitter):
        """Recovers from a broken entry at the next ``@`` in column 0 only.

        bibtexparser also takes an indented ``@`` for a new entry, which would cut a good
        entry whose note quotes one (our export indents note lines, so they never start
        in column 0).
        """

        def _is_at_line_start(self, pos: int) -> bool:
            return pos == 0 or self.bibstr[pos - 1] == "\n"

    with _bibtexparser_log() as log:
        library = ColumnZeroSplitter(chunk).split()
    return list(library.blocks), log.lines


def _read_block(block: Block | _FastEntry, offset: int, reader: _Reader) -> _Record | None:
    if type(block) is _FastEntry:  # nearly every entry: no bibtexparser types to consult
        line = block.start_line + offset + 1
        return _entry_record(
            block.entry_type,
            block.key,
            block.fields,
            block.text,
            block.begin,
            block.end,
            line,
            reader,
        )
    from bibtexparser.model import (
        DuplicateBlockKeyBlock,
        DuplicateFieldKeyBlock,
        Entry,
        ParsingFailedBlock,
        String,
    )

    line = (block.start_line or 0) + offset + 1
    if isinstance(block, DuplicateFieldKeyBlock | DuplicateBlockKeyBlock):
        inner = block.ignore_error_block
        if isinstance(inner, String):
            _define_string(inner, line, reader)
            return None
        if isinstance(inner, Entry):
            if isinstance(block, DuplicateFieldKeyBlock):
                names = ", ".join(sorted(block.duplicate_keys))
                reader.problem(
                    line,
                    f"entry '{inner.key}': field {names} given twice; the first is used",
                    "warning",
                )
            return _bibtexparser_record(inner, line, reader)
        return None
    if isinstance(block, ParsingFailedBlock):
        _report_failed(block, line, reader)
        return None
    if isinstance(block, String):
        _define_string(block, line, reader)
        return None
    if isinstance(block, Entry):
        return _bibtexparser_record(block, line, reader)
    return None  # comments and preambles


def _report_failed(block: Any, line: int, reader: _Reader) -> None:
    raw = block.raw or ""
    head = _BLOCK_HEAD.match(raw)
    kind, key = (head.group(1).casefold(), head.group(2)) if head else ("", "")
    reason = _one_line(str(getattr(block.error, "abort_reason", block.error)))
    if kind in ("comment", "preamble"):
        return
    if kind == "string":
        reader.problem(line, f"@string could not be read ({reason}); skipped")
    elif not key:
        reader.problem(line, "entry has no citation key; skipped")
    else:
        reader.problem(
            line,
            f"entry '{key}' could not be read (unbalanced braces or quotes, or a missing "
            f"comma? {reason}); skipped",
        )


def _define_string(block: Any, line: int, reader: _Reader) -> None:
    name = block.key.strip().casefold()
    if not name:
        reader.problem(line, "@string without a name; skipped", "warning")
        return
    value = _value(block.value, reader, line)
    if name in reader.defined_here:
        reader.problem(
            line, f"@string '{block.key}' defined again; the later value is used", "warning"
        )
    reader.defined_here.add(name)
    reader.macros[name] = value


def _bibtexparser_record(entry: Any, line: int, reader: _Reader) -> _Record | None:
    fields = [(item.key, item.value) for item in entry.fields]
    raw = entry.raw or ""
    return _entry_record(entry.entry_type, entry.key, fields, raw, 0, len(raw), line, reader)


def _entry_record(
    entry_type: str,
    key: str,
    raw_fields: list[tuple[str, str]],
    text: str,
    begin: int,
    end: int,
    line: int,
    reader: _Reader,
) -> _Record | None:
    """The entry whose raw text is ``text[begin:end]``, or None (with a problem) if it is
    unusable."""
    key = key.strip()
    if not key:
        reader.problem(line, "entry has no citation key; skipped")
        return None
    if text.find("\0", begin, end) >= 0:
        reader.problem(line, f"entry '{key}' contains a NUL byte; skipped")
        return None
    if text.count("{", begin, end) > MAX_BRACE_DEPTH:
        depth = _brace_depth(text[begin:end])
        if depth > MAX_BRACE_DEPTH:
            reader.problem(
                line,
                f"entry '{key}' nests braces {depth} deep (at most {MAX_BRACE_DEPTH}); skipped",
            )
            return None
    record = _Record(_name(entry_type, reader.names), key, line)
    fields = record.fields
    names = reader.names
    for item_key, item_value in raw_fields:
        name = _name(item_key, names)
        if name and name not in fields:  # BibTeX uses the first of duplicated fields
            if item_value[:1] == "{" and item_value[-1:] == "}" and "#" not in item_value:
                fields[name] = item_value[1:-1]  # _value's commonest case, without a call
            else:
                fields[name] = _value(item_value, reader, line)
    return record


def _name(raw: str, names: dict[str, str]) -> str:
    """A field name or entry type in its canonical (stripped, casefolded) form.

    Remembered per file: the 10^5 papers of one file then share one string per field
    name in their ``extra`` dicts, which the cache pickles once instead of every time."""
    name = names.get(raw)
    if name is None:
        name = raw.strip().casefold()
        if len(raw) <= _MEMO_LIMIT:
            names[raw] = name
    return name


def _brace_depth(text: str) -> int:
    depth = deepest = 0
    for match in _BRACE.finditer(text):
        if match.group() == "{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _value(raw: str, reader: _Reader, line: int) -> str:
    """A field value with its delimiters, macros and concatenations resolved."""
    raw = raw.strip()
    if "#" not in raw:
        if len(raw) >= 2 and (raw[0], raw[-1]) in (("{", "}"), ('"', '"')):
            return raw[1:-1]
        return _atom(raw, reader, line)
    return "".join(_atom(part, reader, line) for part in _concatenated(raw))


def _atom(part: str, reader: _Reader, line: int) -> str:
    part = part.strip()
    if len(part) >= 2 and (part[0], part[-1]) in (("{", "}"), ('"', '"')):
        return part[1:-1]
    if not part or part.isdigit():
        return part
    value = reader.macros.get(part.casefold())
    if value is not None:
        return value
    if part.casefold() not in reader.undefined:
        reader.undefined.add(part.casefold())
        reader.problem(line, f"@string '{part}' is not defined; its name is used", "warning")
    return part


def _concatenated(raw: str) -> list[str]:
    """``raw`` split at the ``#`` that are outside braces and quotes."""
    parts: list[str] = []
    depth = 0
    quoted = False
    start = 0
    escaped = False
    for index, char in enumerate(raw):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(raw[start:index])
            start = index + 1
    parts.append(raw[start:])
    return parts


def _inherited(record: _Record, by_key: dict[str, _Record], reader: _Reader) -> dict[str, str]:
    """The record's fields plus those its ``xdata`` and ``crossref`` parents lend it."""
    fields = record.fields
    parents = _parent_keys(fields)
    if not parents:
        return fields
    fields = dict(fields)
    seen = {record.key.casefold()}
    while parents:
        key = parents.pop(0)
        if key.casefold() in seen:
            continue
        seen.add(key.casefold())
        parent = by_key.get(key.casefold())
        if parent is None:
            reader.problem(
                record.line, f"entry '{record.key}': parent entry '{key}' not found", "warning"
            )
            continue
        for name, value in parent.fields.items():
            if name not in fields and name not in _NOT_INHERITED:
                fields[name] = value
        parents.extend(_parent_keys(parent.fields))
    return fields


def _parent_keys(fields: dict[str, str]) -> list[str]:
    keys = [key.strip() for key in fields.get("xdata", "").split(",") if key.strip()]
    crossref = fields.get("crossref", "").strip()
    if crossref:
        keys.append(crossref)
    return keys


def _paper(record: _Record, fields: dict[str, str], reader: _Reader) -> Paper | None:
    key = record.key
    line = record.line
    title = unescape(unprotect_title(_one_line(fields.get("title", "")))) or None
    abstract = unescape(_one_line(fields.get("abstract", "")))
    if title is None and not abstract:
        reader.problem(
            line, f"entry '{key}' has neither a title nor an abstract; skipped", "warning"
        )
        return None
    authors, truncated = split_authors(fields.get("author", ""), reader.people)
    date, precision = _date(fields, key, line, reader)
    if date is not None:
        date = reader.dates.setdefault(date, date)
    extra: dict[str, str] = {}
    for name, value in fields.items():
        if name not in _MAPPED_FIELDS:
            extra[name] = _extra_value(name, value)
    orgs_field = (
        "organization"
        if "organization" in extra
        else "institution"
        if "institution" in extra
        else None
    )
    organisations: tuple[str, ...] = ()
    if orgs_field is not None:
        names = _AUTHOR_SEPARATOR.split(extra.pop(orgs_field))
        organisations = tuple(name for name in names if name)
    arxiv_id = _arxiv_id(extra)
    extra[IMPORTED_KEY] = key
    if record.entry_type != "misc":
        extra[ENTRY_TYPE] = record.entry_type
    if precision:
        extra[DATE_PRECISION] = precision
    category = fields.get("primaryclass") or fields.get("eprintclass") or ""
    return Paper(
        id=paper_id(title, abstract),
        title=title,
        authors=authors,
        abstract=abstract,
        authors_truncated=truncated,
        orgs=organisations,
        category=unescape(_one_line(category)) or None,
        date=date,
        sources=(Source(reader.path, line),),
        extra=extra,
        arxiv_id=arxiv_id,
    )


def _arxiv_id(extra: dict[str, str]) -> str | None:
    """The arXiv id from ``eprint`` or an arXiv ``url``; the fields it replaces go."""
    archive = extra.get("archiveprefix") or extra.get("eprinttype") or ""
    eprint = extra.get("eprint", "")
    arxiv_id: str | None = None
    if eprint and archive.casefold() == "arxiv":
        arxiv_id = eprint.removeprefix("arXiv:").removeprefix("arxiv:")
        for name in ("eprint", "archiveprefix", "eprinttype"):
            extra.pop(name, None)
    url = extra.get("url", "")
    found = _ARXIV_URL.fullmatch(url) if url else None
    if found and arxiv_id is None:
        arxiv_id = found.group(1)
    if arxiv_id is not None and url == arxiv_url(arxiv_id):
        del extra["url"]
    return arxiv_id


def split_authors(value: str, memo: dict[str, str] | None = None) -> tuple[tuple[str, ...], bool]:
    """("First Last", ...) and whether the list ended in ``others``.

    ``memo`` maps raw names to display names already decoded during one parse: a
    bibliography names the same people paper after paper, and equal names then also share
    one string in memory and in the cache."""
    raw_names = _split_top_level(_one_line(value))
    # Only a bare "others" means "and more"; "{others}" is a person or group of that name.
    truncated = bool(raw_names) and raw_names[-1].casefold() == "others"
    if truncated:
        raw_names.pop()
    if memo is None:
        names = [_person(name) for name in raw_names]
    else:
        remembered = memo.get
        names = []
        for name in raw_names:
            person = remembered(name)
            if person is None:
                person = _person(name)
                if len(name) <= _MEMO_LIMIT:  # hostile 100 KB "names" are not kept
                    memo[name] = person
            names.append(person)
    return tuple(filter(None, names)), truncated


def _person(name: str) -> str:
    return unescape(decode_name_accents(_display_name(name)))


def _split_top_level(value: str) -> list[str]:
    """``value`` split at ``and`` outside braces, as BibTeX splits author lists."""
    pieces = _AUTHOR_SEPARATOR.split(value)
    # An "and" is inside a group exactly when a piece before it leaves a brace open, so a
    # list whose pieces all balance (most lists, accents included) splits at every "and".
    if "{" in value and not all(piece.count("{") == piece.count("}") for piece in pieces[:-1]):
        pieces = _split_outside_braces(value)
    return [stripped for piece in pieces if (stripped := piece.strip())]


def _split_outside_braces(value: str) -> list[str]:
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
    return names


def _depth(text: str, start: int, end: int) -> int:
    return text.count("{", start, end) - text.count("}", start, end)


def _display_name(name: str) -> str:
    if "," not in name:
        return name[1:-1].strip() if _is_wholly_braced(name) else name
    if "{" not in name:
        parts = [part.strip() for part in name.split(",")]
    elif _is_wholly_braced(name):
        return name[1:-1].strip()
    else:
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
    if not (text[:1] == "{" and text[-1:] == "}"):
        return False
    depth = 0
    for index, char in enumerate(text):
        depth += char == "{"
        depth -= char == "}"
        if depth == 0 and index < len(text) - 1:
            return False
    return True


def _date(
    fields: dict[str, str], key: str, line: int, reader: _Reader
) -> tuple[str | None, str | None]:
    """(ISO date, "month" | "year" | None when the day is real or there is no date)."""
    date = fields.get("date")
    iso = _ISO_DATE.fullmatch(_one_line(date)) if date else None
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
        reader.problem(line, f"entry '{key}': year '{year_text}' is not a year", "warning")
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
    if name in VERBATIM_FIELDS:
        return _one_line(value)
    if name == "annote":  # a note: keep its lines, drop the export's indentation
        return unescape("\n".join(line.strip() for line in value.strip().splitlines()))
    return unescape(_one_line(value))


def _one_line(text: str) -> str:
    if "  " not in text and "\n" not in text and "\t" not in text:
        return text.strip()
    return _WHITESPACE.sub(" ", text).strip()
