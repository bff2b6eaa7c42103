"""SearchEngine on hand-made papers: matching, ranking, filters, sorting, cancellation."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.model.annotation import Annotation
from reader.model.paper import Paper, paper_id
from reader.search import SearchEngine, SortKey, expansion, highlight_spans, parse_query, ranking
from reader.search import engine as engine_module

NO_ANNOTATIONS: dict[str, Annotation] = {}


def make(
    title: str | None,
    abstract: str = "An abstract about nothing in particular.",
    *,
    authors: Sequence[str] = (),
    date: str | None = None,
    **fields: object,
) -> Paper:
    return Paper(paper_id(title, abstract), title, tuple(authors), abstract, date=date, **fields)  # type: ignore[arg-type]


def titles(engine_papers: Sequence[Paper], indices: Sequence[int]) -> list[str | None]:
    return [engine_papers[i].title for i in indices]


def search_titles(papers: Sequence[Paper], text: str, **options: object) -> list[str | None]:
    result = SearchEngine(papers).search(text, NO_ANNOTATIONS, **options)  # type: ignore[arg-type]
    return titles(papers, result.indices)


# ------------------------------------------------------------------ matching


def test_title_matches_rank_above_author_matches_above_abstract_matches() -> None:
    # Dates are the reverse of the expected order, so date cannot explain the ranking.
    papers = [
        make("Kernel methods", authors=["Ann Lee"], date="2020-01-01", abstract="By Vincent."),
        make("Graph networks", authors=["Pascal Vincent"], date="2021-01-01"),
        make("Vincent's theorem revisited", date="2019-01-01"),
        make("Unrelated", date="2024-01-01"),
    ]
    assert search_titles(papers, "vincent ") == [
        "Vincent's theorem revisited",
        "Graph networks",
        "Kernel methods",
    ]


def test_exact_word_ranks_above_prefix_and_typo_matches() -> None:
    papers = [
        make("Flows everywhere", date="2024-01-01"),
        make("A flaw in the flow", date="2020-01-01"),
    ]
    assert search_titles(papers, "flow")[0] == "A flaw in the flow"


def test_typos_are_tolerated() -> None:
    papers = [
        make("End-to-End Meta-Bayesian Optimisation with Transformer Neural Processes"),
        make("Optimal transport for domain adaptation"),
        make("Bayesian deep learning"),
    ]
    assert search_titles(papers, "bayesain optimzation") == [
        "End-to-End Meta-Bayesian Optimisation with Transformer Neural Processes"
    ]
    assert search_titles(papers, "transfomer ") == [papers[0].title]
    # Like most fuzzy matchers, the first letter must be right.
    assert search_titles(papers, "vayesian ") == []


def test_real_words_are_not_corrected_into_other_real_words() -> None:
    papers = [make("The flow of time"), make("The flaw of logic")]
    assert search_titles(papers, "flaw ") == ["The flaw of logic"]


def test_short_words_get_no_typo_expansion() -> None:
    papers = [make("Cat videos"), make("Car crashes")]
    assert search_titles(papers, "cay ") == []


def test_case_and_accents_are_ignored_both_ways() -> None:
    papers = [
        make("Identifiability", authors=["Vitória Barin-Pacela"], date="2023-01-01"),
        make("Disentanglement", authors=["Vitoria Barin-Pacela"], date="2022-01-01"),
        make("Other", authors=["Vit\\'{o}ria Latex"], date="2021-01-01"),
    ]
    assert search_titles(papers, "vitoria") == ["Identifiability", "Disentanglement", "Other"]
    assert search_titles(papers, "VITÓRIA ") == ["Identifiability", "Disentanglement", "Other"]


def test_last_word_is_a_prefix_only_while_typing() -> None:
    papers = [make("Transformers are graph networks")]
    assert search_titles(papers, "transf") == [papers[0].title]
    assert search_titles(papers, "transf ") == []
    assert search_titles(papers, "transf graph") == []


def test_all_words_are_required() -> None:
    papers = [make("Graph kernels"), make("Graph networks"), make("Kernel networks")]
    assert search_titles(papers, "graph kernels ") == ["Graph kernels"]


def test_field_scoped_words_only_look_in_that_field() -> None:
    papers = [
        make("Flow matching", authors=["A B"], date="2023-01-01"),
        make("Kernels", authors=["Jean Flow"], date="2022-01-01"),
        make("Priors", abstract="We study flow models.", date="2021-01-01"),
    ]
    assert search_titles(papers, "title:flow ") == ["Flow matching"]
    assert search_titles(papers, "author:flow ") == ["Kernels"]
    assert search_titles(papers, "abstract:flow ") == ["Priors"]


def test_phrases_need_adjacent_words_in_order_plurals_allowed() -> None:
    papers = [
        make("Normalizing flow models", date="2024-01-01"),
        make("Normalizing flowers", date="2023-06-01"),
        make("Normalizing flows", date="2023-05-01"),
        make("Flow normalizing tricks", date="2023-01-01"),
        make("Priors", abstract="A normalizing-flow prior.", date="2022-01-01"),
        make("Normalizing the flow", date="2021-01-01"),
    ]
    found = search_titles(papers, '"normalizing flow"')
    # Title matches first (the closer title first), then the abstract match.
    assert found == ["Normalizing flows", "Normalizing flow models", "Priors"]
    assert search_titles(papers, 'abstract:"normalizing flow"') == ["Priors"]
    assert search_titles(papers, '-"normalizing flow" normalizing') == [
        "Normalizing flowers",
        "Flow normalizing tricks",
        "Normalizing the flow",
    ]


def test_quoted_word_is_exact_apart_from_plurals() -> None:
    papers = [
        make("Kernel trick", date="2024-01-01"),
        make("Kernels", date="2023-01-01"),
        make("Kernelized bandits", date="2022-01-01"),
        make("Kernal typo", date="2021-01-01"),
    ]
    assert search_titles(papers, '"kernel"') == ["Kernel trick", "Kernels"]


def test_negation_excludes_words_and_fields() -> None:
    papers = [
        make("Graph kernels", date="2022-01-01"),
        make("Graph networks", authors=["Kim Kernel"], date="2021-01-01"),
        make("Graph priors", date="2020-01-01"),
    ]
    assert search_titles(papers, "graph -kernels ") == ["Graph networks", "Graph priors"]
    assert search_titles(papers, "graph -author:kernel ") == ["Graph kernels", "Graph priors"]


def test_punctuated_words_match_their_parts() -> None:
    papers = [make("Meta-BO for hyperparameters"), make("Meta learning")]
    assert search_titles(papers, "meta-bo ") == ["Meta-BO for hyperparameters"]


def test_latex_in_titles_is_searchable_by_its_words() -> None:
    papers = [make('$\\alpha$-divergences and \\emph{robust} M\\"{u}ller estimators')]
    for text in ("alpha ", "divergences ", "robust ", "muller "):
        assert search_titles(papers, text) == [papers[0].title], text


# ------------------------------------------------------------------ filters

DATED = [
    make("Paper 2019", date="2019-06-01", category="LG", has_code=True, orgs=("Mila",)),
    make("Paper 2020", date="2020-12-31", category="CV", orgs=("Meta-AI", "mila")),
    make("Paper 2021", date="2021-01-01", category="lg"),
    make("Paper 2023", date="2023-03-03", has_code=True),
    make("Paper undated"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("year:2020..2021", ["Paper 2021", "Paper 2020"]),
        ("year:2021..2020", ["Paper 2021", "Paper 2020"]),
        ("year:2020", ["Paper 2020"]),
        ("year:>=2021", ["Paper 2023", "Paper 2021"]),
        ("year:>2021", ["Paper 2023"]),
        ("year:<2020", ["Paper 2019"]),
        ("year:<=2020", ["Paper 2020", "Paper 2019"]),
        ("year:..2019", ["Paper 2019"]),
        ("year:2022..", ["Paper 2023"]),
        ("year:1990", []),
        ("-year:2020..2023", ["Paper 2019", "Paper undated"]),
        ("cat:lg", ["Paper 2021", "Paper 2019"]),
        ("cat:CV", ["Paper 2020"]),
        ("-cat:LG", ["Paper 2023", "Paper 2020", "Paper undated"]),
        ("has:code", ["Paper 2023", "Paper 2019"]),
        ("-has:code", ["Paper 2021", "Paper 2020", "Paper undated"]),
        ("org:mila", ["Paper 2020", "Paper 2019"]),
        ("org:meta-ai", ["Paper 2020"]),
        ("org:me", ["Paper 2020"]),
        ("has:code year:2019", ["Paper 2019"]),
    ],
)
def test_record_filters(text: str, expected: list[str]) -> None:
    assert search_titles(DATED, text) == expected


def annotated(papers: Sequence[Paper]) -> dict[str, Annotation]:
    return {
        papers[0].id: Annotation(papers[0].id, starred=True, tags=("ML", "my tag")),
        papers[1].id: Annotation(papers[1].id, status="read", note="  "),
        papers[2].id: Annotation(papers[2].id, status="skipped", note="good", tags=("ml",)),
        "not-loaded": Annotation("not-loaded", starred=True, tags=("ml",), status="read"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is:starred", ["Paper 2019"]),
        ("-is:starred", ["Paper 2023", "Paper 2021", "Paper 2020", "Paper undated"]),
        ("is:unread", ["Paper 2023", "Paper 2019", "Paper undated"]),
        ("is:read", ["Paper 2020"]),
        ("is:skipped", ["Paper 2021"]),
        ("-is:read", ["Paper 2023", "Paper 2021", "Paper 2019", "Paper undated"]),
        ("has:note", ["Paper 2021"]),
        ("tag:ml", ["Paper 2021", "Paper 2019"]),
        ("tag:ML -is:skipped", ["Paper 2019"]),
        ('tag:"my tag"', ["Paper 2019"]),
        ("tag:my", []),
        ("-tag:ml", ["Paper 2023", "Paper 2020", "Paper undated"]),
    ],
)
def test_annotation_filters(text: str, expected: list[str]) -> None:
    result = SearchEngine(DATED).search(text, annotated(DATED))
    assert titles(DATED, result.indices) == expected


def test_malformed_filter_is_ignored_with_a_hint() -> None:
    result = SearchEngine(DATED).search("year:abc paper", NO_ANNOTATIONS)
    assert result.hint is not None and "year" in result.hint
    assert len(result.indices) == len(DATED)


# ------------------------------------------------------------------ ordering


def test_empty_query_lists_everything_newest_first_undated_last() -> None:
    result = SearchEngine(DATED).search("", NO_ANNOTATIONS)
    assert titles(DATED, result.indices) == [
        "Paper 2023",
        "Paper 2021",
        "Paper 2020",
        "Paper 2019",
        "Paper undated",
    ]
    assert result.total == len(DATED) and not result.cancelled and result.hint is None


def test_sort_keys_cycle_and_order_results() -> None:
    cycle = [key.next() for key in (SortKey.RELEVANCE, SortKey.DATE, SortKey.TITLE)]
    assert [*cycle, SortKey.FOR_YOU.next()] == [
        SortKey.DATE,
        SortKey.TITLE,
        SortKey.FOR_YOU,  # ordered by the learner above the engine (reader.ui.learner)
        SortKey.RELEVANCE,
    ]
    papers = [
        make("beta kernels", date="2020-01-01"),
        make("Alpha kernels", date="2019-01-01"),
        make("Gamma", abstract="kernels", date="2024-01-01"),
    ]
    assert search_titles(papers, "kernels", sort=SortKey.TITLE) == [
        "Alpha kernels",
        "beta kernels",
        "Gamma",
    ]
    assert search_titles(papers, "kernels", sort=SortKey.DATE) == [
        "Gamma",
        "beta kernels",
        "Alpha kernels",
    ]
    assert search_titles(papers, "", sort=SortKey.TITLE) == [
        "Alpha kernels",
        "beta kernels",
        "Gamma",
    ]
    # For you is date order in the engine; the learner reorders it in the app.
    for text in ("kernels", ""):
        by_date = search_titles(papers, text, sort=SortKey.DATE)
        assert search_titles(papers, text, sort=SortKey.FOR_YOU) == by_date


def test_limit_caps_the_list_but_total_counts_every_match() -> None:
    papers = [make(f"Kernel paper {n}", date=f"20{10 + n}-01-01") for n in range(8)]
    engine = SearchEngine(papers)
    for text in ("kernel", ""):
        result = engine.search(text, NO_ANNOTATIONS, limit=3)
        assert result.total == 8
        assert titles(papers, result.indices) == [
            "Kernel paper 7",
            "Kernel paper 6",
            "Kernel paper 5",
        ]


def test_past_the_ranked_cap_matches_follow_newest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    papers = [
        make("Old kernel", date="2001-01-01"),
        make("Older kernel", date="2000-01-01"),
        make("New", abstract="kernel", date="2024-01-01"),
        make("Newer", abstract="kernel", date="2025-01-01"),
        make("Mid kernel", date="2010-01-01"),
    ]
    monkeypatch.setattr(ranking, "RANKED_CAP", 2)
    # Two best-ranked (title matches, newest first), then everything else by date.
    assert search_titles(papers, "kernel") == [
        "Mid kernel",
        "Old kernel",
        "Newer",
        "New",
        "Older kernel",
    ]
    assert search_titles(papers, "kernel", limit=3) == ["Mid kernel", "Old kernel", "Newer"]


def test_within_restricts_to_the_previous_result() -> None:
    papers = [make("Graph kernels"), make("Graph networks"), make("Kernel networks")]
    engine = SearchEngine(papers)
    previous = engine.search("graph", NO_ANNOTATIONS)
    narrowed = engine.search("graph net", NO_ANNOTATIONS, within=previous.indices)
    assert titles(papers, narrowed.indices) == ["Graph networks"]
    # A caller-made list works too, and nothing outside it is returned.
    assert engine.search("networks", NO_ANNOTATIONS, within=[0, 2]).indices == [2]
    assert engine.search("", NO_ANNOTATIONS, within=[2, 0]).indices == [0, 2]


def test_should_stop_cancels_the_search() -> None:
    papers = [make(f"Kernel paper {n}") for n in range(5)]
    engine = SearchEngine(papers)
    result = engine.search("kernel paper", NO_ANNOTATIONS, should_stop=lambda: True)
    assert result.cancelled and result.indices == []
    calls = []

    def stop_later() -> bool:
        calls.append(1)
        return len(calls) > 2

    assert engine.search("kernel paper", NO_ANNOTATIONS, should_stop=stop_later).cancelled
    assert not engine.search("kernel paper", NO_ANNOTATIONS, should_stop=lambda: False).cancelled


def test_concurrent_searches_agree_with_sequential_ones() -> None:
    papers = [
        make(f"Kernel graph paper {n} t{n % 7}x", date=f"20{10 + n % 15}-01-01") for n in range(60)
    ]
    engine = SearchEngine(papers)
    queries = ["kernel", "t1", "graph -t2x", "paper year:2015..2020", "k", "t", '"graph paper"']
    expected = {text: engine.search(text, NO_ANNOTATIONS).indices for text in queries}
    engine.clear_caches()

    def run(worker: int) -> list[bool]:
        return [
            engine.search(text, NO_ANNOTATIONS).indices == expected[text]
            for text in queries[worker % 3 :] * 5
        ]

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(all(results) for results in pool.map(run, range(8)))


def test_capped_expansion_is_reported_as_truncated(monkeypatch: pytest.MonkeyPatch) -> None:
    papers = [make(f"Item t{n}x") for n in range(50)]
    engine = SearchEngine(papers)
    assert not engine.search("t", NO_ANNOTATIONS).truncated
    monkeypatch.setattr(expansion, "MAX_SPARSE_IDS", 10)
    engine = SearchEngine(papers)
    result = engine.search("t", NO_ANNOTATIONS)
    assert result.truncated and 0 < len(result.indices) < 50


def test_capped_phrase_check_is_reported_as_truncated(monkeypatch: pytest.MonkeyPatch) -> None:
    papers = [make(f"Normalizing flow {n}") for n in range(5)]
    monkeypatch.setattr(engine_module, "PHRASE_CHECK_BUDGET", 2)
    result = SearchEngine(papers).search('"normalizing flow"', NO_ANNOTATIONS)
    assert result.truncated and len(result.indices) == 2


# ------------------------------------------------------------------ persistence


def test_engine_pickles_and_state_round_trips() -> None:
    engine = SearchEngine(DATED)
    expected = engine.search("paper year:2020..", NO_ANNOTATIONS).indices
    restored = pickle.loads(pickle.dumps(engine))
    assert restored.search("paper year:2020..", NO_ANNOTATIONS).indices == expected
    state = pickle.loads(pickle.dumps(engine.to_state()))
    rebuilt = SearchEngine.from_state(state, DATED)
    assert rebuilt.search("paper year:2020..", NO_ANNOTATIONS).indices == expected
    assert rebuilt.search("is:read", annotated(DATED)).indices == [DATED.index(DATED[1])]
    with pytest.raises(ValueError, match="does not belong"):
        SearchEngine.from_state(state, DATED[:2])
    with pytest.raises(ValueError, match="does not belong"):
        SearchEngine.from_state(state, list(reversed(DATED)))


def test_build_reports_progress() -> None:
    seen: list[tuple[int, int]] = []
    SearchEngine(DATED, progress=lambda done, total: seen.append((done, total)))
    total = seen[0][1]
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert total > len(DATED)  # compacting the lists counts too
    done = [step for step, _ in seen]
    assert done == sorted(done) and done.count(total) == 1  # full only at the very end


def test_empty_corpus() -> None:
    engine = SearchEngine([])
    for text in ("", "flow", "is:unread", "year:2020", '"a b"', "t"):
        result = engine.search(text, NO_ANNOTATIONS)
        assert result.indices == [] and result.total == 0


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet='ab -:"é.2019<>=tagyearis', max_size=25))
def test_any_query_runs_without_error(text: str) -> None:
    result = _SMALL_ENGINE.search(text, annotated(DATED), SortKey.TITLE)
    assert len(set(result.indices)) == len(result.indices)
    assert all(0 <= i < len(DATED) for i in result.indices)


_SMALL_ENGINE = SearchEngine(DATED)


# ------------------------------------------------------------------ highlights


def test_highlight_spans_cover_exact_prefix_and_typo_matches() -> None:
    title = "Bayesian Optimisation of Vitória's Flows"
    spans = highlight_spans(title, parse_query("bayesain vitoria flo"))
    assert [title[start:end] for start, end in spans] == ["Bayesian", "Vitória's", "Flows"]


def test_highlight_spans_ignore_negated_and_other_fields() -> None:
    title = "Graph kernels by Vincent"
    assert highlight_spans(title, parse_query("-graph author:vincent kernels ")) == [(6, 13)]
    assert highlight_spans(title, parse_query("")) == []
    assert highlight_spans("", parse_query("graph")) == []


def test_highlight_spans_merge_adjacent_words_of_a_phrase_only_when_touching() -> None:
    title = "Normalizing flow"
    assert highlight_spans(title, parse_query('"normalizing flow"')) == [(0, 11), (12, 16)]
