"""LaTeX in titles and abstracts, turned into readable Unicode for display.

Records keep the source text; this module only makes the display form. Listings are not
LaTeX documents, so the converter is told three things pylatexenc would otherwise get wrong:

- a bare ``%`` (``40% of``) is a percent sign, not the start of a comment that would swallow
  the rest of the abstract; bare ``&`` and ``#`` likewise stay visible;
- a macro it does not know (``\\our{}``, ``\\ie``) is shown as written, never dropped;
- citations keep their keys: ``~\\citep{smith20}`` becomes `` [smith20]``.

Plain text (no backslash, dollar, brace or tilde) is returned unchanged without parsing,
which keeps display conversion off the hot path for most records.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexwalker import LatexMacroNode

_LATEX_MARKERS = re.compile(r"[\\$~{}]")
_BARE_SPECIALS = re.compile(r"(?<!\\)([%&#])")
_SPACES = re.compile(r"[ \t\u00a0]{2,}")
_CITATION_MACROS = ("cite", "citep", "citet", "citealp", "citeauthor", "citeyear", "parencite")
# Old-style font switches (``{\sc MoCo}``) carry no text of their own.
_FONT_SWITCHES = ("sc", "em", "bf", "it", "rm", "sl", "tt", "sf", "bfseries", "itshape", "scshape")
# Abbreviation macros authors define in their papers and leak into abstracts.
_ABBREVIATIONS = {"ie": "i.e.", "eg": "e.g.", "etal": "et al.", "wrt": "w.r.t.", "vs": "vs."}


class _KeepUnknownMacros(LatexNodes2Text):
    """pylatexenc discards unknown macros; a reader would lose words, so show them raw."""

    def macro_node_to_text(self, node: LatexMacroNode) -> str:
        if self.latex_context.get_macro_spec(node.macroname) is None:
            args = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
            inner = "".join(self._groupnodecontents_to_text(arg) for arg in args if arg)
            return "\\" + node.macroname + (f"{{{inner}}}" if inner else "")
        return super().macro_node_to_text(node)


def _converter() -> LatexNodes2Text:
    context = get_default_latex_context_db()
    context.add_context_category(
        "reader-citations",
        macros=[MacroTextSpec(name, simplify_repl="[%(4)s]") for name in _CITATION_MACROS]
        + [MacroTextSpec(name, discard=True) for name in _FONT_SWITCHES]
        + [MacroTextSpec(name, simplify_repl=text) for name, text in _ABBREVIATIONS.items()],
        prepend=True,
    )
    return _KeepUnknownMacros(
        latex_context=context, math_mode="with-delimiters", strict_latex_spaces=False
    )


_CONVERTER = _converter()


@lru_cache(maxsize=4096)
def to_unicode(text: str) -> str:
    """Display form of ``text``; never raises, never drops words."""
    if not _LATEX_MARKERS.search(text):
        return text
    try:
        converted = _CONVERTER.latex_to_text(_BARE_SPECIALS.sub(r"\\\1", text))
    except Exception:  # pylatexenc on hostile input: the raw text is still readable
        return text
    return _SPACES.sub(" ", converted.replace("\u00a0", " ")).strip()
