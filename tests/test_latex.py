"""Display form of LaTeX in titles and abstracts: readable, and never losing text."""

from __future__ import annotations

import pytest

from reader.model.latex import to_unicode
from reader.model.paper import Paper


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
