"""The learning engine on the sample corpus: features, labels, For you, reasons, more like
this, tag suggestions, rate to train, the feature cache and hostile text."""

from __future__ import annotations

import pickle
import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from reader.learning import (
    Cancelled,
    FeatureStore,
    LabelSettings,
    NeedsLabels,
    Ranking,
    Recommender,
    ShownPapers,
    UnknownPaper,
    features_for,
    shown_path,
)
from reader.learning import cache as feature_cache
from reader.learning.features import MAX_TOKEN_LENGTH, REFIT_GROWTH, analyze
from reader.model import Annotation, Paper
from reader.model.paper import paper_id
from reader.parsing.corpus import Corpus, load_corpus
from reader.paths import cache_dir

FLOW = "normalizing flow"


@pytest.fixture(scope="module")
def corpus(sample_corpus_dir: Path) -> Corpus:
    return load_corpus([sample_corpus_dir], use_cache=False)


@pytest.fixture(scope="module")
def store(corpus: Corpus) -> FeatureStore:
    return FeatureStore.build(corpus.papers)


@pytest.fixture
def recommender(corpus: Corpus, store: FeatureStore) -> Recommender:
    return Recommender(store, corpus.papers)


def _about(papers: Sequence[Paper], phrase: str) -> list[int]:
    return [
        i for i, p in enumerate(papers) if phrase in ((p.title or "") + " " + p.abstract).lower()
    ]


def _star(papers: Sequence[Paper], positions: Sequence[int]) -> dict[str, Annotation]:
    return {papers[i].id: Annotation(papers[i].id, starred=True) for i in positions}


def _skip(papers: Sequence[Paper], positions: Sequence[int]) -> dict[str, Annotation]:
    return {papers[i].id: Annotation(papers[i].id, status="skipped") for i in positions}


# --------------------------------------------------------------------------- features


def test_features_cover_every_field_and_rows_are_unit_length(
    corpus: Corpus, store: FeatureStore
) -> None:
    assert store.ids == [p.id for p in corpus.papers]
    norms = np.sqrt(np.asarray(store.matrix.multiply(store.matrix).sum(axis=1)).ravel())
    assert np.allclose(norms[norms > 0], 1.0, atol=1e-5)
    vocabulary = set(store.terms)
    assert {"reinforcement learning", "cat:lg", "org:meta-ai", "pascal vincent"} <= vocabulary
    assert not {"the", "of the", "we"} & vocabulary  # stop words are gone
    assert all(len(term) <= 2 * MAX_TOKEN_LENGTH + 1 for term in vocabulary)


def test_abstract_bigrams_need_two_long_words_and_other_fields_keep_all() -> None:
    abstract = "Reinforcement learning trains normalizing flow models, e.g. deep nets."
    paper = Paper("p1", "Normalizing Flow Priors", ("Pascal Vincent",), abstract)
    terms = analyze(paper)
    assert "reinforcement learning" in terms  # two long words
    assert "normalizing flow" in terms  # from the title, where every bigram counts
    assert terms.count("normalizing flow") == 1  # not again from the abstract
    assert "pascal vincent" in terms and "flow priors" in terms
    assert "flow models" not in terms and "deep nets" not in terms
    assert {"flow", "models", "deep", "nets", "trains"} <= set(terms)  # unigrams all stay
    assert "e" not in terms and "g" not in terms


def test_build_reports_progress_and_can_be_cancelled(corpus: Corpus) -> None:
    seen: list[tuple[int, int]] = []
    FeatureStore.build(corpus.papers, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, len(corpus.papers)) and seen[-1] == (len(corpus.papers),) * 2
    with pytest.raises(Cancelled):
        FeatureStore.build(corpus.papers, should_stop=lambda: True)


def test_new_papers_are_added_with_the_existing_vocabulary(corpus: Corpus) -> None:
    papers = list(corpus.papers)
    old = FeatureStore.build(papers[:600])
    grown = old.aligned(papers)  # 51 new papers: under the refit threshold
    assert grown.vectorizer is old.vectorizer and grown.terms is old.terms
    assert grown.ids == [p.id for p in papers] and grown.added_rows == 51
    expected = old.transform(papers, range(600, 651))
    assert (grown.matrix[600:] != expected).nnz == 0
    assert (grown.matrix[:600] != old.matrix).nnz == 0
    # The last 50 papers replaced by 51 others: the first 550 rows stay, the rest are new.
    replaced = old.aligned(papers[:550] + papers[600:])
    assert replaced.matrix.shape == (601, len(old.terms))
    assert (replaced.matrix[:550] != old.matrix[:550]).nnz == 0
    assert (replaced.matrix[550:] != expected).nnz == 0
    # Reordered and shrunk corpora keep each paper's row.
    shuffled = papers[::-1][:400]
    moved = grown.aligned(shuffled)
    assert moved.ids == [p.id for p in shuffled]
    row = grown.row_of[shuffled[7].id]
    assert (moved.matrix[7] != grown.matrix[row]).nnz == 0


def test_vocabulary_is_refit_when_the_corpus_grew_by_more_than_a_fifth(corpus: Corpus) -> None:
    papers = list(corpus.papers)
    fitted = int(len(papers) / (1 + REFIT_GROWTH)) - 5
    old = FeatureStore.build(papers[:fitted])
    grown = old.aligned(papers)
    assert grown.vectorizer is not old.vectorizer
    assert grown.fitted_rows == len(papers) and grown.added_rows == 0


def test_empty_and_wordless_corpora_have_no_columns() -> None:
    assert FeatureStore.build([]).matrix.shape == (0, 0)
    wordless = [Paper(paper_id(None, s), None, (), s) for s in ("% $ ~", "{ } \\", "the of")]
    store = FeatureStore.build(wordless)
    assert store.matrix.shape == (3, 0) and store.vectorizer is None
    recommender = Recommender(store, wordless)
    assert recommender.similar(wordless[0].id) == []
    annotations = _star(wordless, range(3))
    assert isinstance(recommender.rank_for_you(annotations), NeedsLabels)


# --------------------------------------------------------------------------- labels


def test_labels_from_annotations(corpus: Corpus, recommender: Recommender) -> None:
    p = corpus.papers
    annotations = {
        p[0].id: Annotation(p[0].id, starred=True),
        p[1].id: Annotation(p[1].id, tags=("ssl",)),
        p[2].id: Annotation(p[2].id, status="skipped"),
        p[3].id: Annotation(p[3].id, status="read"),
        p[4].id: Annotation(p[4].id, starred=True, status="skipped"),  # the star wins
        p[5].id: Annotation(p[5].id, note="only a note"),
        "not-in-corpus": Annotation("not-in-corpus", starred=True),
    }
    recommender.settings = LabelSettings(read_weight=0.25, unlabeled_sample=100)
    labels = recommender.labels(annotations)
    by_row = {
        int(r): (int(t), float(w))
        for r, t, w in zip(labels.rows, labels.targets, labels.weights, strict=True)
    }
    assert sorted(labels.positive_rows.tolist()) == [0, 1, 4]
    assert by_row[0] == (1, 1.0) and by_row[1] == (1, 1.0) and by_row[4] == (1, 1.0)
    assert by_row[2] == (0, 1.0)
    assert by_row[3] == (1, 0.25)
    unlabeled = [r for r, label in by_row.items() if label == (0, 0.2)]
    assert len(unlabeled) == 100 and min(unlabeled) >= 5
    assert labels.candidates[5] and not labels.annotated[5]  # a note alone is no label
    assert not labels.candidates[[0, 1, 2, 3, 4]].any() and labels.candidates[5:].all()
    tagged = recommender.labels(annotations, tag="ssl")
    assert tagged.positive_rows.tolist() == [1]


# --------------------------------------------------------------------------- For you


def test_a_topic_ranks_far_above_random(corpus: Corpus, recommender: Recommender) -> None:
    papers = corpus.papers
    topic = set(_about(papers, FLOW))
    rng = random.Random(3)
    starred = rng.sample(sorted(topic), 5)
    skipped = rng.sample([i for i in range(len(papers)) if i not in topic], 5)
    ranking = recommender.rank_for_you(_star(papers, starred) | _skip(papers, skipped))
    assert isinstance(ranking, Ranking)
    assert not set(ranking.order) & set(starred + skipped)
    assert len(ranking.order) == len(papers) - 10
    hits = sum(i in topic for i in ranking.order[:10])
    # A random ranking would find 16 / 651 of 10, i.e. 0.25 on average.
    assert hits >= 5
    rest = np.array(ranking.order)
    assert roc_auc_score(np.isin(rest, list(topic)), ranking.scores[rest]) > 0.9
    scores = ranking.scores[rest]
    assert (np.diff(scores) <= 0).all()  # best first
    assert recommender.latest is ranking


def test_for_you_needs_three_positive_labels(corpus: Corpus, recommender: Recommender) -> None:
    papers = corpus.papers
    two = _star(papers, [0, 1]) | {papers[2].id: Annotation(papers[2].id, status="read")}
    result = recommender.rank_for_you(two)
    assert isinstance(result, NeedsLabels)
    assert (result.positives, result.needed) == (2, 3)
    assert "3 starred or tagged papers" in result.message and "there are 2" in result.message
    assert recommender.latest is None
    tagged = recommender.rank_for_you(two, tag="ssl")
    assert isinstance(tagged, NeedsLabels) and "tagged 'ssl'" in tagged.message


def test_a_corpus_of_only_starred_papers_has_nothing_to_contrast(corpus: Corpus) -> None:
    papers = list(corpus.papers[:5])
    recommender = Recommender(FeatureStore.build(papers), papers)
    result = recommender.rank_for_you(_star(papers, range(5)))
    assert isinstance(result, NeedsLabels) and result.no_negatives
    assert "besides the starred or tagged papers" in result.message


def test_limit_and_unread_only(corpus: Corpus, recommender: Recommender) -> None:
    papers = corpus.papers
    annotations = _star(papers, _about(papers, FLOW)[:5])
    read = _about(papers, "diffusion model")[:3]
    annotations |= {papers[i].id: Annotation(papers[i].id, status="read") for i in read}
    ranking = recommender.rank_for_you(annotations, limit=7)
    assert isinstance(ranking, Ranking) and len(ranking.order) == 7
    full = recommender.rank_for_you(annotations)
    assert isinstance(full, Ranking)
    assert ranking.order == full.order[:7]
    assert not set(read) & set(full.order)


def test_a_retrain_can_be_cancelled(corpus: Corpus, recommender: Recommender) -> None:
    annotations = _star(corpus.papers, _about(corpus.papers, FLOW)[:5])
    with pytest.raises(Cancelled):
        recommender.rank_for_you(annotations, should_stop=lambda: True)
    assert recommender.latest is None


def test_reasons_name_terms_and_the_nearest_starred_paper(
    corpus: Corpus, recommender: Recommender
) -> None:
    papers = corpus.papers
    flows = _about(papers, FLOW)
    ranking = recommender.rank_for_you(_star(papers, flows[:5]))
    assert isinstance(ranking, Ranking)
    top = papers[ranking.order[0]]
    reasons = recommender.reasons(top.id)
    assert reasons is not None
    assert any("flow" in term.term or "normalizing" in term.term for term in reasons.terms)
    weights = [term.weight for term in reasons.terms]
    assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)
    assert reasons.nearest in {papers[i].id for i in flows[:5]}
    assert 0 < reasons.nearest_similarity <= 1
    with pytest.raises(UnknownPaper):
        recommender.reasons("no-such-id")


def test_tag_ranking_uses_that_tags_papers(corpus: Corpus, recommender: Recommender) -> None:
    papers = corpus.papers
    flows, rl = _about(papers, FLOW), _about(papers, "reinforcement learning")
    annotations = {papers[i].id: Annotation(papers[i].id, tags=("flows",)) for i in flows[:5]}
    annotations |= {papers[i].id: Annotation(papers[i].id, tags=("rl",)) for i in rl[:5]}
    ranking = recommender.rank_for_you(annotations, tag="rl", limit=10)
    assert isinstance(ranking, Ranking) and ranking.tag == "rl"
    assert recommender.latest is None  # reasons keep explaining For you
    assert sum(i in rl for i in ranking.order) >= 4
    assert not set(ranking.order) & set(rl[:5])


# --------------------------------------------------------------------------- more like this


def test_similar_finds_near_duplicates(corpus: Corpus, recommender: Recommender) -> None:
    linked = [p for p in corpus.papers if p.possible_duplicates]
    assert linked
    for paper in linked:
        neighbours = recommender.similar(paper.id, 3)
        assert neighbours[0].id in paper.possible_duplicates
        assert paper.id not in {n.id for n in neighbours}
        similarities = [n.similarity for n in neighbours]
        assert similarities == sorted(similarities, reverse=True) and similarities[0] <= 1.0001


def test_similar_stays_on_topic(corpus: Corpus, recommender: Recommender) -> None:
    papers = corpus.papers
    topic = set(_about(papers, "self-supervised"))
    paper = papers[min(topic)]
    neighbours = recommender.similar(paper.id, 5)
    assert len(neighbours) == 5
    assert sum(n.position in topic for n in neighbours) >= 3
    assert all(corpus.papers[n.position].id == n.id for n in neighbours)
    with pytest.raises(UnknownPaper):
        recommender.similar("no-such-id")


# --------------------------------------------------------------------------- tags


def test_suggest_tags_after_tagging_three_papers(corpus: Corpus, recommender: Recommender) -> None:
    papers = corpus.papers
    flows, ssl = _about(papers, FLOW), _about(papers, "self-supervised")
    annotations = {papers[i].id: Annotation(papers[i].id, tags=("flows",)) for i in flows[:3]}
    annotations |= {papers[i].id: Annotation(papers[i].id, tags=("ssl",)) for i in ssl[:4]}
    annotations[papers[ssl[5]].id] = Annotation(papers[ssl[5]].id, tags=("rare",))
    annotations[papers[ssl[6]].id] = Annotation(papers[ssl[6]].id, tags=("rare",))
    flow_suggestions = recommender.suggest_tags(papers[flows[8]].id, annotations)
    assert [s.tag for s in flow_suggestions] == ["flows", "ssl"]  # "rare" has 2 papers
    assert flow_suggestions[0].score > flow_suggestions[1].score
    ssl_suggestions = recommender.suggest_tags(papers[ssl[10]].id, annotations)
    assert ssl_suggestions[0].tag == "ssl"
    # A tag the paper already has is not suggested again.
    own = papers[ssl[0]].id
    assert "ssl" not in [s.tag for s in recommender.suggest_tags(own, annotations)]
    assert recommender.suggest_tags(own, {}) == []


# --------------------------------------------------------------------------- rate to train


def test_uncertain_papers_are_unlabeled_and_each_shown_once(
    corpus: Corpus, recommender: Recommender, tmp_path: Path
) -> None:
    papers = corpus.papers
    annotations = _star(papers, _about(papers, FLOW)[:5]) | _skip(papers, [1, 2, 3])
    assert isinstance(recommender.uncertain({}), NeedsLabels)
    shown = ShownPapers(shown_path(tmp_path / "reading_list.json"))
    first = recommender.uncertain(annotations, 20, exclude=shown.ids)
    assert isinstance(first, list) and len(first) == 20
    assert not {papers[i].id for i in first} & set(annotations)
    ranking = recommender.latest
    assert ranking is not None
    margins = np.abs(ranking.scores[first])
    assert (np.diff(margins) >= 0).all()
    assert shown.add(papers[i].id for i in first)
    again = ShownPapers(shown_path(tmp_path / "reading_list.json"))  # re-read from disk
    assert again.path.name == "reading_list.shown.json"
    second = recommender.uncertain(annotations, 20, exclude=again.ids)
    assert isinstance(second, list) and not set(first) & set(second)


def test_a_damaged_shown_file_reads_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "reading_list.shown.json"
    for junk in (b"\xff\x00{", b'{"a": 1}', b"[1, 2, null]"):
        path.write_bytes(junk)
        assert ShownPapers(path).ids == frozenset()
    shown = ShownPapers(path)
    assert shown.add(["x", "y"])
    assert ShownPapers(path).ids == {"x", "y"}


# --------------------------------------------------------------------------- the cache


def _entry(corpus: Corpus) -> Path:
    assert corpus.cache_key is not None
    return cache_dir() / f"features-{corpus.cache_key}.pickle"


def test_features_are_cached_beside_the_search_index(sample_corpus_dir: Path) -> None:
    corpus = load_corpus([sample_corpus_dir])
    built = features_for(corpus)
    assert _entry(corpus).is_file()
    loaded = features_for(corpus)
    assert loaded is not built and loaded.ids == built.ids
    assert (loaded.matrix != built.matrix).nnz == 0 and loaded.terms == built.terms


@pytest.mark.parametrize(
    "damage",
    [
        "garbage",
        "truncated",
        "wrong columns",
        "not a dict",
        "rows overlap",
        "other version",
        "not finite",
    ],
)
def test_a_damaged_feature_cache_is_rebuilt(sample_corpus_dir: Path, damage: str) -> None:
    corpus = load_corpus([sample_corpus_dir])
    good = features_for(corpus)
    path = _entry(corpus)
    data = path.read_bytes()
    state = pickle.loads(data)
    if damage == "garbage":
        path.write_bytes(b"\x80\x05not a pickle at all")
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        if damage == "wrong columns":
            state["indices"] = state["indices"] + state["columns"]
        elif damage == "rows overlap":
            state["indptr"] = state["indptr"][::-1].copy()
        elif damage == "other version":
            state["version"] = -1
        elif damage == "not finite":
            state["data"][3] = np.nan
        else:
            state = ["a", "list"]
        path.write_bytes(pickle.dumps(state))
    rebuilt = features_for(corpus)
    assert rebuilt.ids == good.ids and (rebuilt.matrix != good.matrix).nnz == 0
    assert feature_cache._load(path) is not None  # the entry was rewritten whole


def test_a_changed_corpus_updates_the_previous_entry(
    sample_corpus_dir: Path, tmp_path: Path
) -> None:
    files = sorted(sample_corpus_dir.iterdir())
    for f in files:
        (tmp_path / f.name).write_bytes(f.read_bytes())
    everything = sorted(tmp_path.iterdir())
    small = load_corpus([everything[0], *everything[2:]])  # 50 papers fewer
    first = features_for(small)
    big = load_corpus(everything)
    assert big.cache_key != small.cache_key
    grown = features_for(big)
    new = len(big.papers) - len(set(big.by_id) & set(small.by_id))
    assert 0 < new <= REFIT_GROWTH * len(small.papers)
    assert grown.terms == first.terms and grown.added_rows == new
    assert grown.ids == [p.id for p in big.papers]
    assert _entry(big).is_file()


# --------------------------------------------------------------------------- hostile text

HOSTILE = st.sampled_from(
    [
        "{ } % \\ $ ~",
        "\x00",
        "\udcff\udc80",
        "\x1b[31mred\x1b]8;;http://x\x07link",
        "[bold]bold[/bold]",
        "\u202eevil\u202c",
        "\\frac{1}{0} $\\alpha$ \\",
        "x" * 100_000,
        "ab " * 30_000,
    ]
)
TEXT = st.one_of(HOSTILE, st.text(max_size=200), st.lists(HOSTILE, max_size=3).map(" ".join))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(titles=st.lists(TEXT, min_size=4, max_size=6), abstract=TEXT, tag=TEXT)
def test_hostile_text_never_breaks_learning(titles: list[str], abstract: str, tag: str) -> None:
    base = "normalizing flows for density estimation with invertible maps"
    papers = [
        Paper(f"id{i}", title, (title[:50],), abstract + " " + base, category=title[:5] or None)
        for i, title in enumerate(titles)
    ]
    papers.append(Paper("plain", "Plain", ("A B",), "unrelated words about bandits"))
    store = FeatureStore.build(papers)
    assert all(term.isprintable() and len(term) <= 2 * MAX_TOKEN_LENGTH + 5 for term in store.terms)
    recommender = Recommender(store, papers)
    annotations = {p.id: Annotation(p.id, starred=True, tags=(tag,)) for p in papers[:3]}
    ranking = recommender.rank_for_you(annotations)
    if isinstance(ranking, Ranking):
        for position in ranking.order:
            reasons = recommender.reasons(papers[position].id)
            assert reasons is not None
            assert all(t.term.isprintable() for t in reasons.terms)
    recommender.similar(papers[0].id)
    for suggestion in recommender.suggest_tags(papers[-1].id, annotations):
        assert suggestion.tag == tag


def test_starting_the_app_does_not_import_scikit_learn() -> None:
    """scikit-learn and scipy cost about a second to import: the app's first screen must
    not wait for them (features are built later, in a worker, which imports them)."""
    import subprocess
    import sys

    script = (
        "import sys, reader.ui.app, reader.cli;"
        "print(sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
