"""Recommendations over a feature store: "For you", reasons, more like this, tag suggestions
and the papers worth rating next.

The classifier is scikit-learn's ``LinearSVC`` (as in arxiv-sanity), trained on the labels of
``labels.py`` with balanced class weights; a paper's score is its signed distance from the
margin. Training sees only the labelled papers and a fixed-size unlabeled sample, so a retrain
costs the same at 10^5 papers as at 10^3; scoring every paper is one sparse matrix-vector
product. Everything that takes ``should_stop`` polls it between steps and raises
``Cancelled`` when it turns true (the app cancels a retrain when the next label arrives).

Thread safety: a ``Recommender`` only reads its feature store; results are new objects. The
latest completed ranking is kept for ``reasons`` and replaced in one assignment.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from reader.model import Annotation, Paper

from .features import Cancelled, FeatureStore
from .labels import Labels, LabelSettings, labels_from

ShouldStop = Callable[[], bool]
# Regularisation, checked with benchmarks/recommend.py on the sample corpus: C from 0.05 to 2
# moved mean precision@10 by at most 0.02; at 10 it fell (5 stars were memorised).
_C = 0.5
_REASON_TERMS = 5
_MIN_TAG_PAPERS = 3


class UnknownPaper(KeyError):
    """A paper id that is not in the corpus."""


@dataclass(frozen=True, slots=True)
class NeedsLabels:
    """Too few labels to train: what the user has, and what is needed."""

    positives: int
    needed: int
    tag: str | None = None
    # True when there are enough positives but nothing to contrast them with (every paper
    # in the corpus is starred or tagged).
    no_negatives: bool = False

    @property
    def message(self) -> str:
        what = f"papers tagged {self.tag!r}" if self.tag is not None else "starred or tagged papers"
        if self.no_negatives:
            return f"needs papers besides the {what} to tell them apart from"
        return f"needs at least {self.needed} {what} to learn from; there are {self.positives}"


@dataclass(frozen=True, slots=True)
class Term:
    term: str
    weight: float  # coefficient x tf-idf: this term's share of the score


@dataclass(frozen=True, slots=True)
class Reasons:
    terms: tuple[Term, ...]
    nearest: str | None  # id of the most similar paper the model learned as positive
    nearest_similarity: float


@dataclass(frozen=True, slots=True)
class Neighbour:
    position: int  # into the corpus's papers
    id: str
    similarity: float  # cosine, 0..1


@dataclass(frozen=True, slots=True)
class TagSuggestion:
    tag: str
    score: float  # distance from that tag's margin; positive means "looks tagged"


@dataclass(frozen=True, eq=False)
class Ranking:
    """A trained model and its ranking of the candidates (unread, not already liked)."""

    order: list[int]  # corpus positions, best first (at most ``limit``)
    # Every corpus position's signed distance from the margin (sort any list with it).
    scores: npt.NDArray[np.float32]
    positives: int
    tag: str | None
    coef: npt.NDArray[np.float32]
    positive_rows: npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class _TagModels:
    signature: object  # the tags and skips they were trained on
    tags: list[str]
    coefs: npt.NDArray[np.float32]
    biases: npt.NDArray[np.float64]


class Recommender:
    """Learning over one corpus. ``features`` must be aligned with ``papers``."""

    def __init__(
        self,
        features: FeatureStore,
        papers: Sequence[Paper],
        settings: LabelSettings | None = None,
    ) -> None:
        if len(features) != len(papers):
            raise ValueError("the feature store does not belong to these papers")
        self.features = features
        self.papers = papers
        self.settings = settings or LabelSettings()
        self.latest: Ranking | None = None
        self._tag_models: _TagModels | None = None

    # ------------------------------------------------------------------ training

    def labels(self, annotations: Mapping[str, Annotation], tag: str | None = None) -> Labels:
        return labels_from(
            annotations, self.features.row_of, len(self.features), self.settings, tag
        )

    def _fit(self, labels: Labels) -> tuple[npt.NDArray[np.float32], float] | None:
        """Weights and bias of a linear model, or None when there is only one class."""
        targets = labels.targets
        if (
            len(targets) == 0
            or targets.min() == targets.max()
            or self.features.matrix.shape[1] == 0
        ):
            return None
        # A fixed seed for liblinear's coordinate order: the same labels give the same ranking.
        # Imported here: scikit-learn costs about a second to import (see features.py).
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.svm import LinearSVC

        model = LinearSVC(C=_C, class_weight="balanced", random_state=0)
        with warnings.catch_warnings():
            # A few unconverged iterations still rank well; the warning would reach the UI.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(self.features.matrix[labels.rows], targets, sample_weight=labels.weights)
        coef: npt.NDArray[np.float32] = model.coef_[0].astype(np.float32)
        return coef, float(model.intercept_[0])

    def rank_for_you(
        self,
        annotations: Mapping[str, Annotation],
        *,
        tag: str | None = None,
        limit: int | None = None,
        should_stop: ShouldStop | None = None,
    ) -> Ranking | NeedsLabels:
        """Retrain on ``annotations`` and rank the unread papers not already starred or tagged
        (with ``tag``: not already tagged so), best first. Raises Cancelled when stopped."""
        stop = should_stop or _never
        labels = self.labels(annotations, tag)
        needed = self.settings.min_positives
        if labels.positives < needed:
            return NeedsLabels(labels.positives, needed, tag)
        if stop():
            raise Cancelled
        model = self._fit(labels)
        if model is None:  # every paper is a positive: nothing to tell apart
            return NeedsLabels(labels.positives, needed, tag, no_negatives=True)
        if stop():
            raise Cancelled
        coef, intercept = model
        scores = np.asarray(self.features.matrix @ coef, dtype=np.float32)
        scores += np.float32(intercept)
        if stop():
            raise Cancelled
        order = _best_first(scores, np.flatnonzero(labels.candidates), limit)
        ranking = Ranking(order, scores, labels.positives, tag, coef, labels.positive_rows)
        if tag is None:  # ``latest`` explains the For you view, not a one-off tag ranking
            self.latest = ranking
        return ranking

    # ------------------------------------------------------------------ explaining

    def reasons(self, paper_id: str, ranking: Ranking | None = None) -> Reasons | None:
        """Why ``paper_id`` scores as it does in ``ranking`` (default: the latest one): the
        terms that add most to its score, and the nearest paper the model learned from."""
        ranking = ranking or self.latest
        if ranking is None:
            return None
        row = self._row(paper_id)
        matrix = self.features.matrix
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        columns, values = matrix.indices[start:end], matrix.data[start:end]
        contributions = ranking.coef[columns] * values
        terms: list[Term] = []
        chosen_words: set[str] = set()
        for k in np.argsort(-contributions):
            if contributions[k] <= 0 or len(terms) == _REASON_TERMS:
                break
            term = self.features.terms[columns[k]]
            words = set(term.split(" "))
            if words <= chosen_words:  # "flow" after "normalizing flow" says nothing new
                continue
            chosen_words |= words
            terms.append(Term(term, float(contributions[k])))
        nearest, similarity = None, 0.0
        others = ranking.positive_rows[ranking.positive_rows != row]
        if len(others) and len(columns):
            similarities = (matrix[others] @ matrix[row].T).toarray().ravel()
            best = int(np.argmax(similarities))
            if similarities[best] > 0:
                nearest = self.features.ids[int(others[best])]
                similarity = float(similarities[best])
        return Reasons(tuple(terms), nearest, similarity)

    # ------------------------------------------------------------------ more like this

    def similar(self, paper_id: str, k: int = 10) -> list[Neighbour]:
        """The ``k`` papers most similar to ``paper_id`` by cosine, most similar first.
        Raises UnknownPaper for an id that is not in the corpus."""
        row = self._row(paper_id)
        matrix = self.features.matrix
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if start == end or k <= 0:
            return []
        query = np.zeros(matrix.shape[1], dtype=np.float32)
        query[matrix.indices[start:end]] = matrix.data[start:end]
        similarities = np.asarray(matrix @ query, dtype=np.float32)
        similarities[row] = -1.0
        best = _top(similarities, k)
        return [
            Neighbour(int(i), self.features.ids[int(i)], float(similarities[i]))
            for i in best
            if similarities[i] > 0
        ]

    # ------------------------------------------------------------------ tags

    def suggest_tags(
        self, paper_id: str, annotations: Mapping[str, Annotation], limit: int = 3
    ) -> list[TagSuggestion]:
        """Tags (with at least 3 papers) whose one-vs-rest classifier scores ``paper_id``
        highest, best first; tags the paper already has are left out."""
        row = self._row(paper_id)
        models = self._tag_classifiers(annotations)
        if not models.tags:
            return []
        scores = np.asarray(self.features.matrix[row] @ models.coefs.T).ravel() + models.biases
        tags = models.tags
        own = annotations.get(paper_id)
        have = set(own.tags) if own is not None else set()
        ranked = sorted(zip(tags, scores, strict=True), key=lambda pair: -pair[1])
        return [TagSuggestion(t, float(s)) for t, s in ranked if t not in have][:limit]

    def _tag_classifiers(self, annotations: Mapping[str, Annotation]) -> _TagModels:
        """One model per tag, retrained only when some paper's tags or status changed."""
        row_of = self.features.row_of
        signature = tuple(
            sorted(
                (pid, note.tags, note.status)
                for pid, note in annotations.items()
                if pid in row_of and (note.tags or note.status == "skipped")
            )
        )
        cached = self._tag_models
        if cached is not None and cached.signature == signature:
            return cached
        counts: dict[str, int] = {}
        for pid, note in annotations.items():
            if pid in row_of:
                for tag in note.tags:
                    counts[tag] = counts.get(tag, 0) + 1
        tags = sorted(t for t, n in counts.items() if n >= _MIN_TAG_PAPERS)
        coefs = np.zeros((len(tags), self.features.matrix.shape[1]), dtype=np.float32)
        kept: list[str] = []
        biases: list[float] = []
        for tag in tags:
            model = self._fit(self.labels(annotations, tag))
            if model is not None:
                coefs[len(kept)] = model[0]
                biases.append(model[1])
                kept.append(tag)
        result = _TagModels(signature, kept, coefs[: len(kept)], np.array(biases))
        self._tag_models = result
        return result

    # ------------------------------------------------------------------ active learning

    def uncertain(
        self,
        annotations: Mapping[str, Annotation],
        n: int = 20,
        *,
        exclude: Collection[str] = (),
        should_stop: ShouldStop | None = None,
    ) -> list[int] | NeedsLabels:
        """Corpus positions of the ``n`` unannotated papers nearest the decision boundary
        (most uncertain first), skipping ids in ``exclude`` (those already shown)."""
        ranking = self.rank_for_you(annotations, limit=0, should_stop=should_stop)
        if isinstance(ranking, NeedsLabels):
            return ranking
        labels = self.labels(annotations)
        eligible = labels.candidates & ~labels.annotated
        row_of = self.features.row_of
        for paper_id in exclude:
            row = row_of.get(paper_id)
            if row is not None:
                eligible[row] = False
        rows = np.flatnonzero(eligible)
        distance = np.abs(ranking.scores[rows])
        return [int(rows[i]) for i in _top(-distance, n)]

    # ------------------------------------------------------------------ helpers

    def _row(self, paper_id: str) -> int:
        row = self.features.row_of.get(paper_id)
        if row is None:
            raise UnknownPaper(paper_id)
        return row


def _never() -> bool:
    return False


def _top(values: npt.NDArray[np.float32], k: int) -> list[int]:
    """Indices of the ``k`` largest values, largest first (ties by position)."""
    if k <= 0 or len(values) == 0:
        return []
    head = np.argpartition(-values, k - 1)[:k] if k < len(values) else np.arange(len(values))
    return [int(i) for i in head[np.lexsort((head, -values[head]))]]


def _best_first(
    scores: npt.NDArray[np.float32], rows: npt.NDArray[np.int64], limit: int | None
) -> list[int]:
    if limit is not None:
        return [int(rows[i]) for i in _top(scores[rows], limit)]
    order = np.lexsort((rows, -scores[rows]))
    return [int(i) for i in rows[order]]
