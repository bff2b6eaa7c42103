"""Typing a query key by key gives exactly what pasting it (or ``reader search``) gives.

The app narrows each keystroke's search to the previous result when
``reader.search.narrowing`` says that is sound; these tests replay queries one character at
a time through the screen's LiveSearch and compare every final result with a fresh search,
order included.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.model.annotation import Annotation
from reader.parsing.corpus import Corpus, load_corpus
from reader.search import SearchEngine, SearchResult, SortKey
from reader.search.narrowing import can_narrow
from reader.search.text import tokens
from reader.service.live_search import LiveSearch


@pytest.fixture(scope="module")
def corpus(sample_corpus_dir: Path) -> Corpus:
    return load_corpus([sample_corpus_dir], use_cache=False)


@pytest.fixture(scope="module")
def engine(corpus: Corpus) -> SearchEngine:
    return SearchEngine(corpus.papers)


@pytest.fixture(scope="module")
def annotations(corpus: Corpus) -> dict[str, Annotation]:
    """A lived-in reading list, so tag:, is: and has:note filters select something."""
    papers = corpus.papers
    found: dict[str, Annotation] = {}
    for position in range(0, len(papers), 7):
        paper_id = papers[position].id
        found[paper_id] = Annotation(
            paper_id,
            starred=position % 2 == 0,
            tags=("toread",) if position % 3 == 0 else ("ml", "to read"),
            status=("read", "skipped", "unread")[position % 3],
            note="compare" if position % 5 == 0 else "",
        )
    return found


def typed(
    engine: SearchEngine, text: str, annotations: dict[str, Annotation], sort: SortKey
) -> SearchResult:
    """What the app ends up showing after ``text`` is typed one key at a time, each result
    landing before the next key: the screen's own LiveSearch decides every narrowing."""
    live = LiveSearch()
    shown: SearchResult | None = None
    for end in range(1, len(text) + 1):
        partial = text[:end]
        token, within = live.start(partial, generation=0)
        shown = engine.search(partial, annotations, sort, within=within)
        assert live.finish(token, partial, shown, generation=0) is not None
    assert shown is not None
    return shown


def vocabulary(corpus: Corpus) -> list[str]:
    words: set[str] = set()
    for paper in corpus.papers:
        words.update(tokens(" ".join([paper.title or "", *paper.authors, paper.abstract])))
    return sorted(word for word in words if word.isalpha() and len(word) >= 3)


@pytest.fixture(scope="module")
def words(corpus: Corpus) -> list[str]:
    return vocabulary(corpus)


def misspelt(draw: st.DrawFn, word: str) -> str:
    """A human typo after the first letter: a dropped, doubled, swapped or wrong letter."""
    if len(word) < 4:
        return word
    at = draw(st.integers(1, len(word) - 2))
    kind = draw(st.sampled_from(["drop", "double", "swap", "wrong", "none"]))
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    if kind == "double":
        return word[:at] + word[at] + word[at:]
    if kind == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == "wrong":
        return word[:at] + draw(st.sampled_from(string.ascii_lowercase)) + word[at + 1 :]
    return word


@st.composite
def queries(draw: st.DrawFn, words: list[str]) -> str:
    pieces: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        word = misspelt(draw, draw(st.sampled_from(words)))
        kind = draw(
            st.sampled_from(
                ["word", "word", "word", "partial", "field", "filter", "phrase", "empty"]
            )
        )
        if kind == "partial":
            piece = word[: draw(st.integers(1, len(word)))]
        elif kind == "field":
            piece = draw(st.sampled_from(["title:", "author:", "abstract:", "ti:"])) + word
        elif kind == "filter":
            piece = draw(
                st.sampled_from(
                    [
                        "tag:toread",
                        'tag:"to read"',
                        "tag:ml",
                        "is:unread",
                        "is:starred",
                        "is:read",
                        "is:duplicate",
                        "has:note",
                        "has:code",
                        "has:authors",
                        "has:date",
                        "has:title",
                        "year:2021",
                        "year:>=2022",
                        "year:2019..2021",
                        "cat:LG",
                        "org:mila",
                    ]
                )
            )
        elif kind == "phrase":
            other = draw(st.sampled_from(words))
            piece = f'"{word} {other}"' if draw(st.booleans()) else f'"{word}'
        elif kind == "empty":
            piece = draw(st.sampled_from(["author:", "tag:", "year:", "is:", "has:"]))
        else:
            piece = word
        if draw(st.integers(0, 4)) == 0:
            piece = "-" + piece
        pieces.append(piece)
    return " ".join(pieces) + draw(st.sampled_from(["", "", " "]))


README_EXAMPLES = ["bayesain optimzation", "optimzation", "author:vincent year:>=2019"]


@pytest.mark.parametrize("text", README_EXAMPLES)
def test_readme_examples_typed_equal_pasted(
    engine: SearchEngine, annotations: dict[str, Annotation], text: str
) -> None:
    fresh = engine.search(text, annotations)
    assert fresh.total > 0
    result = typed(engine, text, annotations, SortKey.RELEVANCE)
    assert result.indices == fresh.indices


def test_bayesain_optimzation_typed_finds_18(
    engine: SearchEngine, annotations: dict[str, Annotation]
) -> None:
    # The figures from the issue: 18 when pasted (and from `reader search`), 0 when typed.
    assert len(typed(engine, "bayesain optimzation", annotations, SortKey.RELEVANCE).indices) == 18


@pytest.mark.parametrize(
    "text", ["optimz optimzation", "tag:", "author:", "bayes ", "graph neural -net", "is:s"]
)
def test_typed_equals_pasted_regressions(
    engine: SearchEngine, annotations: dict[str, Annotation], text: str
) -> None:
    fresh = engine.search(text, annotations)
    result = typed(engine, text, annotations, SortKey.RELEVANCE)
    assert (result.indices, result.hint) == (fresh.indices, fresh.hint)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_typed_equals_pasted_for_any_query(
    engine: SearchEngine,
    annotations: dict[str, Annotation],
    words: list[str],
    data: st.DataObject,
) -> None:
    text = data.draw(queries(words), label="query")
    sort = data.draw(st.sampled_from(list(SortKey)), label="sort")
    fresh = engine.search(text, annotations, sort)
    result = typed(engine, text, annotations, sort)
    assert (result.indices, result.total, result.hint) == (fresh.indices, fresh.total, fresh.hint)


@pytest.mark.parametrize(
    ("previous", "new", "expected"),
    [
        ("graph ", "graph neural", True),
        ("tag:ml", "tag:ml graph", True),
        ("graph ", "graph -neural", True),
        ("graph", "graph ", False),  # a prefix becomes a finished word: other expansions
        ("graph", "graphs", False),  # a longer word may be typo-expanded where the prefix was not
        ("optimz", "optimza", False),
        ("", "graph", False),
        ("graph", "grap", False),
        ("tag:ml", "tag:mlx", False),
        ("graph", "graph", False),
    ],
)
def test_can_narrow_only_when_every_old_term_remains(
    previous: str, new: str, expected: bool
) -> None:
    assert can_narrow(previous, new) is expected
