"""The query language: every syntax, malformed input and the hints it produces."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.search import parse_query
from reader.search.query import (
    ABSTRACT,
    AUTHOR,
    CATEGORY,
    HAS,
    IS,
    MAX_YEAR,
    MIN_YEAR,
    ORG,
    TAG,
    TEXT,
    TEXT_FIELDS,
    TITLE,
    YEAR,
    Term,
)


def only(text: str) -> Term:
    query = parse_query(text)
    assert query.hint is None, query.hint
    assert len(query.terms) == 1, query.terms
    return query.terms[0]


def test_empty_and_blank_queries_are_empty() -> None:
    for text in ("", "   ", "\t"):
        query = parse_query(text)
        assert query.is_empty and query.hint is None and query.text == text


def test_plain_words_are_folded_and_anded_the_last_one_a_prefix() -> None:
    query = parse_query("Bayésian  OPTIM")
    assert [(t.words, t.fields, t.prefix) for t in query.terms] == [
        (("bayesian",), TEXT_FIELDS, False),
        (("optim",), TEXT_FIELDS, True),
    ]


def test_trailing_space_means_the_last_word_is_complete() -> None:
    assert not parse_query("optim ").terms[0].prefix


def test_punctuated_word_is_several_required_words() -> None:
    assert [t.words for t in parse_query("meta-BO x").terms] == [("meta",), ("bo",), ("x",)]


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("author:vincent", (AUTHOR,)),
        ("authors:vincent", (AUTHOR,)),
        ("title:flow", (TITLE,)),
        ("TITLE:flow", (TITLE,)),
        ("abstract:flow", (ABSTRACT,)),
    ],
)
def test_field_scoped_words(text: str, fields: tuple[str, ...]) -> None:
    term = only(text)
    assert (term.kind, term.words, term.fields) == (TEXT, (text.split(":")[1],), fields)


def test_quoted_phrase_anywhere_and_in_a_field() -> None:
    anywhere = only('"Normalizing  Flow" ')
    assert (anywhere.words, anywhere.phrase, anywhere.exact, anywhere.fields) == (
        ("normalizing", "flow"),
        True,
        True,
        TEXT_FIELDS,
    )
    scoped = only('abstract:"normalizing flow"')
    assert scoped.phrase and scoped.fields == (ABSTRACT,)


def test_quoted_single_word_is_exact_not_a_prefix() -> None:
    term = only('"flow"')
    assert term.exact and not term.phrase and not term.prefix


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("tag:toread", TAG, "toread"),
        ("tag:ToRead", TAG, "toread"),
        ('tag:"my tag"', TAG, "my tag"),
        ("cat:LG", CATEGORY, "lg"),
        ("is:starred", IS, "starred"),
        ("is:unread", IS, "unread"),
        ("is:read", IS, "read"),
        ("is:skipped", IS, "skipped"),
        ("has:note", HAS, "note"),
        ("has:notes", HAS, "note"),
        ("has:code", HAS, "code"),
    ],
)
def test_filters(text: str, kind: str, value: str) -> None:
    term = only(text + " ")
    assert (term.kind, term.value, term.negated) == (kind, value, False)


def test_org_filter_keeps_folded_words() -> None:
    term = only("org:Meta-AI ")
    assert (term.kind, term.words) == (ORG, ("meta", "ai"))


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("year:2021", (2021, 2021)),
        ("year:=2021", (2021, 2021)),
        ("year:2020..2023", (2020, 2023)),
        ("year:2023..2020", (2020, 2023)),
        ("year:2020-2023", (2020, 2023)),
        ("year:2020..", (2020, MAX_YEAR)),
        ("year:..2019", (MIN_YEAR, 2019)),
        ("year:>=2022", (2022, MAX_YEAR)),
        ("year:>2022", (2023, MAX_YEAR)),
        ("year:<2022", (MIN_YEAR, 2021)),
        ("year:<=2022", (MIN_YEAR, 2022)),
    ],
)
def test_year_syntax(text: str, years: tuple[int, int]) -> None:
    term = only(text + " ")
    assert (term.kind, term.years) == (YEAR, years)


@pytest.mark.parametrize(
    "text", ["-flow", "-tag:x", "-is:read", "-year:2020", '-"normalizing flow"', "-cat:LG"]
)
def test_any_term_can_be_negated(text: str) -> None:
    assert only(text + " ").negated


def test_lone_dash_is_not_a_negation_of_the_next_word() -> None:
    query = parse_query("- flow")
    assert [(t.words, t.negated) for t in query.terms] == [(("flow",), False)]


@pytest.mark.parametrize(
    ("text", "hint_part", "remaining_words"),
    [
        ("year:abc flow", "year:", [("flow",)]),
        ("is:bogus flow", "is: expects one of starred", [("flow",)]),
        ("has:wings flow", "has: expects one of note, code", [("flow",)]),
        ('"normalizing flow', "unclosed quote", [("normalizing", "flow")]),
        ("foo:bar flow", "unknown field 'foo:'", [("foo",), ("bar",), ("flow",)]),
        ("author: flow", "author: needs a value", [("flow",)]),
    ],
)
def test_malformed_input_gives_a_hint_and_a_best_effort_query(
    text: str, hint_part: str, remaining_words: list[tuple[str, ...]]
) -> None:
    query = parse_query(text)
    assert query.hint is not None and hint_part in query.hint
    assert [t.words for t in query.terms if t.kind == TEXT] == remaining_words


def test_several_problems_are_all_reported_once() -> None:
    query = parse_query("year:x is:y year:z ")
    assert query.hint is not None
    assert query.hint.count("year:") == 1 and "is:" in query.hint


def test_half_typed_filter_values_complete_or_wait_without_a_hint() -> None:
    assert only("is:st").value == "starred"
    assert only("has:n").value == "note"
    for waiting in ("is:s", "year:20", "year:2020..20", "year:>="):
        query = parse_query(waiting)
        assert query.hint is None and query.is_empty, waiting
    # Once the user moves on, the same text is an error.
    assert parse_query("is:s ").hint is not None
    assert parse_query("year:20 ").hint is not None


def test_highlight_words_are_the_positive_title_words() -> None:
    query = parse_query('flow -kernel author:vincent "normalizing flows" tran')
    assert query.highlight_words == (
        ("flow", False),
        ("normalizing", False),
        ("flows", False),
        ("tran", True),
    )


@given(st.text(max_size=60))
def test_parse_never_raises(text: str) -> None:
    query = parse_query(text)
    assert query.text == text
    assert all(term.kind != TEXT or term.words for term in query.terms)


@given(st.lists(st.sampled_from(['"', "-", ":", "tag", "year", ">=", "..", " ", "a", "é"])))
def test_parse_never_raises_on_syntax_soup(pieces: list[str]) -> None:
    parse_query("".join(pieces))


@pytest.mark.parametrize(
    "text", ["author:", "tag:", "title:", "year:", "is:", "has:", "-tag:", "graph author:", "tag: "]
)
def test_a_field_with_no_value_always_gets_a_hint(text: str) -> None:
    query = parse_query(text)
    name = text.split(":")[0].split()[-1].lstrip("-")
    assert query.hint is not None and query.hint.startswith(f"{name}: needs a value, e.g. ")
    # Nothing is searched for the empty field: not the word "tag", not zero papers.
    assert all(term.kind == TEXT and term.words == ("graph",) for term in query.terms)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("has:authors", HAS, "authors"),
        ("has:author", HAS, "authors"),
        ("has:date", HAS, "date"),
        ("has:title", HAS, "title"),
        ("is:duplicate", IS, "duplicate"),
        ("is:dup", IS, "duplicate"),
        ("has:a", HAS, "authors"),
    ],
)
def test_data_quality_filters(text: str, kind: str, value: str) -> None:
    term = only(text)
    assert (term.kind, term.value, term.negated) == (kind, value, False)
    assert only("-" + text).negated
