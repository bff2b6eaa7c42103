"""Property-based tests of the parsers: whatever the bytes, no exception escapes."""

from __future__ import annotations

import random
from itertools import chain
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.model.paper import Paper, paper_id
from reader.parsing.corpus import parse_bytes
from reader.parsing.merge import link_near_duplicates, merge_duplicates
from reader.parsing.names import split_title_authors

SAMPLE = Path(__file__).resolve().parent.parent / "sample_corpus"
DATED_RECORDS = (SAMPLE / "001_00bc72dca980dd80.txt").read_text(encoding="utf-8").split("\n")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(parsed_name: str, data: bytes) -> None:
    parsed = parse_bytes(data, parsed_name)
    for problem in parsed.problems:
        assert problem.path == parsed_name
        assert problem.line >= 0
    line_count = data.count(b"\n") + data.count(b"\r") + 1
    for paper in parsed.papers:
        assert paper.id
        assert 1 <= paper.sources[0].line <= line_count
        paper.display_title  # noqa: B018 - the display form must not raise either
    merge_duplicates(parsed.papers)


@FAST
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data: bytes) -> None:
    _check("random.bin", data)


@FAST
@given(st.text(max_size=2000))
def test_random_unicode_never_raises(text: str) -> None:
    _check("random.txt", text.encode("utf-8", "surrogatepass"))


@FAST
@given(
    st.lists(
        st.sampled_from(["LGApr 14, 2022", "CVNov 3, 2022Code", "Abstract:x", "Subscribe"]),
        max_size=30,
    ),
    st.lists(st.text(max_size=80), max_size=30),
)
def test_format_signatures_mixed_with_noise_never_raise(heads: list[str], noise: list[str]) -> None:
    lines = heads + noise
    random.Random(len(lines)).shuffle(lines)
    _check("mixed.txt", "\n".join(lines).encode("utf-8", "surrogatepass"))


@FAST
@given(st.randoms(use_true_random=False))
def test_reordered_dated_records_parse_to_the_same_papers(rng: random.Random) -> None:
    records = [DATED_RECORDS[i : i + 3] for i in range(0, len(DATED_RECORDS), 3)]
    shuffled = records[:]
    rng.shuffle(shuffled)
    original = parse_bytes("\n".join(chain.from_iterable(records)).encode(), "a.txt")
    reordered = parse_bytes("\n".join(chain.from_iterable(shuffled)).encode(), "b.txt")
    assert reordered.problems == []

    def key(paper: Paper) -> tuple[object, ...]:
        return (paper.id, paper.title, paper.authors, paper.date, paper.abstract)

    assert sorted(map(key, reordered.papers)) == sorted(map(key, original.papers))


@FAST
@given(st.text(max_size=300))
def test_title_author_split_never_loses_text(line: str) -> None:
    byline = split_title_authors(line)
    kept = byline.title + "".join(byline.authors) + "".join(byline.orgs)
    # Only separators (", ", " · ", " et al.", spaces) may disappear.
    assert sum(ch.isalnum() for ch in kept) >= sum(ch.isalnum() for ch in line) - len("etal")


@FAST
@given(st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=20))
def test_near_duplicate_links_are_symmetric(titles: list[str]) -> None:
    papers = merge_duplicates(
        Paper(id=paper_id(t, t), title=t, authors=(), abstract=t) for t in titles
    )
    link_near_duplicates(papers)
    by_id = {p.id: p for p in papers}
    for paper in papers:
        for other in paper.possible_duplicates:
            assert paper.id in by_id[other].possible_duplicates
