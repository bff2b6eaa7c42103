"""Triage that learns: "For you" ranking, reasons, more like this, tag suggestions.

Built on scikit-learn (TF-IDF features, one linear SVM per model), the way arxiv-sanity does it.
The app and the CLI use the same objects:

    store = features_for(corpus, should_stop=..., progress=...)   # cached; background thread
    recommender = Recommender(store, corpus.papers)
    ranking = recommender.rank_for_you(annotations, should_stop=...)  # Ranking | NeedsLabels
    recommender.reasons(paper_id)           # top terms and the nearest starred/tagged paper
    recommender.similar(paper_id, k=10)     # more like this (cosine)
    recommender.suggest_tags(paper_id, annotations)
    recommender.uncertain(annotations, n=20, exclude=shown.ids)   # "Rate to train"

- features.py: the TF-IDF feature store (build, incremental update, validated persistence).
- cache.py: the store cached beside the search index, keyed like it.
- labels.py: training labels from annotations.
- recommender.py: the classifier and everything computed from it.
- shown.py: which papers "Rate to train" has already suggested (kept out of the reading list).

For the app (costs at 10^5 papers, CPU time, from benchmarks/recommend.py):

- Build the store in a worker once the list is interactive (15 s of CPU cold, 0.5 s from the cache);
  ``should_stop`` abandons it (``Cancelled``), ``progress(done, total)`` counts papers.
- After each label, ``rank_for_you`` in an exclusive worker (70 ms); the next label cancels it
  through ``should_stop``. ``NeedsLabels.message`` says what is missing (fall back to date).
  ``Ranking.scores[position]`` sorts any list; ``Ranking.order`` is the For you view.
- ``reasons`` and ``similar`` are fast enough for the UI thread (under 1 ms and 15 ms).
- ``suggest_tags`` trains one model per tag on first use (about 30 ms a tag), then reuses them
  until a tag or a skip changes: call it from a worker when the tag dialog opens.
- "Rate to train": ``uncertain(..., exclude=shown.ids)`` with
  ``shown = ShownPapers(shown_path(db_path))``, then ``shown.add(ids)`` for what was shown.

Layering: imports reader.model, reader.paths, reader.parsing and reader.search only.
"""

from reader.learning.cache import features_for
from reader.learning.features import Cancelled, FeatureStore
from reader.learning.labels import Labels, LabelSettings
from reader.learning.recommender import (
    NeedsLabels,
    Neighbour,
    Ranking,
    Reasons,
    Recommender,
    TagSuggestion,
    Term,
    UnknownPaper,
)
from reader.learning.shown import ShownPapers, shown_path

__all__ = [
    "Cancelled",
    "FeatureStore",
    "LabelSettings",
    "Labels",
    "NeedsLabels",
    "Neighbour",
    "Ranking",
    "Reasons",
    "Recommender",
    "ShownPapers",
    "TagSuggestion",
    "Term",
    "UnknownPaper",
    "features_for",
    "shown_path",
]
