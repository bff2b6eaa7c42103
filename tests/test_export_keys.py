"""Citation keys: readable, valid, unique and stable as a corpus grows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.export.citation_keys import CitationKeys, base_key, surname
from reader.model.paper import Paper, paper_id
from reader.parsing.bibtex_import import IMPORTED_KEY

VALID_KEY = re.compile(r"[A-Za-z0-9_:.\-]+")


def make_paper(
    title: str | None = "Masked Siamese Networks for Label-Efficient Learning",
    authors: tuple[str, ...] = ("Mahmoud Assran", "Mathilde Caron"),
    date: str | None = "2022-04-14",
    abstract: str = "We propose Masked Siamese Networks.",
    **extra: str,
) -> Paper:
    return Paper(
        id=paper_id(title, abstract),
        title=title,
        authors=authors,
        abstract=abstract,
        date=date,
        extra=dict(extra),
    )


def test_key_is_surname_year_and_first_significant_title_word() -> None:
    assert base_key(make_paper()) == "assran2022masked"
    assert base_key(make_paper(title="On the Origin of Species")) == "assran2022origin"
    assert base_key(make_paper(title="A 3D Gaussian Splatting")) == "assran20223d"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Alexandre de Brébisson", "debrebisson"),
        ("Laurens van der Maaten", "vandermaaten"),
        ("Yann LeCun", "lecun"),
        ("yann lecun", "lecun"),
        ("Martin Luther King Jr.", "king"),
        ("Curie, Marie", "curie"),
        ("Bjørn Øksendal", "oksendal"),
        ('Bernhard Sch\\"olkopf', "scholkopf"),
        ("Zoë Kravitz-Smith", "kravitzsmith"),
        ("张伟", ""),
        ("Plato", "plato"),
    ],
)
def test_surnames_fold_to_ascii_and_keep_particles(name: str, expected: str) -> None:
    assert surname(name) == expected


def test_missing_author_year_or_title_still_gives_a_key() -> None:
    untitled = make_paper(title=None, abstract="Abstract: In this paper we study graphs.")
    assert base_key(untitled) == "assran2022abstract"
    assert base_key(make_paper(authors=(), date=None)) == "anonndmasked"
    assert base_key(make_paper(authors=("张伟",))) == "anon2022masked"
    assert base_key(make_paper(title="The Of", abstract="")) == "assran2022untitled"


def test_imported_key_is_kept_when_valid() -> None:
    assert base_key(make_paper(**{IMPORTED_KEY: "Smith:2020-x"})) == "Smith:2020-x"
    assert base_key(make_paper(**{IMPORTED_KEY: "bad key,{"})) == "assran2022masked"


def test_collisions_get_suffixes_in_date_order() -> None:
    later = make_paper(title="Masked models", date="2022-09-01")
    earlier = make_paper(title="Masked autoencoders", date="2022-01-01")
    alone = make_paper(title="Vision transformers")
    keys = CitationKeys([later, alone, earlier])
    assert keys.key(earlier) == "assran2022maskeda"
    assert keys.key(later) == "assran2022maskedb"
    assert keys.key(alone) == "assran2022vision"


def test_keys_do_not_change_when_unrelated_papers_are_added() -> None:
    group = [make_paper(title=f"Masked {word}") for word in ("a1", "b2", "c3")]
    before = CitationKeys(group)
    others = [make_paper(title=f"Paper {n}", authors=(f"Author{n} X",)) for n in range(30)]
    after = CitationKeys(others + list(reversed(group)))
    assert [before.key(p) for p in group] == [after.key(p) for p in group]


def test_suffixed_key_never_equals_another_papers_key() -> None:
    first = make_paper(title="Net one", date="2020-01-01")
    second = make_paper(title="Net two", date="2020-02-01")
    # Its own base key is "assran2020neta": what "first" would get as a suffixed key.
    clash = make_paper(title="Neta", date="2020-03-01")
    keys = CitationKeys([first, second, clash])
    assert len({keys.key(p) for p in (first, second, clash)}) == 3
    assert keys.key(clash) == "assran2020neta"


def test_many_collisions_run_past_z() -> None:
    papers = [make_paper(title=f"Masked {n}", abstract=str(n)) for n in range(30)]
    keys = {CitationKeys(papers).key(p) for p in papers}
    assert len(keys) == 30
    assert "assran2022maskedaa" in keys


def test_paper_outside_the_corpus_gets_its_base_key() -> None:
    keys = CitationKeys([make_paper()])
    assert keys.key(make_paper(title="Other work")) == "assran2022other"


names = st.text(max_size=20)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.text(max_size=30)), st.lists(names, max_size=3)),
        max_size=12,
    )
)
def test_any_corpus_gets_unique_valid_keys(records: list) -> None:
    papers = [
        make_paper(title=title, authors=tuple(authors), abstract=f"abstract {n}")
        for n, (title, authors) in enumerate(records)
    ]
    keys = CitationKeys(papers)
    distinct = {p.id: keys.key(p) for p in papers}
    assert len(set(distinct.values())) == len(distinct)
    assert all(VALID_KEY.fullmatch(key) for key in distinct.values())


def test_keys_for_a_cached_corpus_keep_no_papers_built(tmp_path: Path) -> None:
    """At 10^6 papers, keys that left every paper built in the table cost gigabytes (a warm
    start grew from 1.2 GB to 5.6 GB); the same keys come out either way."""
    from reader.parsing.corpus import load_corpus
    from reader.parsing.table import PaperTable

    sample = Path(__file__).resolve().parent.parent / "sample_corpus"
    load_corpus([sample])  # fills the cache
    table = load_corpus([sample]).papers
    assert isinstance(table, PaperTable)
    keys = CitationKeys(table)
    assert all(made is None for made in table._made)
    fresh = load_corpus([sample], use_cache=False).papers
    expected = CitationKeys(fresh)
    assert [keys.key(paper) for paper in fresh] == [expected.key(paper) for paper in fresh]
