r"""The text rules the BibTeX export writes and the import reads back, kept in one place.

The export escapes listing text (``bibtex_escape``) and protects the case of titles; the
import must undo exactly that, or a round trip gains backslashes and braces. Both sides
therefore use the functions here:

- ``brace_groups`` finds the top-level brace groups of a title and says which are the
  argument of a command (``\emph{x}``, ``\'{e}``, ``\frac{a}{b}``): those are LaTeX and stay.
- ``protect_case`` (export) wraps words, math and capitalised commands in braces, and gives
  every other top-level group of the source one more pair. ``unprotect_title`` (import)
  removes one pair from every top-level group that is no argument and no ``{\em ..}``
  scope. One added, one removed: the title comes back as it was.
- ``unescape`` (import) turns the spellings the escaper writes for bare specials back into
  the characters (``\%`` -> ``%``, ``\textasciicircum{}`` -> ``^``). Specials that were
  already escaped in the source are written braced (``{\%}``) by the export, and
  ``unescape`` turns those back into ``\%``: both spellings survive the round trip.
- ``decode_name_accents`` (import) turns LaTeX accents in author names into letters
  (``C{\'e}sar`` -> ``César``): names are shown, searched and exported as Unicode.

Everything here is a linear, iterative scan: no recursion, whatever the nesting depth.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL_WORD = re.compile(r"\\[A-Za-z]+")
# Control symbols that are accents and take an argument like control words do.
ACCENT_SYMBOLS = frozenset("'\"^`~=.")
_INTERESTING = re.compile(r"[\\${}]")
_ESCAPE_PAIR_OR_DOLLAR = re.compile(r"\\.|\$", re.DOTALL)
_ESCAPE_PAIR_OR_DOUBLE_DOLLAR = re.compile(r"\\.|\$\$", re.DOTALL)
_ESCAPE_PAIR = re.compile(r"\\.", re.DOTALL)
_BRACE_OR_ESCAPE = re.compile(r"\\.|[{}]", re.DOTALL)
# Balanced, unnested groups and no stray brace: "{GAN}s for {3D} {DINOv2}".
_FLAT_GROUPS = re.compile(r"[^{}]*+(?:\{[^{}]*+\}[^{}]*+)*+")
_LONE_COMMAND = re.compile(r"\\[A-Za-z]+(?:\{\})?")

GROUP = 0
MATH = 1


class Token:
    """A top-level group or math span in a title: ``text[start:end]``."""

    __slots__ = ("argument", "end", "kind", "start")

    def __init__(self, kind: int, start: int, end: int, argument: bool) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.argument = argument


def top_level_tokens(text: str) -> list[Token]:
    """Top-level brace groups and math spans of ``text``, left to right.

    A group is an argument when it follows a control word (spaces allowed between), an
    accent control symbol, or directly the closing brace of another argument.
    """
    tokens: list[Token] = []
    length = len(text)
    command_end = -1  # where the last control word or accent ended
    argument_end = -1  # where the last argument group ended
    position = 0
    while True:
        found = _INTERESTING.search(text, position)
        if found is None:
            return tokens
        index = found.start()
        char = text[index]
        if char == "\\":
            following = text[index + 1 : index + 2]
            word = _CONTROL_WORD.match(text, index)
            if word is not None:
                position = command_end = word.end()
                continue
            if following in ("(", "["):
                closer = "\\)" if following == "(" else "\\]"
                end = _find_escaped(text, closer, index + 2)
                if end is not None:
                    argument = _at_argument(text, index, command_end, argument_end)
                    tokens.append(Token(MATH, index, end + 2, argument))
                    position = end + 2
                    continue
            position = index + 2
            if following in ACCENT_SYMBOLS:
                command_end = position
            continue
        if char == "$":
            double = text.startswith("$$", index)
            pattern = _ESCAPE_PAIR_OR_DOUBLE_DOLLAR if double else _ESCAPE_PAIR_OR_DOLLAR
            closer = "$$" if double else "$"
            end = _find_closer(text, pattern, closer, index + len(closer))
            if end is None:
                position = index + len(closer)
                continue
            stop = end + len(closer)
            argument = _at_argument(text, index, command_end, argument_end)
            tokens.append(Token(MATH, index, stop, argument))
            position = stop
            continue
        if char == "}":  # a stray closing brace (only in files we did not write)
            position = index + 1
            continue
        close = _matching_brace(text, index)
        if close is None:  # unbalanced to the end: nothing more is top level
            return tokens
        argument = _at_argument(text, index, command_end, argument_end)
        tokens.append(Token(GROUP, index, close + 1, argument))
        if argument:
            argument_end = close + 1
        position = close + 1
        if position >= length:
            return tokens


def _at_argument(text: str, index: int, command_end: int, argument_end: int) -> bool:
    if index == argument_end:
        return True
    if command_end < 0 or command_end > index:
        return False
    return command_end == index or text[command_end:index].isspace()


def _matching_brace(text: str, start: int) -> int | None:
    depth = 0
    for match in _BRACE_OR_ESCAPE.finditer(text, start):
        piece = match.group()
        if piece == "{":
            depth += 1
        elif piece == "}":
            depth -= 1
            if depth == 0:
                return match.start()
    return None


def _find_closer(text: str, pattern: re.Pattern[str], closer: str, start: int) -> int | None:
    for match in pattern.finditer(text, start):
        if match.group() == closer:
            return match.start()
    return None


def _find_escaped(text: str, closer: str, start: int) -> int | None:
    for match in _ESCAPE_PAIR.finditer(text, start):
        if match.group() == closer:
            return match.start()
    return None


def is_scope(content: str) -> bool:
    r"""``{\em text}``: a group opening with a command that switches a style for its text."""
    return (
        content[:1] == "\\"
        and content[1:2].isascii()
        and content[1:2].isalpha()
        and _LONE_COMMAND.fullmatch(content) is None
    )


def unprotect_title(title: str) -> str:
    """``title`` without the braces BibTeX uses only to protect case (one pair per group)."""
    if "{" not in title:
        return title
    if "\\" not in title and "$" not in title and _FLAT_GROUPS.fullmatch(title):
        # Without commands or math no group is an argument, a scope or inside math, and
        # without nesting every brace belongs to a top-level group: all of them go.
        return title.replace("{", "").replace("}", "")
    return _unprotect_groups(title)


def _unprotect_groups(title: str) -> str:
    """``unprotect_title`` for any title: one pair off every top-level group that is no
    argument and no scope."""
    pieces: list[str] = []
    position = 0
    for token in top_level_tokens(title):
        if token.kind != GROUP or token.argument:
            continue
        content = title[token.start + 1 : token.end - 1]
        if is_scope(content):
            continue
        pieces.append(title[position : token.start])
        pieces.append(content)
        position = token.end
    if not pieces:
        return title
    pieces.append(title[position:])
    return "".join(pieces)


# Capital letters of the Basic Multilingual Plane, for the regex below (``re`` has no \p{Lu}).
_CAPITALS = "".join(chr(code) for code in range(0x10000) if chr(code).isupper())
_CAPITAL = re.compile(f"[{re.escape(_CAPITALS)}]")
# A whole word (letters and digits) with a capital after its first character: DINOv2, 3D.
_CASED_WORD = re.compile(f"(?<![^\\W_])[^\\W_][^\\W_]*?[{re.escape(_CAPITALS)}][^\\W_]*")
_RUN_PIECE = re.compile(r"\\[A-Za-z]+|\\.|[^\\]+", re.DOTALL)


def protect_case(text: str) -> str:
    r"""Braces that keep BibTeX styles from lower-casing ``text`` (an escaped title).

    Words with a capital after their first character, math, and capitalised commands that
    take no argument are wrapped; every other top-level group gets one more pair, so that
    ``unprotect_title`` can remove exactly one pair from every group. Nothing is wrapped
    where the new braces would become a command's argument.
    """
    out: list[str] = []
    command_end = -1
    argument_end = -1
    position = 0
    skip_until = -1
    for token in top_level_tokens(text):
        if token.start < skip_until:
            continue
        if token.start > position:
            command_end, skip_until = _protect_run(
                text, position, token.start, out, command_end, argument_end
            )
            if skip_until > token.start:
                position = skip_until
                continue
        group = text[token.start : token.end]
        if token.argument or _after_backslash(text, token.start):
            out.append(group)
            if token.kind == GROUP:
                argument_end = token.end
        elif token.kind == GROUP and is_scope(group[1:-1]):
            out.append(group)
        else:
            out.append("{" + group + "}")
        position = token.end
    if position < len(text):
        _protect_run(text, position, len(text), out, command_end, argument_end)
    return "".join(out)


def _protect_run(
    text: str, start: int, stop: int, out: list[str], command_end: int, argument_end: int
) -> tuple[int, int]:
    """Protect the top-level text between two tokens; (command end, skipped up to)."""
    skip_until = -1
    for piece_match in _RUN_PIECE.finditer(text, start, stop):
        piece = piece_match.group()
        begin, end = piece_match.start(), piece_match.end()
        if piece[0] == "\\":
            if piece[1:2].isascii() and piece[1:2].isalpha():
                wrap_to = _argumentless_end(text, end)
                if (
                    wrap_to is not None
                    and _CAPITAL.search(piece)
                    and not _at_argument(text, begin, command_end, argument_end)
                ):
                    out.append("{" + text[begin:wrap_to] + "}")
                    if wrap_to > end:  # the "{}" after the command went inside the wrap
                        return -1, wrap_to
                    command_end = -1
                    continue
                command_end = end
            elif piece[1:2] in ACCENT_SYMBOLS:
                command_end = end
            out.append(piece)
            continue
        first = _CASED_WORD.search(piece)
        if first is None:
            out.append(piece)
            continue
        protected_from = 0
        if _at_argument(text, begin + first.start(), command_end, argument_end) or (
            first.start() == 0 and _after_backslash(text, begin)
        ):
            protected_from = first.end()  # that word is the argument of a command
        out.append(piece[:protected_from] + _CASED_WORD.sub(r"{\g<0>}", piece[protected_from:]))
    return command_end, skip_until


def _after_backslash(text: str, index: int) -> bool:
    # Only "\\\\" ends in a backslash; a brace after it would read as escaped to bibtexparser.
    return index > 0 and text[index - 1] == "\\"


def _argumentless_end(text: str, end: int) -> int | None:
    """Where a control word ending at ``end`` ends with its empty ``{}``, if it takes none."""
    if end >= len(text):
        return end
    if text.startswith("{}", end):
        return end + 2 if not text.startswith("{", end + 2) else None
    if text[end].isspace():
        return None if text[end:].lstrip().startswith("{") else end
    return None


_UNESCAPE = re.compile(
    r"\{\\([%&#_$])\}"  # a special the source had escaped already
    r"|\{\\(textbraceleft|textbraceright|lbrace|rbrace)\}"  # an unpaired escaped brace
    r"|\\(textasciicircum|textasciitilde|textbraceleft|textbraceright|lbrace|rbrace)\{\}"
    r"|\\(?:text)?backslash\{\}(?![A-Za-z])"
    r"|\\([%&#_$])"
    r"|(\\\\)\\relax(?![A-Za-z])"  # a line break the export kept away from a brace
    r"|\\.",
    re.DOTALL,
)
_SPELLED = {
    "textasciicircum": "^",
    "textasciitilde": "~",
    "textbraceleft": "{",
    "textbraceright": "}",
    "lbrace": "{",
    "rbrace": "}",
}
_ESCAPED_BRACE = {"textbraceleft": "\\{", "lbrace": "\\{", "textbraceright": "\\}", "rbrace": "\\}"}


def _unescape_match(match: re.Match[str]) -> str:
    escaped_special, escaped_brace, spelled, bare = (
        match.group(1),
        match.group(2),
        match.group(3),
        match.group(4),
    )
    if escaped_special:
        return "\\" + escaped_special
    if escaped_brace:
        return _ESCAPED_BRACE[escaped_brace]
    if spelled:
        return _SPELLED[spelled]
    if bare:
        return bare
    if match.group(5):
        return "\\\\"
    text = match.group()
    return "\\" if text.endswith("backslash{}") else text


def unescape(text: str) -> str:
    """The listing spelling of escaped BibTeX text: exactly what the escaper added goes.

    The same as ``_UNESCAPE.sub(_unescape_match, text)``, but the regex is only tried where
    it can match: at each backslash and at a ``{`` just before one. ``re.sub`` tries it at
    every position of a 1 kB abstract (30 ns a character: 1 s at 10^5 entries); every
    match begins with a backslash or with ``{\\``, so the result is the same (tested)."""
    find = text.find
    backslash = find("\\")
    if backslash < 0:
        return text
    match = _UNESCAPE.match
    pieces: list[str] = []
    done = 0  # text[:done] is in pieces
    while backslash >= 0:
        found = None
        if backslash > done and text[backslash - 1] == "{":
            found = match(text, backslash - 1)  # only "{\\%}"-like forms can match there
        if found is None:
            found = match(text, backslash)
        if found is None:  # a lone backslash at the very end
            break
        pieces.append(text[done : found.start()])
        pieces.append(_unescape_match(found))
        done = found.end()
        backslash = find("\\", done)
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


_COMBINING = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "d": "\u0323",
    "b": "\u0331",
    "r": "\u030a",
}
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "i": "ı",
    "j": "ȷ",
}
_BASE = r"(?:\\(?:i|j)(?![A-Za-z])|[A-Za-z])"
# Both patterns first consume an escaped backslash ("\\", a line break), so that the
# character after it is never read as an accent or letter command ("\\^D" is no D̂).
_ACCENT = re.compile(
    r"\\\\|(\{)?\\(?:([" + re.escape("'`^\"~=.") + r"])\s*|([uvHckdbr])(?=[\s{]))\s*"
    r"(?:\{(" + _BASE + r")\}|(" + _BASE + r"))(?(1)\})"
)
_LETTER = re.compile(
    r"\\\\|(\{)?\\(ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i|j)(?![A-Za-z])(?:\{\}|(?(1)|\s?))(?(1)\})"
)


def _accented(match: re.Match[str]) -> str:
    accent = match.group(2) or match.group(3)
    if accent is None:  # an escaped backslash
        return match.group()
    base = match.group(4) or match.group(5)
    if base in ("\\i", "\\j"):
        base = base[1]
    return unicodedata.normalize("NFC", base + _COMBINING[accent])


def _letter(match: re.Match[str]) -> str:
    letter = match.group(2)
    return match.group() if letter is None else _LETTERS[letter]


def decode_name_accents(name: str) -> str:
    r"""``Jean C{\'e}sar{\"u}`` -> ``Jean Césarü``; anything else stays as written."""
    if "\\" not in name:
        return name
    name = _ACCENT.sub(_accented, name)
    if "\\" in name:
        name = _LETTER.sub(_letter, name)
    return name
