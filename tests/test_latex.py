"""Display form of LaTeX in titles and abstracts: readable, and never losing text."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.model.latex import fold_source, to_unicode
from reader.model.paper import Paper, fold_text, fold_unicode
from reader.parsing.corpus import load_corpus

SAMPLE = Path(__file__).resolve().parent.parent / "sample_corpus"


@pytest.mark.parametrize(
    ("source", "display"),
    [
        ("improves by $+60\\%$ over", "improves by $+60%$ over"),
        ("40% of the data, then 50% more", "40% of the data, then 50% more"),  # no comment eaten
        ("an \\emph{important} point", "an important point"),
        ("B\\'{e}zier curves", "Bézier curves"),
        ("as shown~\\citep{smith2020}.", "as shown [smith2020]."),
        ("{\\sc MoCo} works", "MoCo works"),
        ("our \\ourmethod{} beats", "our \\ourmethod beats"),  # unknown macro kept, not dropped
        ("R\\&D and 5 \\# items", "R&D and 5 # items"),
        ("costs $O(d^{2})$ per step", "costs $O(d^2)$ per step"),
        ("plain text stays", "plain text stays"),
        ("unbalanced { brace", "unbalanced brace"),
    ],
)
def test_display_form(source: str, display: str) -> None:
    assert to_unicode(source) == display


def test_paper_display_properties_keep_raw_text() -> None:
    paper = Paper(id="x", title="On B\\'{e}zier", authors=(), abstract="Gains of 60%.")
    assert paper.title == "On B\\'{e}zier"
    assert paper.display_title == "On Bézier"
    assert paper.display_abstract == "Gains of 60%."


def test_untitled_paper_displays_start_of_abstract() -> None:
    paper = Paper(id="x", title=None, authors=(), abstract="word " * 50)
    assert paper.display_title.endswith("…")
    assert len(paper.display_title) <= 91


# --------------------------------------------------------------------------- fast folding


def _slow_fold(text: str) -> str:
    """What fold_text gave before the fast path: pylatexenc's display form, folded."""
    latex = "\\" in text or "$" in text or "{" in text
    return fold_unicode(to_unicode(text) if latex else text)


def _sample_texts() -> list[str]:
    corpus = load_corpus([SAMPLE], use_cache=False)
    texts = [p.abstract for p in corpus.papers] + [p.title for p in corpus.papers if p.title]
    return [t for t in texts if "\\" in t or "$" in t or "{" in t]


def test_fast_fold_equals_pylatexenc_on_every_sample_text() -> None:
    texts = _sample_texts()
    assert len(texts) >= 45  # 26 abstracts with $ or macros, 20 more with braces
    decided = 0
    for text in texts:
        fast = fold_source(text)
        if fast is not None:
            decided += 1
            assert fold_unicode(fast) == _slow_fold(text), text
        assert fold_text(text) == _slow_fold(text), text
    # The fast path must carry the load, or the cold start pays pylatexenc again.
    assert decided / len(texts) > 0.8


@pytest.mark.parametrize(
    ("source", "folded"),
    [
        ("a \\ie the", "a i e the"),
        ("x\\emph{sup}y", "xsupy"),
        ("B\\'{e}zier B\\'ezier \\\"u", "bezier bezier u"),
        ("\\citep{dai2018sbeed} and", "dai2018sbeed and"),
        ("{\\em x} {\\sc y}z", "x yz"),
        ("$O(d^{2})$ and $+60\\%$", "o d 2 and 60"),
        ("e.g.~SMPL, L_{1}-reg", "e g smpl l 1 reg"),
    ],
)
def test_fast_fold_decides_common_constructs(source: str, folded: str) -> None:
    fast = fold_source(source)
    assert fast is not None
    assert fold_unicode(fast) == folded == _slow_fold(source)


@pytest.mark.parametrize(
    "source", ["\\label{x}", "\\url{x}", "a\\\\b", "$$x$$", "\\emph{ x}", "\\citep{x"]
)
def test_fast_fold_leaves_the_rest_to_pylatexenc(source: str) -> None:
    assert fold_source(source) is None
    assert fold_text(source) == _slow_fold(source)


_FRAGMENTS = [
    "a", "Bz", " ", "  ", "1", ",", ".", "-", "%", "&", "#", "_", "^", "é", "\u202e", "\0",
    "\\ie", "\\eg", "\\emph", "\\textsc", "\\citep", "\\sc", "\\em", "\\our", "\\alpha",
    "{", "}", "$", "~", "\\'", "\\\"", "\\`", "e", "\\%", "\\_", "\\{", "\\", "[", "]",
    "\\'{o}", "\\\\", "\n", "[bold]", "\x1b[31m", "\\alpha", "\\times", "\\log", "\\cdot",
    "\\epsilon", "\\ldots", "\\item", "\\newline", "\\label", "\\i", "\\ss", "\\url",
    "\\mathcal", "\\textit", "\\S", "\\LaTeX", "\\footnote", "\\par", "\\hline", "9",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=14))
def test_fast_fold_agrees_with_pylatexenc_whenever_it_decides(parts: list[str]) -> None:
    text = "".join(parts) + "\\sc"  # a marker, so fold_text takes its LaTeX branch
    fast = fold_source(text)
    if fast is not None:
        assert fold_unicode(fast) == _slow_fold(text)
    assert fold_text(text) == _slow_fold(text)


def test_fast_fold_is_linear_on_long_text() -> None:
    text = ("\\emph{x} $y$ \\'e " * 10_000) + "end"
    fast = fold_source(text)
    assert fast is not None and fold_unicode(fast).endswith("e end")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_pylatexenc_warnings_stay_off_the_terminal() -> None:
    """A logged warning would land on the app's stderr, across the screen."""
    to_unicode.cache_clear()
    seen = _Records()
    logging.getLogger().addHandler(seen)
    try:
        # A macro cut off from its argument at the end of the text: pylatexenc logs
        # "failed its substitution" (seen in synthetic abstracts at 10^5).
        to_unicode("bounded by \\widetilde")
    finally:
        logging.getLogger().removeHandler(seen)
    assert not [r for r in seen.records if r.name.startswith("pylatexenc")]
