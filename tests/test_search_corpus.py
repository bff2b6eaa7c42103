"""Search over the real sample corpus, checked against brute force over the parsed records."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from reader.model.annotation import Annotation
from reader.model.paper import Paper
from reader.parsing.corpus import Corpus, load_corpus
from reader.search import SearchEngine, SortKey
from reader.search.text import fold, tokens

NONE: dict[str, Annotation] = {}


@pytest.fixture(scope="module")
def corpus(sample_corpus_dir: Path) -> Corpus:
    return load_corpus([sample_corpus_dir], use_cache=False)


@pytest.fixture(scope="module")
def engine(corpus: Corpus) -> SearchEngine:
    return SearchEngine(corpus.papers)


def words_of(paper: Paper) -> set[str]:
    return set(tokens(" ".join([paper.title or "", *paper.authors, paper.abstract])))


def test_misspelt_query_finds_the_meta_bayesian_optimisation_paper(
    corpus: Corpus, engine: SearchEngine
) -> None:
    result = engine.search("bayesain optimzation", NONE)
    top = [corpus.papers[i].title or "" for i in result.indices[:5]]
    assert any("Meta-Bayesian Optimisation" in title for title in top), top
    assert all("bayes" in fold(corpus.papers[i].display_title) for i in result.indices[:5])


def test_accent_insensitive_author_search(corpus: Corpus, engine: SearchEngine) -> None:
    authors = [corpus.papers[i].authors for i in engine.search("vitoria", NONE).indices]
    assert any("Vitória Barin-Pacela" in names for names in authors)
    assert any("Vitoria Barin-Pacela" in names for names in authors)


@pytest.mark.parametrize("word", ["learning", "flow", "diffusion", "kernel", "vincent", "the"])
def test_complete_word_matches_exactly_the_papers_containing_it(
    corpus: Corpus, engine: SearchEngine, word: str
) -> None:
    expected = {i for i, paper in enumerate(corpus.papers) if word in words_of(paper)}
    result = engine.search(word + " ", NONE)
    assert set(result.indices) == expected
    assert result.total == len(expected) > 0


def test_prefix_matches_exactly_the_papers_with_a_word_starting_with_it(
    corpus: Corpus, engine: SearchEngine
) -> None:
    for prefix in ("t", "tra", "disent", "optimi"):
        expected = {
            i
            for i, paper in enumerate(corpus.papers)
            if any(word.startswith(prefix) for word in words_of(paper))
        }
        assert set(engine.search(prefix, NONE).indices) == expected, prefix


def test_author_scoped_search_only_returns_that_author(
    corpus: Corpus, engine: SearchEngine
) -> None:
    result = engine.search("author:vincent ", NONE)
    assert result.indices
    for i in result.indices:
        assert any("vincent" in tokens(name) for name in corpus.papers[i].authors)


def test_abstract_phrase_matches_brute_force(corpus: Corpus, engine: SearchEngine) -> None:
    expected = {
        i
        for i, paper in enumerate(corpus.papers)
        if re.search(r"\bnormalizing flows?\b", " ".join(tokens(paper.abstract)))
    }
    result = engine.search('abstract:"normalizing flow"', NONE)
    assert set(result.indices) == expected and expected


def test_filters_match_brute_force(corpus: Corpus, engine: SearchEngine) -> None:
    papers = corpus.papers
    checks = {
        "cat:LG year:2020..2022": lambda p: (
            p.category == "LG" and p.year is not None and 2020 <= p.year <= 2022
        ),
        "has:code": lambda p: p.has_code,
        "year:>=2023 -cat:LG": lambda p: (
            p.year is not None and p.year >= 2023 and p.category != "LG"
        ),
        "org:mila": lambda p: any("mila" in tokens(org) for org in p.orgs),
    }
    for text, wanted in checks.items():
        expected = {i for i, paper in enumerate(papers) if wanted(paper)}
        assert set(engine.search(text, NONE).indices) == expected, text


def test_empty_query_lists_all_papers_newest_first(corpus: Corpus, engine: SearchEngine) -> None:
    result = engine.search("", NONE)
    assert sorted(result.indices) == list(range(len(corpus.papers)))
    dates = [corpus.papers[i].date for i in result.indices]
    dated = [d for d in dates if d is not None]
    assert dated == sorted(dated, reverse=True)
    assert dates == dated + [None] * (len(dates) - len(dated))


def test_title_sort_is_alphabetical_by_folded_title(corpus: Corpus, engine: SearchEngine) -> None:
    result = engine.search("learning", NONE, SortKey.TITLE)
    keys = [
        " ".join(tokens(corpus.papers[i].title or corpus.papers[i].abstract[:120]))
        for i in result.indices
    ]
    assert keys == sorted(keys) and len(keys) > 10


def test_inbox_view_counts_papers_without_annotations_as_unread(
    corpus: Corpus, engine: SearchEngine
) -> None:
    first, second = corpus.papers[0], corpus.papers[1]
    annotations = {
        first.id: Annotation(first.id, status="read"),
        second.id: Annotation(second.id, starred=True),
    }
    inbox = engine.search("is:unread", annotations)
    assert inbox.total == len(corpus.papers) - 1 and 0 not in inbox.indices
    assert engine.search("is:starred", annotations).indices == [1]


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("has:authors", lambda p: bool(p.authors)),
        ("-has:authors", lambda p: not p.authors),
        ("has:date", lambda p: bool(p.date)),
        ("-has:date", lambda p: not p.date),
        ("-has:title", lambda p: not tokens(p.title or "")),
        ("is:duplicate", lambda p: bool(p.possible_duplicates)),
        ("-is:duplicate", lambda p: not p.possible_duplicates),
        ("-has:authors -has:date", lambda p: not p.authors and not p.date),
    ],
)
def test_data_quality_filters_match_the_records(
    corpus: Corpus, engine: SearchEngine, query: str, wanted: Any
) -> None:
    result = engine.search(query, NONE)
    expected = {i for i, paper in enumerate(corpus.papers) if wanted(paper)}
    assert set(result.indices) == expected and result.hint is None
    assert expected  # the sample corpus has some of each


def test_data_quality_counts_of_the_sample_corpus(engine: SearchEngine) -> None:
    # The figures the issue quotes: 601 papers without authors and date, 10 without title.
    assert engine.search("-has:authors", NONE).total == 601
    assert engine.search("-has:date", NONE).total == 601
    assert engine.search("-has:title", NONE).total == 10
