"""The one place that decides which characters of untrusted text may leave reader.

Titles, abstracts, author names, tags and notes come from pasted files and from users. Any of
them may carry characters that act on whatever shows them instead of being shown:

- terminal escape sequences: CSI (``ESC [ ... m`` colours, ``ESC [ 2 J`` clear screen), OSC
  (``ESC ] 0 ; title BEL`` window titles, ``ESC ] 8`` hyperlinks, ``ESC ] 52`` clipboard
  writes), DCS/SOS/PM/APC strings, and their 8-bit C1 forms (``\\x9b`` is a CSI by itself);
- the other C0 and C1 control characters, NUL and DEL;
- bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), which
  reorder what is displayed so that text reads differently from what it is: the "Trojan
  source" attack (CVE-2021-42574);
- lone surrogates from broken decoding, which no UTF-8 writer accepts.

Every layer that writes text out (CLI output, BibTeX, Markdown, the app) uses this module, so
the rule is the same everywhere. It imports nothing from reader: any layer may depend on it.
Two policies share the one character set:

- ``strip_unsafe`` removes: for exports and command output, where the text must simply be
  clean. Whole escape sequences go (not just their ESC), so no ``[31m`` debris is left.
- ``show_unsafe`` replaces one for one with visible stand-ins (the "control pictures" block,
  U+FFFD for C1, bidi controls and surrogates): for the app, which computes highlight
  offsets on the original text and needs them to still line up.

Rich markup such as ``[bold]`` is not this module's business: it is harmless as long as data
only ever goes into ``rich.text.Text`` objects, never into markup strings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

# The characters that must never leave reader as they are, as the body of a regex character
# class, so that callers with a fast path (``export.plain_text.one_line``) can test for them in
# the same single scan as their own characters. Tab (\x09) and newline (\x0a) are included:
# which of them survive depends on the context.
UNSAFE_CLASS = (
    "\x00-\x1f\x7f-\x9f"  # C0, DEL, C1
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi controls
    "\u2028\u2029"  # line and paragraph separators: line breaks to some readers, not others
    "\ud800-\udfff"  # lone surrogates
)
_UNSAFE = re.compile(f"[{UNSAFE_CLASS}]")

# Escape sequences as ECMA-48 defines them, in 7-bit (ESC ...) and 8-bit (C1) forms. A control
# string (OSC, DCS, SOS, PM, APC) runs to its terminator (BEL or ST); one without a terminator
# is left to the character pass, which removes its introducer and makes the rest inert text.
# The string body excludes ESC and the 8-bit introducers, so a scan never runs past the next
# escape: hostile text full of unterminated introducers still takes linear time.
_SEQUENCE = re.compile(
    # control strings: OSC, DCS, SOS, PM, APC up to BEL or ST
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x90\x98\x9c-\x9f]*(?:\x07|\x1b\\|\x9c)"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[ -/]*[0-~]"  # two-character and nF escapes (ESC 7, ESC c, ESC ( B)
)
_SURROGATE = re.compile("[\ud800-\udfff]")
# Every spelling of a line break becomes "\n" (or a space where lines are not kept).
_LINE_BREAK = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_REMOVE_ALL = re.compile(f"[{UNSAFE_CLASS}]")
_REMOVE_KEEP_TAB = re.compile(f"(?!\t)[{UNSAFE_CLASS}]")
_REMOVE_KEEP_NEWLINE = re.compile(f"(?!\n)[{UNSAFE_CLASS}]")
_REMOVE_KEEP_BOTH = re.compile(f"(?![\t\n])[{UNSAFE_CLASS}]")
_REMOVERS = {
    (False, False): _REMOVE_ALL,
    (False, True): _REMOVE_KEEP_TAB,
    (True, False): _REMOVE_KEEP_NEWLINE,
    (True, True): _REMOVE_KEEP_BOTH,
}


def has_unsafe(text: str) -> bool:
    """True when ``text`` holds any character this module would remove or replace."""
    return not text.isprintable() and _UNSAFE.search(text) is not None


def strip_unsafe(text: str, *, keep_newlines: bool = True, keep_tabs: bool = True) -> str:
    """``text`` without escape sequences, control, bidi or surrogate characters.

    Line breaks of every kind become ``\\n`` with ``keep_newlines``, otherwise a space; tabs
    stay with ``keep_tabs``, otherwise they become a space. Lone surrogates become U+FFFD so
    the text can be encoded. Everything else, every letter, emoji and space, is kept.
    """
    # The common case, no copy: every unsafe character is non-printable for Python, and
    # isprintable() scans about twice as fast as the regex.
    if text.isprintable() or _UNSAFE.search(text) is None:
        return text
    if "\x1b" in text or _C1_INTRODUCER.search(text):
        text = _SEQUENCE.sub("", text)
    text = _SURROGATE.sub("\ufffd", text)
    text = _LINE_BREAK.sub("\n" if keep_newlines else " ", text)
    if not keep_newlines:
        text = text.replace("\n", " ")
    if not keep_tabs:
        text = text.replace("\t", " ")
    return _REMOVERS[keep_newlines, keep_tabs].sub("", text)


_C1_INTRODUCER = re.compile("[\x90\x98\x9b\x9d\x9e\x9f]")


def safe_line(text: str) -> str:
    """``strip_unsafe`` for a single line of output: line breaks and tabs become spaces."""
    return strip_unsafe(text, keep_newlines=False, keep_tabs=False)


# ----------------------------------------------------------------------------- the app's policy

_CONTROL_PICTURES_START = 0x2400  # U+2400 SYMBOL FOR NULL; U+241B is the symbol for ESC
_DELETE_PICTURE = "\u2421"
_REPLACEMENT = "\ufffd"


def _visible_table(*, keep_newlines: bool) -> dict[int, str]:
    table: dict[int, str] = {code: chr(_CONTROL_PICTURES_START + code) for code in range(0x20)}
    table[0x7F] = _DELETE_PICTURE
    for code in range(0x80, 0xA0):
        table[code] = _REPLACEMENT
    for char in BIDI_CONTROLS:
        table[ord(char)] = _REPLACEMENT
    for code in range(0xD800, 0xE000):
        table[code] = _REPLACEMENT
    # Whitespace-like controls become a space; a line break survives only in a block.
    for char in "\t\r\x0b\x0c\u2028\u2029\x85":
        table[ord(char)] = " "
    table[ord("\n")] = "\n" if keep_newlines else " "
    return table


_VISIBLE_LINE = _visible_table(keep_newlines=False)
_VISIBLE_BLOCK = _visible_table(keep_newlines=True)


def show_unsafe(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every unsafe character replaced one for one by a visible, inert stand-in.

    The length and every character offset stay the same, so spans computed on the original
    (search highlights) still line up. An escape sequence shows as ``␛[31m``: its ESC is
    replaced, the rest is ordinary text.
    """
    if text.isprintable() or _UNSAFE.search(text) is None:
        return text
    return text.translate(_VISIBLE_BLOCK if keep_newlines else _VISIBLE_LINE)


# ------------------------------------------------------------------------ JSON, losslessly

# What ``json.dumps(..., ensure_ascii=False)`` leaves raw that a terminal or editor would act
# on. C0 controls are absent from this class: json escapes them inside strings itself, and
# outside strings the only ones are the newlines of ``indent``, which must stay.
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)


def json_safe(json_text: str) -> str:
    """JSON text (from ``json.dumps``) with every unsafe character spelled ``\\uXXXX``.

    JSON is data, so nothing is removed: a reader of the JSON gets the exact string back,
    while a terminal showing it sees only ASCII escapes. Outside strings, ``json.dumps``
    writes none of these characters, so every match is inside a string, where the escape is
    valid (lone surrogates included: Python's json reads them back).
    """
    if _JSON_UNSAFE.search(json_text) is None:
        return json_text
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", json_text)


def json_chunks(value: object, *, indent: int | None = 1) -> Iterator[str]:
    """``value`` as JSON text in pieces (as ``json.dump`` writes it), each ``json_safe``.

    Streaming keeps a whole-corpus ``reader parse --json`` from building one huge string.
    Every string literal is one piece, so no unsafe character is split from its string.
    """
    for chunk in json.JSONEncoder(ensure_ascii=False, indent=indent).iterencode(value):
        yield json_safe(chunk)
