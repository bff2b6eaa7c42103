"""Make untrusted text (titles, abstracts, notes from pasted files) safe to show in a terminal.

Corpus files and notes may contain ANSI escape sequences, control characters and Rich markup.
Markup is harmless as long as data only ever goes into ``rich.text.Text`` objects (never into
markup strings), so it is left alone here. Escape and control characters are replaced one for
one by visible stand-ins (the Unicode "control pictures" block), which keeps every character
offset unchanged: highlight spans computed on the original text still line up.
"""

from __future__ import annotations

_CONTROL_PICTURES_START = 0x2400  # U+2400 SYMBOL FOR NULL; U+241B is the symbol for ESC
_DELETE_PICTURE = "\u2421"
_C1_REPLACEMENT = "\ufffd"


def _build_table(keep: str) -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        if chr(code) not in keep:
            table[code] = chr(_CONTROL_PICTURES_START + code)
    table[0x7F] = _DELETE_PICTURE
    for code in range(0x80, 0xA0):
        table[code] = _C1_REPLACEMENT
    return table


# A single display line: line breaks and tabs become spaces so the row keeps its shape.
_LINE_TABLE = _build_table(keep="") | {ord("\n"): " ", ord("\r"): " ", ord("\t"): " "}
# A block of text (abstract, note): line breaks survive, tabs become a space.
_BLOCK_TABLE = _build_table(keep="\n") | {ord("\t"): " ", ord("\r"): " "}


def display_line(text: str) -> str:
    """One line of text with every control character made visible and inert."""
    return text.translate(_LINE_TABLE)


def display_block(text: str) -> str:
    """Multi-line text: line breaks kept, every other control character made visible."""
    return text.translate(_BLOCK_TABLE)
