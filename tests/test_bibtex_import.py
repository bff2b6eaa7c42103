"""Reading .bib files into papers, with problems that name the file and line."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.model.paper import paper_id
from reader.parsing.bibtex_import import (
    DATE_PRECISION,
    IMPORTED_KEY,
    parse_bibtex,
    split_authors,
    unprotect_title,
)

LIBRARY = r"""% exported by some reference manager
@string{neurips = "Advances in Neural Information Processing Systems"}

@comment{ignored entirely}

@inproceedings{assran2022masked,
  title     = {{Masked Siamese Networks} for Label-Efficient {L}earning with {$k$} views},
  author    = {Assran, Mahmoud and Caron, Mathilde and others},
  booktitle = neurips,
  year      = 2022,
  month     = apr,
  keywords  = {ssl, vision},
  abstract  = {We propose {MSN}: 72.4\% top-1
               accuracy.},
}

@article{brebisson2015,
  title = "Artificial Neural Networks Applied to Taxi Destination Prediction",
  author = {de Br{\'e}bisson, Alexandre and {Acme, Inc.} and King, Jr, Martin},
  date = {2015-08-03},
  doi = {10.48550/arXiv.1508.00021},
}

@misc{noabstract, title = {Only a title}, year = {forthcoming}}

@misc{empty, year = {2020}}

@misc{broken,
  title = {Unbalanced {braces,
  year = 2020
}

@misc{after, title = {After the broken one}, month = {11}, year = {2019},
  annote = {a note that quotes
    @misc{inner, title = {not an entry}}
  inside it}}
"""


def test_entries_become_papers() -> None:
    parsed = parse_bibtex(LIBRARY, "lib.bib")
    by_key = {paper.extra[IMPORTED_KEY]: paper for paper in parsed.papers}
    assert sorted(by_key) == ["after", "assran2022masked", "brebisson2015", "noabstract"]

    msn = by_key["assran2022masked"]
    assert msn.title == "Masked Siamese Networks for Label-Efficient Learning with $k$ views"
    assert msn.authors == ("Mahmoud Assran", "Mathilde Caron")
    assert msn.authors_truncated
    assert msn.date == "2022-04-01"
    assert msn.extra[DATE_PRECISION] == "month"
    # The escape a BibTeX file needs is not part of the listing text.
    assert msn.abstract == "We propose {MSN}: 72.4% top-1 accuracy."
    assert msn.extra["keywords"] == "ssl, vision"
    assert msn.extra["booktitle"] == "Advances in Neural Information Processing Systems"
    assert msn.id == paper_id(msn.title, msn.abstract)
    assert msn.sources[0].path == "lib.bib"
    assert msn.sources[0].line == 6

    taxi = by_key["brebisson2015"]
    assert taxi.authors == ("Alexandre de Brébisson", "Acme, Inc.", "Martin King Jr")
    assert taxi.date == "2015-08-03"
    assert DATE_PRECISION not in taxi.extra
    assert taxi.extra["doi"] == "10.48550/arXiv.1508.00021"
    assert taxi.sources[0].line == 17

    assert by_key["noabstract"].date is None
    assert by_key["after"].date == "2019-11-01"
    assert by_key["after"].sources[0].line == 33


def test_problems_name_the_line() -> None:
    problems = {(p.line, p.severity): p.message for p in parse_bibtex(LIBRARY, "lib.bib").problems}
    assert problems[(28, "error")].startswith("entry 'broken' could not be read")
    assert "neither a title nor an abstract" in problems[(26, "warning")]
    assert "'forthcoming' is not a year" in problems[(24, "warning")]
    # The "@misc{inner" line inside the good entry's annote is not taken for an entry.
    assert len(problems) == 3
    assert all(str(p).startswith("lib.bib:") for p in parse_bibtex(LIBRARY, "lib.bib").problems)


def test_unprotect_title_keeps_command_braces() -> None:
    assert unprotect_title(r"{DINOv2} \emph{x} B\'{e}zier {\em y} {$N$}") == (
        r"DINOv2 \emph{x} B\'{e}zier {\em y} $N$"
    )
    assert unprotect_title(r"\frac{a}{b} and \{literal\}") == r"\frac{a}{b} and \{literal\}"


def test_split_authors() -> None:
    assert split_authors("A. One and {Two and Three} AND Four, F.") == (
        ("A. One", "Two and Three", "F. Four"),
        False,
    )
    assert split_authors("") == ((), False)
    assert split_authors("Solo and others") == (("Solo",), True)


def test_file_without_entries_is_a_warning_not_a_crash() -> None:
    parsed = parse_bibtex("just some text\nwith no entries\n", "notes.bib")
    assert parsed.papers == []
    assert [(p.line, p.severity) for p in parsed.problems] == [(0, "warning")]


def test_entry_without_a_key_is_reported() -> None:
    parsed = parse_bibtex("\n@misc{, title = {No key}}\n", "k.bib")
    assert [(p.line, p.message) for p in parsed.problems] == [
        (2, "entry has no citation key; skipped")
    ]


def test_bib_files_load_through_the_corpus_loader(tmp_path: Path) -> None:
    from reader.parsing.corpus import load_corpus

    (tmp_path / "refs.bib").write_text(LIBRARY, encoding="utf-8")
    corpus = load_corpus([tmp_path], use_cache=False)
    assert len(corpus.papers) == 4
    assert any("broken" in str(problem) for problem in corpus.problems)


@settings(max_examples=150, deadline=None)
@given(st.text(st.sampled_from("@{}=,\"'#%\\ \nabmisc0123")) | st.text())
def test_any_text_parses_without_raising(text: str) -> None:
    parsed = parse_bibtex(text, "fuzz.bib")
    for paper in parsed.papers:
        assert paper.id == paper_id(paper.title, paper.abstract)
    for problem in parsed.problems:
        assert problem.path == "fuzz.bib"
        assert 0 <= problem.line <= text.count("\n") + 1
