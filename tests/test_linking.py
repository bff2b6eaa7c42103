"""Near-duplicate linking (issue 12): exactly the links it found before on real data, every
renamed duplicate the synthetic generator plants, the same links whether a corpus is linked
at once or file by file, and no crash and no unjustified link on hostile text."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from reader.model.paper import Paper, fold_text, paper_id
from reader.parsing.corpus import load_corpus, parse_bytes
from reader.parsing.merge import Linker, apply_links, link_near_duplicates, merge_duplicates
from reader.paths import cache_dir

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.linking import planted_pairs
from benchmarks.synthetic import generate

Pairs = set[tuple[str, str]]


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _links(papers: list[Paper], linker: Linker) -> Pairs:
    return {_pair(papers[a].id, papers[b].id) for a, bs in linker.links.items() for b in bs}


def _justified(a: Paper, b: Paper) -> bool:
    """The rule a link must satisfy: titles or abstract openings at least 90% alike."""

    def similar(x: str, y: str) -> bool:
        x, y = fold_text(x), fold_text(y)
        return bool(x and y) and fuzz.ratio(x, y) >= 90

    return similar(a.title or "", b.title or "") or similar(a.abstract[:400], b.abstract[:400])


def test_sample_corpus_links_exactly_the_renamed_papers(sample_corpus_dir: Path) -> None:
    """The two pairs linked before issue 12's faster linker, and nothing else."""
    corpus = load_corpus([sample_corpus_dir], use_cache=False)
    linked = {
        tuple(sorted((paper.title or "", by_id.title or "")))
        for by_id_map in [{p.id: p for p in corpus.papers}]
        for paper in corpus.papers
        for other in paper.possible_duplicates
        for by_id in [by_id_map[other]]
    }
    assert linked == {
        (
            "DeepMesh: Differentiable Iso-Surface Extraction",
            "MeshSDF: Differentiable Iso-Surface Extraction",
        ),
        (
            "Correctness of Automatic Differentiation via Diffeologies and Categorical Gluing",
            "Higher Order Automatic Differentiation of Higher Order Functions",
        ),
    }


@cache
def _synthetic(n: int) -> tuple[list[Paper], frozenset[tuple[str, str]]]:
    papers = merge_duplicates(generate(n, 7))
    ids = {paper.id for paper in papers}
    planted = frozenset(p for p in planted_pairs(n, 7) if set(p) <= ids)
    return papers, planted


def test_every_planted_renamed_duplicate_is_linked_and_every_link_is_justified() -> None:
    papers, planted = _synthetic(4000)
    assert len(planted) >= 25  # 1% of the papers are renamed versions of an earlier one
    linker = Linker()
    linker.add(papers, range(len(papers)))
    links = _links(papers, linker)
    assert planted <= links
    by_id = {paper.id: paper for paper in papers}
    for a, b in links:
        assert _justified(by_id[a], by_id[b]), (by_id[a].title, by_id[b].title)


def _incremental(papers: list[Paper], cuts: list[int], changed: list[int]) -> Linker:
    """Link ``papers`` batch by batch, the Linker pickled between batches as the cache
    keeps it; then re-link the ``changed`` positions (a merge gave them a richer record)."""
    linker = Linker()
    start = 0
    for cut in [*sorted({min(cut, len(papers)) for cut in cuts}), len(papers)]:
        if cut > start:
            linker.add(papers, range(start, cut))
            linker = pickle.loads(pickle.dumps(linker, protocol=pickle.HIGHEST_PROTOCOL))
            start = cut
    if changed:
        linker.add(papers, changed)
    return linker


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cuts=st.lists(st.integers(0, 1500), max_size=6),
    changed=st.lists(st.integers(0, 1499), max_size=20),
    data=st.data(),
)
def test_linking_batch_by_batch_equals_linking_at_once(
    cuts: list[int], changed: list[int], data: st.DataObject
) -> None:
    base, planted = _synthetic(1500)
    papers = list(base)
    linked_before_change = _incremental(papers, cuts, [])
    # A changed record keeps its id and position but may gain text (merge_into's richest
    # fields): here a longer abstract or a title, which can make or break links.
    for position in changed:
        paper = papers[position]
        extra = data.draw(st.sampled_from([" Extended version.", "", " With appendix."]))
        papers[position] = replace(
            paper,
            title=paper.title or data.draw(st.sampled_from([None, "Untitled note"])),
            abstract=paper.abstract + extra,
        )
    linker = linked_before_change
    linker.add(papers, changed)
    full = Linker()
    full.add(papers, range(len(papers)))
    assert _links(papers, linker) == _links(papers, full)
    assert planted <= _links(papers, full)


# ---------------------------------------------------------------------------- hostile text

HOSTILE = st.one_of(
    st.text(alphabet="{}%\\$~^_&#\x00\u202e\u202d\u200f ab\n\t", max_size=80),
    st.sampled_from(
        [
            "$O(d^{2})$ bounds for \\textsc{Retrace} with \\citep{dai2018sbeed}",
            "\\frac{1}{2} $\\alpha$-divergence {\\em and} e.g.~SMPL",
            "\u202eevil\u202c title [bold]x[/bold] \x1b[31mred\x1b[0m",
            "\\begin{equation} x \\end{equation} $$ unclosed {",
            "%s %(name)s {0} {} \x00",
        ]
    ),
    st.text(max_size=120),
)
TEXTS = st.builds(lambda a, b: a + " " + b, HOSTILE, HOSTILE)


def _paper(title: str | None, abstract: str) -> Paper:
    return Paper(paper_id(title, abstract), title, (), abstract)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.one_of(st.none(), TEXTS), TEXTS), min_size=1, max_size=12),
    st.integers(0, 12),
)
def test_hostile_text_never_crashes_or_links_unrelated_papers(
    records: list[tuple[str | None, str]], cut: int
) -> None:
    papers = merge_duplicates(_paper(title, abstract) for title, abstract in records)
    full = Linker()
    full.add(papers, range(len(papers)))
    by_id = {paper.id: paper for paper in papers}
    links = _links(papers, full)
    for a, b in links:
        assert _justified(by_id[a], by_id[b])
    assert _links(papers, _incremental(papers, [cut], [])) == links
    apply_links(papers, full, range(len(papers)))
    for paper in papers:
        for other in paper.possible_duplicates:
            assert paper.id in by_id[other].possible_duplicates


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.binary(max_size=120), st.binary(min_size=1, max_size=400)),
        min_size=1,
        max_size=8,
    )
)
def test_parsed_hostile_bytes_link_without_crashing(records: list[tuple[bytes, bytes]]) -> None:
    """Invalid UTF-8, NUL, escapes: whatever the parser makes of a listing's bytes links,
    and only by the rule. Each record is pasted twice, the second time renamed."""
    lines: list[bytes] = []
    for title, abstract in records:
        for version in (b"", b" v2"):
            lines += [b"Abstract:" + abstract.replace(b"\n", b" ") + version]
            lines += [b"LGApr 14, 2022", title.replace(b"\n", b" ") + version + b"Ann Lee"]
            lines += [abstract.replace(b"\n", b" ")]
    parsed = parse_bytes(b"\n".join(lines), "hostile.txt")
    papers = merge_duplicates(parsed.papers)
    full = Linker()
    full.add(papers, range(len(papers)))
    by_id = {paper.id: paper for paper in papers}
    links = _links(papers, full)
    for a, b in links:
        assert _justified(by_id[a], by_id[b])
    assert _links(papers, _incremental(papers, [len(papers) // 2], [])) == links


@pytest.mark.parametrize(
    "blob",
    [
        "x" * 100_000,
        ("{ } % \\ $ ~ \x00 \u202e " * 6000)[:100_000],
        ("word$\\alpha$ " * 10_000)[:100_000],
        " ".join(f"w{i:05d}" for i in range(16_000))[:100_000],
    ],
    ids=["one-word", "symbols", "latex", "many-words"],
)
def test_100_kb_titles_and_abstracts_link_only_their_own_copies(blob: str) -> None:
    papers = [
        _paper(blob, blob),
        _paper(blob + " v2", blob + " Revised."),  # a renamed copy: linked
        _paper("Unrelated short title here", "Nothing in common with the others at all."),
        _paper(None, blob[: len(blob) // 2]),  # untitled, half of the abstract
    ]
    link_near_duplicates(papers)
    if any(ch.isalnum() for ch in blob):
        assert papers[1].id in papers[0].possible_duplicates
    else:  # no word to block on: nothing can be a candidate (as before issue 12)
        assert not any(paper.possible_duplicates for paper in papers)
    assert not papers[2].possible_duplicates
    by_id = {paper.id: paper for paper in papers}
    for paper in papers:
        for other in paper.possible_duplicates:
            assert _justified(paper, by_id[other])


def test_a_linker_pickled_by_another_version_does_not_load() -> None:
    """The cache stores the Linker; blocks of another key scheme would miss candidates, so
    an old one must be a cache miss (read_entry turns the error into None), never used."""
    papers, _ = _synthetic(1500)
    linker = Linker()
    linker.add(papers, range(100))
    again = pickle.loads(pickle.dumps(linker))
    assert _links(papers, again) == _links(papers, linker)
    stale = Linker.__new__(Linker)
    with pytest.raises(ValueError):
        stale.__setstate__([{1: [0]}, [(1,)], {}])  # the old dataclass's state: a list


def test_a_cache_with_an_old_linker_is_linked_again_from_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A corpus cached by an older version, then a new file: the stale Linker is refused,
    and the result is exactly a from-scratch load, links included."""
    from benchmarks.synthetic import DATED, file_text

    papers, _ = _synthetic(1500)
    dated = [p for p in papers if p.authors][:300]
    # The new file: renamed versions of old papers, so every link it brings crosses files.
    renamed = [
        replace(p, id=paper_id(f"{p.title}s", p.abstract), title=f"{p.title}s") for p in dated[:20]
    ]
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    (corpus_dir / "a.txt").write_text(file_text(DATED, dated), encoding="utf-8")
    load_corpus([corpus_dir])
    cached = list(cache_dir().glob("links-*.pickle"))
    assert len(cached) == 1
    with monkeypatch.context() as patch:  # pickled as the old dataclass did: a list of fields
        patch.setattr(Linker, "__getstate__", lambda _: [{7: [0, 1]}, [(7,), (7,)], {0: {1}}])
        cached[0].write_bytes(pickle.dumps(Linker()))
    (corpus_dir / "b.txt").write_text(file_text(DATED, renamed), encoding="utf-8")
    grown = load_corpus([corpus_dir])
    full = load_corpus([corpus_dir], use_cache=False)
    assert [p.to_json() for p in grown.papers] == [p.to_json() for p in full.papers]
    new_ids = {p.id for p in renamed}
    crossing = [p for p in full.papers if p.id in new_ids and p.possible_duplicates]
    assert len(crossing) == len(renamed)


def test_a_warm_start_does_not_import_numpy(tmp_path: Path) -> None:
    """Linking's numpy is imported only when papers are linked: a start served whole from
    the cache (list, search index, links) never pays for it."""
    script = (
        "import sys; from pathlib import Path;"
        "from reader.parsing.corpus import finish_loading, load_corpus;"
        "c = load_corpus([Path(sys.argv[1])], link=False); finish_loading(c);"
        "print(c.linked, 'numpy' in sys.modules)"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    corpus = str(Path(__file__).resolve().parent.parent / "sample_corpus")
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, corpus], env=env, capture_output=True, text=True
        )
        for _ in range(2)
    ]
    assert [run.stdout.split() for run in runs] == [["True", "True"], ["True", "False"]]
