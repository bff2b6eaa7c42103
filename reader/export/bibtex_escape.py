r"""Raw listing text turned into BibTeX field values that BibTeX and LaTeX both accept.

Listing text is "LaTeX-ish": a few abstracts carry real LaTeX (``$+60\%$``, ``\emph{..}``,
``B\'{e}zier``, ``e.g.~SMPL``), most are plain text with bare specials (``40% of``,
``Bowman & al.``, ``DA_IC-GAN``, ``L^p``). The rules, applied in one left-to-right pass:

- LaTeX already in the text is kept. Control words (``\emph``) and control symbols (``\%``,
  ``\'``) pass through, and so do math spans ``$..$``, ``$$..$$``, ``\(..\)`` and ``\[..\]``.
  Inside math only ``%``, ``&``, ``#`` and a stray ``$`` are escaped: they break math too.
- Outside math, bare ``% & # _`` get a backslash, ``^`` becomes ``\textasciicircum{}``, a
  ``$`` without a closing partner becomes ``\$`` and a ``\`` that starts no command becomes
  ``\textbackslash{}``. ``\url{..}`` keeps a plain address verbatim.
- ``~`` is LaTeX's tie when it joins two non-space characters or precedes a command or
  group (``e.g.~SMPL``, ``~\citep``); elsewhere (``~5%``, a lone ``~``) it is a literal tilde.
- Braces: BibTeX counts every brace character, backslashed or not, so the output must balance
  as raw characters. Braces pair like a stack within one context (the text, or one math
  span), ``{`` with ``}`` and ``\{`` with ``\}``. A brace left without a partner is written
  as a command that prints it (``\textbraceleft{}``, in math ``\rbrace{}``), so it can no longer
  unbalance anything.
- Control characters (ANSI colour codes, NUL, ...) are dropped, lone surrogates become
  U+FFFD, and whitespace collapses to single spaces (notes keep their line breaks).
- Everything else, non-ASCII letters and emoji included, is written unchanged: output is
  UTF-8, which biber/biblatex and LaTeX's default UTF-8 input read, and BibTeX passes through.

With ``protect_case`` (titles), words BibTeX styles must not lower-case (acronyms, CamelCase:
any capital after a word's first character), math and argument-less capitalised control
words at brace depth 0 are wrapped in braces; never right after a command, where the braces
would become its argument.

The import undoes exactly this (``reader.parsing.bibtex_text``): a special the source had
escaped already (``\%``, ``\{`` left unpaired) is written braced (``{\%}``,
``{\textbraceleft}``), so that it reads back differently from a bare one (``\%``,
``\textbraceleft{}``); a ``\\`` line break before a brace or the end of the value gets
``\relax`` (bibtexparser would take the brace after it for an escaped one); and title groups
get one protection pair that the import removes. The only source text two spellings share
is a group holding nothing but one bare special (``{%}`` and ``\%`` both give ``{\%}``).
"""

from __future__ import annotations

import re

from reader.export.plain_text import one_line, paragraphs
from reader.model.sanitize import strip_unsafe
from reader.parsing.bibtex_text import protect_case as protect_title_case

_SPECIAL = re.compile(r"[\\{}$%&#_^~]")
_MATH_SPECIAL = re.compile(r"[\\{}$%&#]")
_CONTEXT_SENSITIVE = re.compile(r"[\\{}$~]")
_CONTROL_WORD = re.compile(r"\\[A-Za-z]+")
_URL_ARGUMENT = re.compile(r"\\url\{([^\s{}\\%#]+)\}")
_ESCAPE_PAIR = re.compile(r"\\.", re.DOTALL)
_ESCAPE_OR_DOLLAR = re.compile(r"\\.|\$", re.DOTALL)
_ESCAPE_OR_DOUBLE_DOLLAR = re.compile(r"\\.|\$\$", re.DOTALL)

# ASCII punctuation after a backslash makes a control symbol (``\%``, ``\'``, ``\\``).
_CONTROL_SYMBOLS = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ ")
# Bare specials with one fixed spelling (``_MATH_SPECIAL`` keeps ``_`` and ``^`` out of math).
_SIMPLE_ESCAPES = {"%": "\\%", "&": "\\&", "#": "\\#", "_": "\\_", "^": "\\textasciicircum{}"}
# Control symbols that are accents: without a following character they would swallow ``}``.
_ACCENTS = frozenset("'\"^~=.`")
# Control symbols for specials the escaper also writes for the bare character.
_ESCAPED_IN_SOURCE = frozenset("%&#_$")

_TEXT = 0
_COMMAND = 1
_MATH = 2
_OPEN = 3
_CLOSE = 4


def clean_text(text: str, *, keep_newlines: bool = False) -> str:
    """Printable text with whitespace collapsed; notes keep single line breaks."""
    if not keep_newlines:
        return one_line(text)
    # A blank line inside a field becomes \par in the .bbl, which some styles choke on.
    return "\n".join(line for block in paragraphs(text) for line in block)


def escape_field(text: str, *, protect_case: bool = False, keep_newlines: bool = False) -> str:
    """``text`` as the inside of a brace-delimited BibTeX field value (braces balanced)."""
    text = strip_unsafe(text)  # escapes, controls, bidi: the rule every export shares
    text = clean_text(text, keep_newlines=keep_newlines)
    if protect_case or _CONTEXT_SENSITIVE.search(text):
        return _Escaper(text, math=False).run(protect_case=protect_case)
    # No braces, math, backslashes or ties: each special has one spelling (most abstracts).
    for char, escaped in _SIMPLE_ESCAPES.items():
        if char in text:
            text = text.replace(char, escaped)
    return text


def braces_balance(text: str) -> bool:
    """True when every brace character closes one opened before it, as BibTeX counts them."""
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


class _Escaper:
    """One pass over one context (the whole text, or the inside of one math span)."""

    def __init__(self, text: str, *, math: bool) -> None:
        self.text = text
        self.math = math
        self.pieces: list[str] = []
        self.kinds: list[int] = []
        # Open braces waiting for a partner: (index into pieces, was it backslashed?).
        self.open_braces: list[tuple[int, bool]] = []
        # Math delimiters already known to have no closer after some earlier position,
        # hence after any later one: remembering this keeps the pass linear.
        self.unclosed: set[str] = set()

    def emit(self, piece: str, kind: int = _COMMAND) -> None:
        self.pieces.append(piece)
        self.kinds.append(kind)

    def run(self, *, protect_case: bool = False) -> str:
        text = self.text
        search = (_MATH_SPECIAL if self.math else _SPECIAL).search
        pieces, kinds = self.pieces, self.kinds
        position = 0
        while True:
            found = search(text, position)
            if found is None:
                if position < len(text):
                    pieces.append(text[position:])
                    kinds.append(_TEXT)
                break
            start = found.start()
            if start > position:
                pieces.append(text[position:start])
                kinds.append(_TEXT)
            char = text[start]
            # The common bare specials inline: this loop runs over every abstract exported.
            if char in _SIMPLE_ESCAPES:
                pieces.append(_SIMPLE_ESCAPES[char])
                kinds.append(_COMMAND)
                position = start + 1
            else:
                position = self.handle(char, start)
        for index, escaped in self.open_braces:
            self.unpaired(index, escaped, opening=True)
        self.separate_line_breaks()
        if protect_case:
            return protect_title_case("".join(pieces))
        return "".join(pieces)

    def separate_line_breaks(self) -> None:
        """``\\\\`` before a brace or the end of the value becomes ``\\\\\\relax``.

        bibtexparser takes a brace right after a backslash (the field's closing brace
        included) for an escaped one; ``\\relax`` keeps the line break and sets it apart.
        """
        pieces = self.pieces
        following = ""
        for index in range(len(pieces) - 1, -1, -1):
            piece = pieces[index]
            if piece == "\\\\" and following[:1] in ("", "{", "}"):
                pieces[index] = "\\\\\\relax"
            if piece:
                following = pieces[index]

    def handle(self, char: str, start: int) -> int:
        """Emit the output for the special character at ``start``; return where to go on."""
        if char == "\\":
            return self.backslash(start)
        if char == "{":
            self.open_brace(escaped=False)
            return start + 1
        if char == "}":
            self.close_brace(escaped=False)
            return start + 1
        if char == "$":
            return self.dollar(start)
        if char in _SIMPLE_ESCAPES:
            self.emit(_SIMPLE_ESCAPES[char])
        else:  # "~"
            self.emit("~" if self.is_tie(start) else "\\textasciitilde{}")
        return start + 1

    def backslash(self, start: int) -> int:
        text = self.text
        following = text[start + 1 : start + 2]
        if following.isascii() and following.isalpha():
            if not self.math:
                url = _URL_ARGUMENT.match(text, start)
                if url:
                    self.emit(url.group())
                    return url.end()
            word = _CONTROL_WORD.match(text, start)
            assert word is not None  # a letter follows the backslash
            self.emit(word.group())
            return word.end()
        if following in ("(", "[") and not self.math:
            closer = "\\)" if following == "(" else "\\]"
            end = self.find_escaped_closer(closer, start + 2)
            if end is not None:
                self.emit_math("\\" + following, text[start + 2 : end], closer)
                return end + 2
        elif following in ("{", "}"):
            if following == "{":
                self.open_brace(escaped=True)
            else:
                self.close_brace(escaped=True)
            return start + 2
        elif following in _CONTROL_SYMBOLS and following not in "()[]":
            if following in _ESCAPED_IN_SOURCE:
                # Braced, so that the import can tell it from a bare special we escaped.
                self.emit("{\\" + following + "}")
                return start + 2
            at_end = start + 2 >= len(text)
            if following not in _ACCENTS or not at_end:
                self.emit("\\" + following)
                return start + 2
        self.emit("\\backslash{}" if self.math else "\\textbackslash{}")
        return start + 1

    def dollar(self, start: int) -> int:
        if self.math:
            self.emit("\\$")
            return start + 1
        text = self.text
        if text.startswith("$$", start):
            end = self.find_closer("$$", _ESCAPE_OR_DOUBLE_DOLLAR, start + 2)
            if end is not None:
                self.emit_math("$$", text[start + 2 : end], "$$")
                return end + 2
        else:
            end = self.find_closer("$", _ESCAPE_OR_DOLLAR, start + 1)
            if end is not None:
                self.emit_math("$", text[start + 1 : end], "$")
                return end + 1
        self.emit("\\$")
        return start + 1

    def find_closer(self, closer: str, pattern: re.Pattern[str], start: int) -> int | None:
        if closer in self.unclosed:
            return None
        for match in pattern.finditer(self.text, start):
            if match.group() == closer:
                return match.start()
        self.unclosed.add(closer)
        return None

    def find_escaped_closer(self, closer: str, start: int) -> int | None:
        if closer in self.unclosed:
            return None
        for match in _ESCAPE_PAIR.finditer(self.text, start):
            if match.group() == closer:
                return match.start()
        self.unclosed.add(closer)
        return None

    def emit_math(self, opener: str, inside: str, closer: str) -> None:
        body = _Escaper(inside, math=True).run()
        self.emit(opener + body + closer, _MATH)

    def is_tie(self, start: int) -> bool:
        text = self.text
        before = text[start - 1] if start > 0 else ""
        after = text[start + 1] if start + 1 < len(text) else ""
        if after in ("\\", "{"):  # "{": a title's protection braces must not change the choice
            return True
        return bool(before) and not before.isspace() and bool(after) and not after.isspace()

    def open_brace(self, *, escaped: bool) -> None:
        self.open_braces.append((len(self.pieces), escaped))
        self.emit("\\{" if escaped else "{", _OPEN)

    def close_brace(self, *, escaped: bool) -> None:
        if self.open_braces and self.open_braces[-1][1] == escaped:
            self.open_braces.pop()
            self.emit("\\}" if escaped else "}", _CLOSE)
            return
        self.emit("")
        self.unpaired(len(self.pieces) - 1, escaped, opening=False)

    def unpaired(self, index: int, escaped: bool, *, opening: bool) -> None:
        if self.math:
            command = "\\lbrace" if opening else "\\rbrace"
        else:
            command = "\\textbraceleft" if opening else "\\textbraceright"
        # An escaped brace of the source is braced whole, a bare one gets "{}" after the
        # command: the import tells them apart (see bibtex_text.unescape).
        self.pieces[index] = "{" + command + "}" if escaped else command + "{}"
        self.kinds[index] = _COMMAND
