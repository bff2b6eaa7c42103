"""The learner as a front end uses it: one model per session, kept between labels.

The engine (``reader.learning``) computes; this holds what the app needs between keys: the
feature store once built, the latest ranking (or what is missing for one), and the papers
"Rate to train" has shown. Heavy calls (``build``, ``retrain``, ``suggest_tags``,
``rate_to_train``) take ``should_stop`` and belong in a worker thread; ``accept`` and the
cheap reads (``arrange``, ``reasons``, ``similar``) run on the UI thread. No Textual here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from reader.learning import (
    Cancelled,
    NeedsLabels,
    Ranking,
    Recommender,
    ShownPapers,
    UnknownPaper,
    features_for,
    shown_path,
)
from reader.model import Annotation, Paper
from reader.parsing.corpus import Corpus

ShouldStop = Callable[[], bool]
Progress = Callable[[int, int], None]

SIMILAR_COUNT = 30
RATE_COUNT = 20
REASON_TERMS = 5

__all__ = ["Cancelled", "Learning", "NeedsLabels", "Ranking"]


class Learning:
    def __init__(self, corpus: Corpus, db_path: Path, *, cache_dir: Path | None = None) -> None:
        self.corpus = corpus
        self.papers: Sequence[Paper] = corpus.papers
        self.recommender: Recommender | None = None
        self.ranking: Ranking | None = None
        self.needs: NeedsLabels | None = None
        self.shown = ShownPapers(shown_path(db_path))
        self._cache_dir = cache_dir
        self._position_of: dict[str, int] = {}
        self._fresh_for: Ranking | None = None
        self._fresh_mask: npt.NDArray[np.bool_] = np.zeros(0, dtype=np.bool_)

    @property
    def ready(self) -> bool:
        return self.recommender is not None

    # -- worker side ------------------------------------------------------------------------

    def build(self, should_stop: ShouldStop, progress: Progress | None = None) -> None:
        """Build (or load from the cache) the feature matrix. Raises Cancelled when stopped."""
        store = features_for(
            self.corpus, should_stop=should_stop, progress=progress, directory=self._cache_dir
        )
        self._position_of = {paper.id: i for i, paper in enumerate(self.papers)}
        self.recommender = Recommender(store, self.papers)

    def retrain(
        self, annotations: Mapping[str, Annotation], should_stop: ShouldStop
    ) -> Ranking | NeedsLabels | None:
        """A new ranking from the labels in ``annotations`` (None before ``build``)."""
        if self.recommender is None:
            return None
        return self.recommender.rank_for_you(annotations, should_stop=should_stop)

    def suggest_tags(self, paper: Paper, annotations: Mapping[str, Annotation]) -> list[str]:
        """Tags whose classifier scores ``paper`` highest (first use trains one per tag)."""
        if self.recommender is None:
            return []
        try:
            return [s.tag for s in self.recommender.suggest_tags(paper.id, annotations)]
        except UnknownPaper:
            return []

    def rate_to_train(
        self,
        annotations: Mapping[str, Annotation],
        should_stop: ShouldStop,
        keep: Sequence[int] = (),
    ) -> list[int] | NeedsLabels:
        """Positions of the unlabeled papers nearest the boundary, never shown before except
        those in ``keep`` (the list on screen now), and remember them as shown."""
        if self.recommender is None:
            return []
        kept = {self.papers[position].id for position in keep}
        exclude = self.shown.ids - kept
        positions = self.recommender.uncertain(
            annotations, RATE_COUNT, exclude=exclude, should_stop=should_stop
        )
        if isinstance(positions, list):
            self.shown.add(self.papers[position].id for position in positions)
        return positions

    # -- UI side --------------------------------------------------------------------------

    def accept(self, result: Ranking | NeedsLabels | None) -> None:
        """Keep a worker's result (called on the UI thread, so reads never see half of it)."""
        if isinstance(result, Ranking):
            self.ranking, self.needs = result, None
        elif isinstance(result, NeedsLabels):
            self.ranking, self.needs = None, result

    def arrange(self, positions: Sequence[int]) -> list[int]:
        """``positions`` (in date order) ordered by the current model, best first; the date
        order breaks ties and stays as it is without a model."""
        if self.ranking is None:
            return list(positions)
        scores, fresh = self.ranking.scores, self._fresh()
        # What the model recommends first (unread, not yet starred or tagged), then the papers
        # already labeled: those score high because they are the examples it learned from.
        return sorted(positions, key=lambda i: (not fresh[i], -float(scores[i])))

    def _fresh(self) -> npt.NDArray[np.bool_]:
        ranking = self.ranking
        assert ranking is not None
        if self._fresh_for is not ranking:
            mask = np.zeros(len(ranking.scores), dtype=np.bool_)
            mask[ranking.order] = True
            self._fresh_mask, self._fresh_for = mask, ranking
        return self._fresh_mask

    def similar(self, paper: Paper, k: int = SIMILAR_COUNT) -> list[int]:
        """Positions of the papers most like ``paper``, most similar first."""
        if self.recommender is None:
            return []
        try:
            return [n.position for n in self.recommender.similar(paper.id, k)]
        except UnknownPaper:
            return []

    def reasons(self, paper: Paper) -> list[str]:
        """Plain lines saying why ``paper`` ranks where it does (empty without a model).
        The lines hold listing text: a front end shows them as data, never as markup."""
        if self.recommender is None or self.ranking is None:
            return []
        try:
            reasons = self.recommender.reasons(paper.id, self.ranking)
        except UnknownPaper:
            return []
        if reasons is None:
            return []
        lines = []
        position = self._position_of.get(paper.id)
        if position is not None:
            lines.append(f"For you score: {float(self.ranking.scores[position]):+.2f}")
        if reasons.terms:
            terms = ", ".join(term.term for term in reasons.terms[:REASON_TERMS])
            lines.append(f"Because of: {terms}")
        nearest = self._position_of.get(reasons.nearest) if reasons.nearest else None
        if nearest is not None:
            title = self.papers[nearest].display_title
            lines.append(f"Nearest liked: {title} ({reasons.nearest_similarity:.2f})")
        return lines
