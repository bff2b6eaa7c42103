"""Reading .bib files into papers, with problems that name the file and line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.model.paper import Paper, paper_id
from reader.parsing.bibtex_import import (
    DATE_PRECISION,
    ENTRY_TYPE,
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


# --- One bad entry never costs its neighbours (issue 9, item 4) ------------------------

GOOD_BEFORE = "@misc{before, title = {The entry before}, year = 2021}\n"
GOOD_AFTER = "@misc{after, title = {The entry after}, year = 2022}\n"


def _file_with(tmp_path: Path, bad_entry: bytes) -> Path:
    path = tmp_path / "refs.bib"
    path.write_bytes(
        b"% refs\n" + GOOD_BEFORE.encode() + bad_entry + b"\n" + GOOD_AFTER.encode("utf-8")
    )
    return path


def _read_back(path: Path) -> tuple[list[str], list[str]]:
    from reader.parsing.corpus import parse_file

    parsed = parse_file(path)
    titles = sorted(paper.title or "" for paper in parsed.papers)
    return titles, [str(problem) for problem in parsed.problems]


def test_an_entry_nested_ten_thousand_braces_deep_is_reported_and_skipped(tmp_path: Path) -> None:
    deep = b"@misc{deep, title = {" + b"{" * 10_000 + b"x" + b"}" * 10_000 + b"}}"
    titles, problems = _read_back(_file_with(tmp_path, deep))
    assert titles == ["The entry after", "The entry before"]
    assert problems == [
        f"{tmp_path / 'refs.bib'}:3: error: entry 'deep' nests braces 10002 deep (at most 64); "
        "skipped"
    ]


def test_an_unclosed_ten_thousand_deep_nest_costs_only_its_own_entry(tmp_path: Path) -> None:
    deep = b"@misc{deep, title = {" + b"{" * 10_000 + b"x\n"
    titles, problems = _read_back(_file_with(tmp_path, deep))
    assert titles == ["The entry after", "The entry before"]
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'refs.bib'}:3: error: entry 'deep' could not")


def test_a_nul_byte_costs_only_its_own_entry(tmp_path: Path) -> None:
    titles, problems = _read_back(_file_with(tmp_path, b"@misc{nul, title = {Bad \x00 byte}}"))
    assert titles == ["The entry after", "The entry before"]
    assert problems == [
        f"{tmp_path / 'refs.bib'}:3: error: entry 'nul' contains a NUL byte; skipped"
    ]


def test_an_invalid_utf8_byte_costs_nothing_in_a_utf8_file(tmp_path: Path) -> None:
    bad = "@misc{latin, title = {Caf\u00e9 in Latin-1}, author = {Zo\u00eb}}".encode("cp1252")
    path = _file_with(tmp_path, bad)
    path.write_bytes(path.read_bytes() + "@misc{utf, title = {Déjà vu}}\n".encode())
    titles, problems = _read_back(path)
    assert titles == ["Café in Latin-1", "Déjà vu", "The entry after", "The entry before"]
    assert problems == [
        f"{tmp_path / 'refs.bib'}:3: warning: not valid UTF-8 (byte 0xe9); read this line as cp1252"
    ]


def test_a_legacy_file_is_still_decoded_whole(tmp_path: Path) -> None:
    path = tmp_path / "old.bib"
    path.write_bytes("@misc{a, title = {Café}}\n@misc{b, title = {Naïve}}\n".encode("cp1252"))
    titles, problems = _read_back(path)
    assert titles == ["Café", "Naïve"]
    assert problems == [
        f"{path}:1: warning: not valid UTF-8 (byte 0xe9); decoded the file as cp1252"
    ]


# --- Real files: names, types, inheritance, log lines (issue 9, item 8) -----------------

REAL_WORLD = r"""@string{jmlr = "Journal of Machine Learning Research"}
@string{jmlr = "J. Mach. Learn. Res."}
@string{vol = "1"}

@ARTICLE{Cesar2013,
  AUTHOR = {Jean C{\'e}sar{\"u} and M{\"u}ller, Hans and
            {\O}stergaard, S{\o}ren and Stra{\ss}e, A.},
  TITLE = {An amazing title},
  JOURNAL = jmlr,
  VOLUME = vol # "2",
  YEAR = {2013},
  MONTH = aug,
}

@inproceedings{child,
  author = {Child, Carl},
  crossref = {parent},
  pages = {1--10},
}

@proceedings{parent,
  title = {Proceedings of the Parent Conference},
  year = 2020,
  publisher = {ACM},
}

@xdata{shared, abstract = {An abstract that two entries share.}, year = 2019}

@misc{usesxdata, title = {Uses xdata}, xdata = {shared}}
"""


def test_real_world_entries_keep_type_inherit_and_read_names_as_unicode() -> None:
    parsed = parse_bibtex(REAL_WORLD, "real.bib")
    by_key = {paper.extra[IMPORTED_KEY]: paper for paper in parsed.papers}
    assert sorted(by_key) == ["Cesar2013", "child", "parent", "usesxdata"]

    cesar = by_key["Cesar2013"]
    assert cesar.authors == ("Jean Césarü", "Hans Müller", "Søren Østergaard", "A. Straße")
    assert cesar.extra[ENTRY_TYPE] == "article"
    assert cesar.extra["journal"] == "J. Mach. Learn. Res."  # the later @string wins
    assert cesar.extra["volume"] == "12"  # "#" concatenates
    assert cesar.date == "2013-08-01"

    child = by_key["child"]
    assert child.title == "Proceedings of the Parent Conference"  # inherited, not skipped
    assert child.year == 2020
    assert child.extra["publisher"] == "ACM"
    assert child.extra["pages"] == "1--10"
    assert by_key["usesxdata"].abstract == "An abstract that two entries share."
    assert by_key["usesxdata"].year == 2019

    assert [str(problem) for problem in parsed.problems] == [
        "real.bib:2: warning: @string 'jmlr' defined again; the later value is used"
    ]


def test_imported_type_and_names_are_exported_as_read() -> None:
    from reader.export.bibtex import to_bibtex

    parsed = parse_bibtex(REAL_WORLD, "real.bib")
    cesar = next(p for p in parsed.papers if p.extra[IMPORTED_KEY] == "Cesar2013")
    text = to_bibtex([cesar], {})
    assert text.startswith("@article{Cesar2013,\n")
    assert "  author = {Jean Césarü and Hans Müller and Søren Østergaard and A. Straße},\n" in text
    assert "  journal = {J. Mach. Learn. Res.},\n" in text
    assert "  volume = {12}" in text
    listing = Paper(id="x", title="T", authors=(), abstract="a")
    assert to_bibtex([listing], {}).startswith("@misc{")


def test_author_names_with_latex_are_searchable_as_letters(tmp_path: Path) -> None:
    path = tmp_path / "real.bib"
    path.write_text(REAL_WORLD, encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "c"), "XDG_DATA_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "reader", "search", "author:cesaru", str(path), "--json"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [record] = json.loads(result.stdout)
    assert record["authors"][0] == "Jean Césarü"


def test_bibtexparser_log_lines_never_reach_stderr_raw(tmp_path: Path) -> None:
    path = tmp_path / "broken.bib"
    deep = "@misc{deep, title = {" + "{" * 10_000 + "x" + "}" * 10_000 + "}}\n"
    path.write_text(
        "@misc{broken, title = {never closed\n@misc{fine, title = {Fine}}\n" + deep,
        encoding="utf-8",
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "c"), "XDG_DATA_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "reader", "parse", str(path)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    lines = result.stderr.splitlines()
    assert lines, "the broken entry must be reported"
    assert all(line.startswith(f"{path}:") for line in lines), result.stderr
    assert "Parsing of" not in result.stderr  # bibtexparser's own wording
    assert any(line.startswith(f"{path}:1: error: entry 'broken'") for line in lines)
    assert f"{path}:3: error: entry 'deep' nests braces 10002 deep (at most 64); skipped" in lines
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    assert "1 record" in result.stdout or "1 paper" in result.stdout, result.stdout


# --- arXiv ids -------------------------------------------------------------------------


def test_arxiv_ids_are_read_from_eprint_or_url_and_written_back() -> None:
    from reader.export.bibtex import to_bibtex

    parsed = parse_bibtex(
        "@misc{a, title = {A}, eprint = {2104.14294}, archivePrefix = {arXiv},"
        " primaryClass = {cs.CV}, url = {https://arxiv.org/abs/2104.14294}}\n"
        "@article{b, title = {B}, url = {https://arxiv.org/pdf/1508.00021v2.pdf}}\n"
        "@misc{c, title = {C}, eprint = {hep-th/9901001}, eprinttype = {arxiv}}\n"
        "@misc{d, title = {D}, eprint = {12345}, archiveprefix = {PubMed}}\n",
        "ids.bib",
    )
    by_key = {paper.extra[IMPORTED_KEY]: paper for paper in parsed.papers}
    assert by_key["a"].arxiv_id == "2104.14294"
    assert by_key["a"].category == "cs.CV"
    assert "eprint" not in by_key["a"].extra and "url" not in by_key["a"].extra
    assert by_key["b"].arxiv_id == "1508.00021v2"
    assert by_key["c"].arxiv_id == "hep-th/9901001"
    assert by_key["d"].arxiv_id is None and by_key["d"].extra["eprint"] == "12345"

    text = to_bibtex([by_key["a"]], {})
    assert "  eprint = {2104.14294},\n  archiveprefix = {arXiv},\n" in text
    assert "  url = {https://arxiv.org/abs/2104.14294}" in text
    (again,) = parse_bibtex(text, "again.bib").papers
    assert again.arxiv_id == "2104.14294"
    # A url of the user's own stays, beside the arXiv fields.
    b_text = to_bibtex([by_key["b"]], {})
    assert "url = {https://arxiv.org/pdf/1508.00021v2.pdf}" in b_text
    assert "eprint = {1508.00021v2}" in b_text


def test_arxiv_id_survives_pickling_as_the_last_field() -> None:
    import pickle

    paper = Paper(id="x", title="T", authors=(), abstract="a", arxiv_id="2104.14294")
    assert pickle.loads(pickle.dumps(paper)) == paper
    assert Paper.__dataclass_fields__.popitem()[0] == "arxiv_id"
