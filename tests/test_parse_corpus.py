"""The three listing formats on the shipped sample corpus, merging and id stability."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from reader.model.paper import paper_id
from reader.parsing.corpus import load_corpus, parse_bytes, parse_file
from reader.parsing.listings import ABSTRACT_LIST, DATED_LISTING, TRENDING_LIST

DATA = Path(__file__).parent / "data"


def test_sample_corpus_counts(sample_corpus_dir: Path) -> None:
    corpus = load_corpus([sample_corpus_dir])
    assert corpus.record_count == 671
    assert len(corpus.papers) == 651
    assert corpus.problems == []
    assert [f.format for f in corpus.files] == [
        ABSTRACT_LIST,
        DATED_LISTING,
        TRENDING_LIST,
        TRENDING_LIST,
        TRENDING_LIST,
    ]


def test_abstract_list_records(sample_corpus_dir: Path) -> None:
    parsed = parse_file(sample_corpus_dir / "000_769fdd035e1e3cf2.txt")
    assert len(parsed.papers) == 10
    first = parsed.papers[0]
    assert first.title is None
    assert first.orgs == ("UCL",)
    assert first.authors == ()
    assert first.abstract.startswith("We address the task of uplifting visual features")
    assert first.sources[0].line == 2


def test_dated_listing_matches_reviewed_records(sample_corpus_dir: Path) -> None:
    expected = json.loads((DATA / "dated_listing_expected.json").read_text(encoding="utf-8"))
    parsed = parse_file(sample_corpus_dir / "001_00bc72dca980dd80.txt")
    actual = [
        {
            "line": p.sources[0].line,
            "category": p.category,
            "date": p.date,
            "has_code": p.has_code,
            "title": p.title,
            "authors": list(p.authors),
            "authors_truncated": p.authors_truncated,
            "orgs": list(p.orgs),
        }
        for p in parsed.papers
    ]
    assert actual == expected
    assert all(p.abstract for p in parsed.papers)


def test_trending_list_strips_chrome_and_subscribe(sample_corpus_dir: Path) -> None:
    parsed = parse_file(sample_corpus_dir / "002_91f212dc20fdba46.txt")
    assert parsed.problems == []
    first = parsed.papers[0]
    assert first.title == "End-to-End Meta-Bayesian Optimisation with Transformer Neural Processes"
    assert first.sources[0].line == 3
    assert first.abstract.startswith("Meta-Bayesian optimisation (meta-BO) aims")
    assert all(p.title and not p.title.startswith("Subscribe") for p in parsed.papers)


def test_exact_duplicates_merge_with_every_source_and_richest_fields(
    sample_corpus_dir: Path,
) -> None:
    corpus = load_corpus([sample_corpus_dir])
    pitfalls = next(p for p in corpus.papers if p.title and p.title.startswith("The Pitfalls"))
    assert [s.line for s in pitfalls.sources] == [58, 209]
    # The dated listing brings authors, date and category the trending list lacks.
    assert pitfalls.authors[0] == "Reza Bayat"
    assert pitfalls.date == "2024-12-10"
    assert pitfalls.category == "LG"
    spline = next(p for p in corpus.papers if p.title == "Neural Spline Flows")
    assert len(spline.sources) == 3


def test_near_duplicates_link_both_ways(sample_corpus_dir: Path) -> None:
    corpus = load_corpus([sample_corpus_dir])
    deepmesh = next(p for p in corpus.papers if p.title and p.title.startswith("DeepMesh:"))
    meshsdf = next(p for p in corpus.papers if p.title and p.title.startswith("MeshSDF:"))
    assert deepmesh.id != meshsdf.id
    assert deepmesh.possible_duplicates == (meshsdf.id,)
    assert meshsdf.possible_duplicates == (deepmesh.id,)


def test_ids_are_stable_across_order_line_endings_and_whitespace(
    sample_corpus_dir: Path, tmp_path: Path
) -> None:
    baseline = {p.id for p in load_corpus([sample_corpus_dir]).papers}
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    for index, source in enumerate(sorted(sample_corpus_dir.iterdir(), reverse=True)):
        text = source.read_text(encoding="utf-8")
        # CRLF, trailing spaces and blank lines must not change any id.
        text = "\r\n".join(line + "  " for line in text.split("\n")) + "\r\n\r\n"
        (shuffled / f"{index}_{source.name}").write_text(text, encoding="utf-8", newline="")
    assert {p.id for p in load_corpus([shuffled]).papers} == baseline


def test_id_folds_case_accents_punctuation_and_spacing() -> None:
    assert paper_id("Do SSL Models Have Déjà Vu?", "") == paper_id(
        "do ssl models have deja vu", "x"
    )
    assert paper_id("Neural  Spline\tFlows", "") == paper_id("Neural Spline Flows.", "")
    assert paper_id("B\\'{e}zier curves", "") == paper_id("Bézier Curves", "")
    assert paper_id("A", "") != paper_id("B", "")
    assert paper_id(None, "Same abstract.") == paper_id(None, "same  abstract")


def test_repeated_sample_file_merges_into_itself(sample_corpus_dir: Path, tmp_path: Path) -> None:
    source = sample_corpus_dir / "001_00bc72dca980dd80.txt"
    shutil.copy(source, tmp_path / "copy.txt")
    corpus = load_corpus([source, tmp_path / "copy.txt"])
    assert corpus.record_count == 100
    assert len(corpus.papers) == 50
    assert all(len(p.sources) == 2 for p in corpus.papers)


def test_dated_listing_on_unseen_text() -> None:
    text = (
        "stat.MLFeb 29, 2024Code\n"
        "Kernel Methods for Time Series: A SurveyJean-Pierre Dupont, Ana María García · inria\n"
        "We survey kernels. Results: $+60\\%$ accuracy.\n"
        "ROSeptember 3, 2019\n"
        "Robots in the WildO'Brien Kelly, Wei Zhang\n"
        "Robots are tested in the wild.\n"
    )
    parsed = parse_bytes(text.encode(), "unseen.txt")
    assert parsed.format == DATED_LISTING
    assert parsed.problems == []
    first, second = parsed.papers
    assert (first.category, first.date, first.has_code) == ("stat.ML", "2024-02-29", True)
    assert first.title == "Kernel Methods for Time Series: A Survey"
    assert first.authors == ("Jean-Pierre Dupont", "Ana María García")
    assert first.orgs == ("inria",)
    assert (second.category, second.date, second.has_code) == ("RO", "2019-09-03", False)
    assert second.title == "Robots in the Wild"
    assert second.authors == ("O'Brien Kelly", "Wei Zhang")


def test_abstract_list_with_several_institution_blocks() -> None:
    text = "UCL\nAbstract:First abstract.\nMIT, CSAIL\nAbstract: Second abstract.\n"
    parsed = parse_bytes(text.encode(), "blocks.txt")
    assert parsed.format == ABSTRACT_LIST
    assert [p.orgs for p in parsed.papers] == [("UCL",), ("MIT", "CSAIL")]
    assert [p.sources[0].line for p in parsed.papers] == [2, 4]


def test_trending_list_without_chrome_is_detected_by_shape() -> None:
    abstract = "This paper studies a problem in depth. " * 12
    text = f"A Short Title\n{abstract}\nAnother Title\n{abstract}x\n"
    parsed = parse_bytes(text.encode(), "digest.txt")
    assert parsed.format == TRENDING_LIST
    assert [p.title for p in parsed.papers] == ["A Short Title", "Another Title"]
