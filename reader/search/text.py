"""Folding text into search tokens, cheaply enough to run over 10^6 abstracts.

The index and the query go through the same ``fold`` so that ``Vitória``, ``VITORIA`` and
``Vit\\'{o}ria`` all become the token ``vitoria``. This mirrors ``reader.model.paper.fold_text``
(case, accents, punctuation) with two differences that matter at scale:

- ASCII text (the vast majority of records) skips Unicode normalisation entirely;
- LaTeX is stripped by a few regular expressions instead of pylatexenc, which costs
  milliseconds per abstract. Accent macros (``\\"o``, ``\\'{e}``) keep their base letter, since
  accents are folded away anyway; letter macros (``\\ss``, ``\\o``) become their letters;
  formatting macros (``\\emph``, ``\\textbf``) and braces vanish; any other macro name
  (``\\alpha``) stays as a word, so formulas remain searchable by the words in them.

Tokens are maximal runs of letters and digits (any script): ``meta-BO`` gives ``meta`` and
``bo``. A possessive ``'s`` is dropped and other apostrophes join (``doesn't`` is ``doesnt``,
not ``doesn`` + ``t``, which would make every ``t`` prefix search match it exactly).
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_APOSTROPHES = {ord("'"): None, 0x2019: None}
# The combining-mark blocks NFKD leaves behind for Latin, Greek and Cyrillic accents.
_COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_POSSESSIVE = re.compile(r"['\u2019]s\b")
# str.translate + split is three times faster than a regex findall on ASCII text.
_ASCII_SEPARATORS = {code: " " for code in range(128) if not chr(code).isalnum()} | {ord("'"): None}
_ACCENT_MACRO = re.compile(r"""\\[`'^"~=.uvHckbdrt]\s*\{?\s*(\\?[A-Za-z])\s*\}?""")
_LETTER_MACROS = {
    "ss": "ss",
    "o": "o",
    "O": "o",
    "aa": "a",
    "AA": "a",
    "ae": "ae",
    "AE": "ae",
    "oe": "oe",
    "OE": "oe",
    "l": "l",
    "L": "l",
    "i": "i",
    "j": "j",
}
_FORMATTING_MACROS = frozenset(
    {"emph", "textbf", "textit", "texttt", "textsc", "textrm", "textsf", "text", "mbox"}
    | {"mathrm", "mathbf", "mathit", "mathcal", "mathbb", "mathsf", "mathtt"}
    | {"url", "href", "cite", "citep", "citet", "sc", "em", "bf", "it", "rm", "tt"}
)
_MACRO = re.compile(r"\\([A-Za-z]+)")


def _replace_macro(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _LETTER_MACROS:
        return _LETTER_MACROS[name]
    if name in _FORMATTING_MACROS:
        return " "
    return " " + name + " "


def _strip_latex(text: str) -> str:
    text = _ACCENT_MACRO.sub(lambda m: m.group(1).lstrip("\\"), text)
    # Braces group, they do not separate: M{\"u}ller and Stra\ss{}e are single words.
    return _MACRO.sub(_replace_macro, text).replace("{", "").replace("}", "")


def fold(text: str) -> str:
    """Lower-case, accent-free text; non-alphanumerics are left for the tokenizer to skip."""
    if "\\" in text:
        text = _strip_latex(text)
    if text.isascii():
        return text.lower()
    return _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text.casefold()))


def tokens(text: str) -> list[str]:
    """The folded tokens of ``text``, in order, repeats kept."""
    if "\\" in text:
        text = _strip_latex(text)
    if "'" in text or "\u2019" in text:
        text = _POSSESSIVE.sub("", text)
    if text.isascii():
        return text.lower().translate(_ASCII_SEPARATORS).split()
    return [word.translate(_APOSTROPHES) for word in _WORD.findall(fold(text))]


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """Each word of ``text`` as (start, end, folded word), for highlighting the original."""
    spans = []
    for match in _WORD.finditer(text):
        folded = "".join(tokens(match.group()))
        if folded:
            spans.append((match.start(), match.end(), folded))
    return spans
