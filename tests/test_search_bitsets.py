"""Bitsets and tokens: the conversions every search relies on, across their size strategies."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.search import bitsets
from reader.search.text import fold, tokens, word_spans


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_ids_round_trip_through_bits(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, 100_000))
    # Mix sparse and dense sets so both conversion strategies run.
    density = data.draw(st.sampled_from([0.00001, 0.001, 0.05, 0.5, 1.0]))
    count = min(size, max(0, int(size * density)))
    ids = sorted(data.draw(st.sets(st.integers(0, size - 1), min_size=min(count, 50), max_size=50)))
    if density >= 0.05:
        ids = sorted(set(ids) | set(range(0, size, max(1, int(1 / density)))))
    bits = bitsets.from_ids(ids, size)
    assert bits.bit_count() == len(ids)
    assert bitsets.to_ids(bits) == ids
    limit = data.draw(st.integers(0, len(ids) + 1))
    assert bitsets.to_ids(bits, limit) == ids[:limit]


def test_span_and_union() -> None:
    assert bitsets.to_ids(bitsets.span(3, 7)) == [3, 4, 5, 6]
    assert bitsets.span(5, 5) == 0 and bitsets.span(6, 2) == 0
    assert bitsets.to_ids(bitsets.union([0b1, 0b100, 0])) == [0, 2]
    assert bitsets.to_ids(0) == [] and bitsets.from_ids([], 10) == 0


def test_tokens_fold_case_accents_latex_and_apostrophes() -> None:
    assert tokens("Vitória VITORIA Vit\\'{o}ria M{\\\"u}ller Stra\\ss{}e") == [
        "vitoria",
        "vitoria",
        "vitoria",
        "muller",
        "strasse",
    ]
    assert tokens("Meta-BO doesn't beat Vitória's $\\alpha$-nets \\emph{here}") == [
        "meta",
        "bo",
        "doesnt",
        "beat",
        "vitoria",
        "alpha",
        "nets",
        "here",
    ]
    assert tokens("α-β ǅemal ﬁne") == ["α", "β", "dzemal", "fine"]
    assert fold("Déjà VU") == "deja vu"


def test_word_spans_point_into_the_original_text() -> None:
    text = "Déjà Vu? Vitória’s meta-BO"
    assert [(text[start:end], word) for start, end, word in word_spans(text)] == [
        ("Déjà", "deja"),
        ("Vu", "vu"),
        ("Vitória’s", "vitoria"),
        ("meta", "meta"),
        ("BO", "bo"),
    ]
