"""Adding files to a cached corpus parses only the new files, and gives exactly the corpus a
from-scratch load gives: the same papers in the same order, ids, merged duplicates, near
duplicate links, sources and problems (issue 12)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reader.parsing.corpus as corpus_module
from reader.model.paper import Paper, paper_id
from reader.parsing.corpus import LINK, MERGE, PARSE, SAVE, finish_loading, load_corpus

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import ABSTRACTS, DATED, TRENDING, file_text, generate


def _fmt(paper: Paper) -> str:
    return DATED if paper.authors else TRENDING if paper.title else ABSTRACTS


def _pool() -> dict[str, list[Paper]]:
    """Papers by format, with exact duplicates across formats and near duplicates."""
    base = generate(60, 11)
    pool: dict[str, list[Paper]] = {DATED: [], TRENDING: [], ABSTRACTS: []}
    for paper in base:
        pool[_fmt(paper)].append(paper)
    for paper in list(pool[DATED])[:8]:
        # The same paper on a trending page: merges with the dated record (same id).
        pool[TRENDING].append(Paper(paper.id, paper.title, (), paper.abstract + " More."))
        # A renamed version: a near duplicate by title or abstract, linked, not merged.
        assert paper.title is not None
        title = paper.title + "s"
        pool[DATED].append(replace(paper, id=paper_id(title, paper.abstract), title=title))
    return pool


POOL = _pool()


def _json(corpus: corpus_module.Corpus) -> list[dict[str, object]]:
    return [paper.to_json() for paper in corpus.papers]


def _write_files(directory: Path, files: list[tuple[str, list[int]]]) -> list[Path]:
    paths = []
    for number, (fmt, picks) in enumerate(files):
        papers = [POOL[fmt][i % len(POOL[fmt])] for i in picks]
        path = directory / f"{number:03d}_{fmt}.txt"
        path.write_text(file_text(fmt, papers), encoding="utf-8")
        paths.append(path)
    return paths


FILES = st.lists(
    st.tuples(
        st.sampled_from([DATED, TRENDING, ABSTRACTS]),
        st.lists(st.integers(0, 40), min_size=1, max_size=8),
    ),
    min_size=2,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=FILES, first=st.integers(1, 5))
def test_adding_files_one_by_one_equals_a_full_parse(
    tmp_path_factory: pytest.TempPathFactory, files: list[tuple[str, list[int]]], first: int
) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        _add_one_by_one(tmp_path_factory, monkeypatch, files, first)


def _add_one_by_one(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    files: list[tuple[str, list[int]]],
    first: int,
) -> None:
    directory = tmp_path_factory.mktemp("corpus")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    paths = _write_files(directory, files)
    first = min(first, len(paths) - 1)
    hidden = tmp_path_factory.mktemp("later")
    for path in paths[first:]:
        path.rename(hidden / path.name)
    load_corpus([directory])  # the cached corpus of the first files

    parsed: list[str] = []
    real_parse = corpus_module.parse_file

    def recording_parse(path: Path) -> object:
        parsed.append(path.name)
        return real_parse(path)

    def no_full_merge(*_: object) -> None:
        raise AssertionError("re-merged the whole corpus instead of adding to it")

    real_merge = corpus_module.merge_duplicates
    monkeypatch.setattr(corpus_module, "parse_file", recording_parse)
    monkeypatch.setattr(corpus_module, "merge_duplicates", no_full_merge)
    for path in paths[first:]:  # the daily routine: one new file at a time
        (hidden / path.name).rename(path)
        parsed.clear()
        incremental = load_corpus([directory])
        assert parsed == [path.name]  # only the new file was parsed
    monkeypatch.setattr(corpus_module, "parse_file", real_parse)
    monkeypatch.setattr(corpus_module, "merge_duplicates", real_merge)

    full = load_corpus([directory], use_cache=False)
    assert _json(incremental) == _json(full)
    assert incremental.problems == full.problems
    assert [f.records for f in incremental.files] == [f.records for f in full.files]
    # And the next start is served whole from the cache, still equal.
    assert _json(load_corpus([directory])) == _json(full)


def test_the_pool_has_merges_and_links(tmp_path: Path) -> None:
    """The property above is only worth something if duplicates occur in it."""
    _write_files(tmp_path, [(DATED, list(range(40))), (TRENDING, list(range(40)))])
    corpus = load_corpus([tmp_path], use_cache=False)
    assert any(len(p.sources) > 1 for p in corpus.papers)
    assert sum(1 for p in corpus.papers if p.possible_duplicates) >= 8


def test_changed_file_in_the_middle_is_parsed_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _write_files(tmp_path, [(DATED, [1, 2]), (TRENDING, [3, 4]), (DATED, [5])])
    load_corpus([tmp_path])
    paths[1].write_text(file_text(TRENDING, [POOL[TRENDING][7]]), encoding="utf-8")
    parsed: list[str] = []
    real_parse = corpus_module.parse_file
    monkeypatch.setattr(
        corpus_module, "parse_file", lambda path: parsed.append(path.name) or real_parse(path)
    )
    again = load_corpus([tmp_path])
    assert parsed == [paths[1].name]
    monkeypatch.setattr(corpus_module, "parse_file", real_parse)
    assert _json(again) == _json(load_corpus([tmp_path], use_cache=False))


def test_progress_goes_phase_by_phase_and_never_rests_full(tmp_path: Path) -> None:
    _write_files(tmp_path, [(DATED, list(range(40))), (TRENDING, list(range(40)))])
    calls: list[tuple[str, int, int]] = []
    corpus = load_corpus([tmp_path], progress=lambda *call: calls.append(call), link=False)
    assert not corpus.linked
    assert all(not p.possible_duplicates for p in corpus.papers)  # searchable, not linked
    finish_loading(corpus, progress=lambda *call: calls.append(call))
    assert corpus.linked and any(p.possible_duplicates for p in corpus.papers)
    phases = [phase for phase, _, _ in calls]
    # Each cache write is announced, so no display shows the phase before it at 100%: the
    # unlinked snapshot before linking, the linked corpus after.
    assert next(p for p in phases if p in (SAVE, LINK)) == SAVE and phases[-1] == SAVE
    phases = [phase for phase in phases if phase != SAVE]
    assert phases == sorted(phases, key=[PARSE, MERGE, LINK].index)  # in order, each once
    for (phase, done, total), following in zip(calls, [*calls[1:], None], strict=True):
        assert 0 <= done <= total
        if done == total and following is not None:
            assert following[0] != phase  # full only when the phase is over


def test_quitting_while_linking_still_leaves_a_warm_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_files(tmp_path, [(DATED, list(range(40))), (TRENDING, list(range(40)))])
    corpus = load_corpus([tmp_path], link=False)

    class Quit(Exception):
        pass

    def interrupted(*_: object, **__: object) -> None:
        raise Quit  # the user quits while near duplicates are still being linked

    with monkeypatch.context() as patch:
        patch.setattr(corpus_module.Linker, "add", interrupted)
        with pytest.raises(Quit):
            finish_loading(corpus)

    def fail(path: Path) -> None:
        raise AssertionError(f"parsed {path} again")

    with monkeypatch.context() as patch:
        patch.setattr(corpus_module, "parse_file", fail)
        again = load_corpus([tmp_path], link=False)  # warm: served from the snapshot
        assert not again.linked
        finish_loading(again)  # linking resumes
    assert _json(again) == _json(load_corpus([tmp_path], use_cache=False))
    assert load_corpus([tmp_path], link=False).linked  # and is cached linked now
