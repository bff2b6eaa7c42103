"""LaTeX in titles and abstracts: the Unicode display form, and a fast form for folding.

Records keep the source text. ``to_unicode`` makes the display form with pylatexenc; listings
are not LaTeX documents, so the converter is told three things pylatexenc would otherwise get
wrong:

- a bare ``%`` (``40% of``) is a percent sign, not the start of a comment that would swallow
  the rest of the abstract; bare ``&`` and ``#`` likewise stay visible;
- a macro it does not know (``\\our{}``, ``\\ie``) is shown as written, never dropped;
- citations keep their keys: ``~\\citep{smith20}`` becomes `` [smith20]``.

pylatexenc costs about 10 ms per LaTeX abstract, which is most of a cold start when every
abstract is folded for ids and duplicate matching. ``fold_source`` is the cheap path for
folding: it rewrites the common constructs (formatting and citation macros, abbreviation
macros, font switches, accents, escaped specials, ``$...$``, braces, ``~``) with one regular
expression and returns None for anything else, where the caller falls back to
``to_unicode``. Its output is not a display form: it only promises that folding it (case,
accents, punctuation and spacing away, see ``reader.model.paper.fold_text``) gives exactly what
folding ``to_unicode``'s output gives, so paper ids never depend on which path ran. The
tables below were checked one by one against pylatexenc, and ``tests/test_latex.py`` checks
the equivalence on the sample corpus and on generated text.

This module depends on pylatexenc only, imported on first use of the display converter.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text

_LATEX_MARKERS = re.compile(r"[\\$~{}]")
_BARE_SPECIALS = re.compile(r"(?<!\\)([%&#])")
_SPACES = re.compile(r"[ \t\u00a0]{2,}")
CITATION_MACROS = ("cite", "citep", "citet", "citealp", "citeauthor", "citeyear", "parencite")
# Old-style font switches (``{\sc MoCo}``) carry no text of their own.
FONT_SWITCHES = ("sc", "em", "bf", "it", "rm", "sl", "tt", "sf", "bfseries", "itshape", "scshape")
# Abbreviation macros authors define in their papers and leak into abstracts.
ABBREVIATIONS = {"ie": "i.e.", "eg": "e.g.", "etal": "et al.", "wrt": "w.r.t.", "vs": "vs."}


# --------------------------------------------------------------------------- display


def _converter() -> LatexNodes2Text:
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        get_default_latex_context_db,
    )
    from pylatexenc.latexwalker import LatexMacroNode

    class KeepUnknownMacros(LatexNodes2Text):  # type: ignore[misc]
        """pylatexenc discards unknown macros; a reader would lose words, so show them raw."""

        def macro_node_to_text(self, node: LatexMacroNode) -> str:
            if self.latex_context.get_macro_spec(node.macroname) is None:
                argd = node.nodeargd
                args = argd.argnlist if argd and argd.argnlist else []
                inner = "".join(self._groupnodecontents_to_text(arg) for arg in args if arg)
                return "\\" + str(node.macroname) + (f"{{{inner}}}" if inner else "")
            return str(super().macro_node_to_text(node))

    context = get_default_latex_context_db()
    context.add_context_category(
        "reader-citations",
        macros=[MacroTextSpec(name, simplify_repl="[%(4)s]") for name in CITATION_MACROS]
        + [MacroTextSpec(name, discard=True) for name in FONT_SWITCHES]
        + [MacroTextSpec(name, simplify_repl=text) for name, text in ABBREVIATIONS.items()],
        prepend=True,
    )
    return KeepUnknownMacros(
        latex_context=context, math_mode="with-delimiters", strict_latex_spaces=False
    )


@lru_cache(maxsize=1)
def _shared_converter() -> LatexNodes2Text:
    # Built on first use: importing pylatexenc and building its tables costs a tenth of a
    # second that a warm start (no LaTeX shown yet) should not pay.
    # pylatexenc logs a warning for each macro it cannot substitute (``\\widetilde``): on a
    # terminal app's stderr that corrupts the screen, and the text is still shown raw.
    logging.getLogger("pylatexenc").setLevel(logging.ERROR)
    return _converter()


@lru_cache(maxsize=4096)
def to_unicode(text: str) -> str:
    """Display form of ``text``; never raises, never drops words."""
    if not _LATEX_MARKERS.search(text):
        return text
    try:
        converted = _shared_converter().latex_to_text(_BARE_SPECIALS.sub(r"\\\1", text))
    except Exception:  # pylatexenc on hostile input: the raw text is still readable
        return text
    return _SPACES.sub(" ", str(converted).replace("\u00a0", " ")).strip()


# --------------------------------------------------------------------------- folding

# Argument-less macros: the replacement, and (as in pylatexenc) the spaces after the name go.
_ARGLESS: dict[str, str] = {**ABBREVIATIONS, **dict.fromkeys(FONT_SWITCHES, "")}
# Macros whose one braced argument is shown between these two strings.
_WRAPPERS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("emph", "textit", "textbf", "textsc", "textrm", "text"), ("", "")),
    **dict.fromkeys(CITATION_MACROS, ("[", "]")),
}
_TOKEN = re.compile(
    r"""\\(?P<name>[^\W\d_]+)\s*"""
    r"""|\\(?P<escaped>[%&#_{}$])"""
    r"""|\\[`'^"~=.](?:(?P<letter>[A-Za-z])|\{(?P<braced>[A-Za-z])\})"""
    r"""|(?P<open>\{)|(?P<close>\})|(?P<tilde>~)|(?P<other>\\)"""
)
# Display math, line breaks, a group opening on a space, and line ends (paragraph breaks
# change how pylatexenc spaces things; listing lines never hold them anyway).
_UNSUPPORTED = re.compile(r"\$\$|\\\\|\{\s|[\n\r\f\v]")


@lru_cache(maxsize=1024)
def _argless_macro(name: str) -> str | None:
    """What pylatexenc prints for a macro that takes no arguments, or None if it takes some.

    Symbols (``\\alpha``, ``\\times``, ``\\log``) and unknown macros (``\\our``, kept raw) make
    up most of what the tables above miss; asking pylatexenc once per macro name keeps the
    fast path exact for them. Like pylatexenc, the caller drops the spaces after the name.
    """
    from pylatexenc.latexwalker import (
        get_default_latex_context_db,
    )

    spec = get_default_latex_context_db().get_macro_spec(name)
    argspec = getattr(getattr(spec, "args_parser", None), "argspec", "")
    if argspec:
        return None
    converter = _shared_converter()
    if converter.latex_context.get_macro_spec(name) is None:
        return "\\" + name  # unknown to the converter: shown as written
    try:
        return str(converter.latex_to_text("\\" + name))
    except Exception:
        return None


class _Undecided(Exception):
    """The fast path met something only pylatexenc can interpret faithfully."""


def fold_source(text: str) -> str | None:
    """Text that folds exactly like ``to_unicode(text)`` does, or None to use that instead."""
    if text.count("$") % 2 or _UNSUPPORTED.search(text):
        return None
    closers: list[str] = []
    parts: list[str] = []
    position = 0
    try:
        while (match := _TOKEN.search(text, position)) is not None:
            parts.append(text[position : match.start()])
            position = match.end()
            parts.append(_rewrite(match, text, closers))
            if match["name"] in _WRAPPERS:
                position += 1  # the argument's opening brace, consumed by _rewrite
    except _Undecided:
        return None
    if any(closers):  # a citation or wrapper never closed: pylatexenc's call
        return None
    parts.append(text[position:])
    return "".join(parts)


def _rewrite(match: re.Match[str], text: str, closers: list[str]) -> str:
    if (name := match["name"]) is not None:
        if name in _ARGLESS:
            return _ARGLESS[name]
        if name in _WRAPPERS and text.startswith("{", match.end()):
            if text.startswith(" ", match.end() + 1):
                raise _Undecided  # pylatexenc drops a group's leading space
            opener, closer = _WRAPPERS[name]
            closers.append(closer)
            return opener
        replacement = _argless_macro(name)
        if replacement is None:
            raise _Undecided
        return replacement
    if (escaped := match["escaped"]) is not None:
        return escaped
    if (letter := match["letter"] or match["braced"]) is not None:
        return letter  # folding drops the accent the macro would add
    if match["open"] is not None:
        closers.append("")
        return ""
    if match["close"] is not None:
        return closers.pop() if closers else ""
    if match["tilde"] is not None:
        return " "
    raise _Undecided
