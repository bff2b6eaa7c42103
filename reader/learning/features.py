"""TF-IDF features of a corpus: one L2-normalised sparse row per paper, kept in corpus order.

A paper's text is its title, each author's name, its category (``cat:lg``), its organisations
(``org:mila``) and its abstract. Words are folded the way search folds them (case, accents,
LaTeX macros by regular expression: ``M{\\"u}ller`` is ``muller``), English stop words are
dropped, and every field adds its unigrams and the bigrams of adjacent remaining words, so an
author's full name (``pascal vincent``) and a title's method (``normalizing flow``) are
features. In the abstract, which holds most of the words, only bigrams of two long words
count (``reinforcement learning``, see ``_abstract_terms``). Bigrams never straddle two
fields. Folding with pylatexenc (the display form) would cost milliseconds per abstract; with
the regular-expression folding a cold build at 10^5 papers takes 15 s of CPU
(benchmarks/recommend.py, on synthetic papers shaped like the sample corpus).

scikit-learn's ``TfidfVectorizer`` does the counting and weighting (sublinear tf, smoothed idf,
rare and ubiquitous terms pruned); rows are unit length, so a dot product is a cosine.

``FeatureStore.build`` fits a vocabulary; ``FeatureStore.aligned`` follows a changed corpus by
transforming only new papers with the existing vocabulary, and refits from scratch once more
than ``REFIT_GROWTH`` of the rows were never seen by the fit. Both poll ``should_stop`` and call
``progress(done, total)`` every ``_CHECK_EVERY`` papers, so the app can run them in a background
thread and abandon them.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

from reader.model import Paper
from reader.parsing.table import paper_ids, paper_reader
from reader.search.ranking import Cancelled
from reader.search.text import tokens

__all__ = ["REFIT_GROWTH", "Cancelled", "FeatureStore", "analyze"]

# Bump when the analyzer or the vectorizer settings change, so old cache entries are rebuilt.
FEATURE_VERSION = 2
# Refit the vocabulary once more than this share of the rows was transformed, not fitted.
REFIT_GROWTH = 0.2
# Longer "words" are base64, hashes or pasted garbage: never informative, and a 100 KB token
# would be a 100 KB feature name in the reasons shown to the user. Single characters go too
# ("e.g." would otherwise give the reason "e g").
MAX_TOKEN_LENGTH = 40
_CHECK_EVERY = 1000
_METADATA_REPEATS = 3
# An abstract's bigram is a feature only when both its words are at least this long.
_BIGRAM_MIN_LENGTH = 8
# Below this many papers, pruning by document frequency would leave almost nothing.
_PRUNE_FROM = 50

Progress = Callable[[int, int], None]
ShouldStop = Callable[[], bool]


# scikit-learn and scipy are imported on first use, not with this module: importing them
# costs about a second, which every app start would pay before its first screen although
# the features are built later, in a worker.
@functools.cache
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def _sparse() -> Any:
    import scipy.sparse

    return scipy.sparse


def _sklearn_version() -> str:
    import sklearn

    return str(sklearn.__version__)


def _never() -> bool:
    return False


def _words(text: str) -> list[str]:
    stop_words = _stop_words()
    return [w for w in tokens(text) if w not in stop_words and 1 < len(w) <= MAX_TOKEN_LENGTH]


def _field_terms(text: str, out: list[str]) -> None:
    words = _words(text)
    out.extend(words)
    out.extend([a + " " + b for a, b in itertools.pairwise(words)])


def _abstract_terms(text: str, out: list[str]) -> None:
    """Unigrams, and the bigrams whose two words are both long.

    An abstract's bigrams are most of a corpus's distinct terms (at 10^5 papers, several
    million before pruning and 600,000 after): counting them was two thirds of a cold build
    and its peak memory. Pairs of long words name the methods and subjects ("normalizing
    flow", "reinforcement learning", "gaussian process"); pairs with a short word ("model
    based", "task data") are mostly phrasing, and their words count as unigrams anyway.
    Keeping only pairs of words of 8 letters or more left mean precision@10 and AUC on the
    sample corpus within 0.01, and at 10^5 synthetic papers cut the cold build from 30 s to
    15 s of CPU, the terms from 602,000 to 205,000 and the build's extra peak memory from
    640 MB to 350 MB (benchmarks/recommend.py). Requiring only one long word kept more
    than twice the bigrams for no measurable gain."""
    words = _words(text)
    out.extend(words)
    long = _BIGRAM_MIN_LENGTH
    out.extend(
        [a + " " + b for a, b in itertools.pairwise(words) if len(a) >= long and len(b) >= long]
    )


def analyze(paper: Paper) -> list[str]:
    """The features of one paper (module level, so a fitted vectorizer pickles)."""
    out: list[str] = []
    if paper.title:
        _field_terms(paper.title, out)
    for author in paper.authors:
        _field_terms(author, out)
    metadata = ["cat:" + word for word in tokens(paper.category or "")[:1]]
    for org in paper.orgs:
        words = tokens(org)
        if words and len(words) <= 4:
            metadata.append("org:" + "-".join(words))
    # One token among ~150 would weigh next to nothing, yet a category or an organisation is
    # a strong sign of topic: counted three times (tf 1 + ln 3 after sublinear scaling), it
    # raised precision@10 on the sample corpus by 0.02-0.04 (benchmarks/recommend.py).
    out.extend(metadata * _METADATA_REPEATS)
    _abstract_terms(paper.abstract, out)
    return out


def _watched(
    papers: Sequence[Paper],
    positions: Sequence[int],
    should_stop: ShouldStop,
    progress: Progress | None,
) -> Iterator[Paper]:
    read = paper_reader(papers)
    total = len(positions)
    for done, position in enumerate(positions):
        if done % _CHECK_EVERY == 0:
            if should_stop():
                raise Cancelled
            if progress is not None:
                progress(done, total)
        yield read(position)
    if progress is not None:
        progress(total, total)


def _tfidf_class() -> type[TfidfVectorizer]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer: type[TfidfVectorizer] = TfidfVectorizer
    return vectorizer


def _vectorizer(documents: int) -> TfidfVectorizer:
    prune = documents >= _PRUNE_FROM
    return _tfidf_class()(
        analyzer=analyze,
        min_df=2 if prune else 1,
        max_df=0.5 if prune else 1.0,
        sublinear_tf=True,
        dtype=np.float32,
    )


@dataclass(eq=False)
class FeatureStore:
    """Row ``i`` of ``matrix`` is the paper with id ``ids[i]``; ``terms[j]`` names column ``j``.

    ``vectorizer`` is None when the corpus had no usable words (then there are no columns).
    ``fitted_rows`` papers were seen by the fit; ``added_rows`` were transformed since.
    """

    ids: list[str]
    matrix: sp.csr_matrix
    vectorizer: TfidfVectorizer | None
    terms: list[str]
    fitted_rows: int
    added_rows: int = 0
    row_of: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        row_of: dict[str, int] = {}
        for row, paper_id in enumerate(self.ids):
            row_of.setdefault(paper_id, row)
        self.row_of = row_of

    def __len__(self) -> int:
        return len(self.ids)

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        papers: Sequence[Paper],
        *,
        should_stop: ShouldStop | None = None,
        progress: Progress | None = None,
    ) -> FeatureStore:
        """Fit a vocabulary on ``papers`` and weight them (raises Cancelled when stopped)."""
        stop = should_stop or _never
        ids = list(paper_ids(papers))
        vectorizer = _vectorizer(len(ids))
        try:
            matrix = vectorizer.fit_transform(_watched(papers, range(len(ids)), stop, progress))
        except ValueError:  # an empty corpus, or nothing but stop words and symbols
            empty = _sparse().csr_matrix((len(ids), 0), dtype=np.float32)
            return cls(ids, empty, None, [], len(ids))
        # Kept by older scikit-learn for introspection only; it can be larger than the model.
        vectorizer.__dict__.pop("stop_words_", None)
        terms = [str(term) for term in vectorizer.get_feature_names_out()]
        return cls(ids, _csr(matrix), vectorizer, terms, len(ids))

    def transform(
        self,
        papers: Sequence[Paper],
        positions: Sequence[int],
        *,
        should_stop: ShouldStop | None = None,
        progress: Progress | None = None,
    ) -> sp.csr_matrix:
        """Rows for ``papers[positions]`` with the existing vocabulary and weights."""
        if self.vectorizer is None or not positions:
            return _sparse().csr_matrix((len(positions), len(self.terms)), dtype=np.float32)
        stream = _watched(papers, positions, should_stop or _never, progress)
        return _csr(self.vectorizer.transform(stream))

    def aligned(
        self,
        papers: Sequence[Paper],
        *,
        should_stop: ShouldStop | None = None,
        progress: Progress | None = None,
    ) -> FeatureStore:
        """The store for ``papers`` (rows in their order): unchanged papers keep their rows,
        new ones are transformed, and the vocabulary is refit when too much of it is new."""
        ids = list(paper_ids(papers))
        if ids == self.ids:
            return self
        kept = [(pos, self.row_of[i]) for pos, i in enumerate(ids) if i in self.row_of]
        new = [pos for pos, i in enumerate(ids) if i not in self.row_of]
        added = self.added_rows + len(new)
        if self.vectorizer is None or added > REFIT_GROWTH * max(self.fitted_rows, 1):
            return FeatureStore.build(papers, should_stop=should_stop, progress=progress)
        fresh = self.transform(papers, new, should_stop=should_stop, progress=progress)
        if all(pos == row for pos, row in kept) and new == list(range(len(kept), len(ids))):
            # Papers appended to an unchanged corpus (a new listing): no reordering needed.
            matrix = _appended(self.matrix, len(kept), fresh)
            return FeatureStore(ids, matrix, self.vectorizer, self.terms, self.fitted_rows, added)
        stacked = _sparse().vstack([self.matrix[[row for _, row in kept]], fresh], format="csr")
        # Row k of ``stacked`` belongs at corpus position ``placed[k]``; invert that order.
        placed = np.array([pos for pos, _ in kept] + new, dtype=np.int64)
        order = np.empty(len(ids), dtype=np.int64)
        order[placed] = np.arange(len(ids))
        matrix = _csr(stacked[order])
        return FeatureStore(ids, matrix, self.vectorizer, self.terms, self.fitted_rows, added)

    # ------------------------------------------------------------------ persistence

    def to_state(self) -> dict[str, Any]:
        m = self.matrix
        return {
            "version": FEATURE_VERSION,
            "sklearn": _sklearn_version(),
            "ids": self.ids,
            "data": m.data,
            "indices": m.indices,
            "indptr": m.indptr,
            "columns": m.shape[1],
            "vectorizer": self.vectorizer,
            "terms": self.terms,
            "fitted_rows": self.fitted_rows,
            "added_rows": self.added_rows,
        }

    @classmethod
    def from_state(cls, state: object) -> FeatureStore:
        """The store saved by ``to_state``; ValueError for anything damaged or foreign."""
        if not isinstance(state, dict):
            raise ValueError("not a feature store")
        if state.get("version") != FEATURE_VERSION or state.get("sklearn") != _sklearn_version():
            raise ValueError("feature store from another version")
        try:
            ids, terms = state["ids"], state["terms"]
            data, indices, indptr = state["data"], state["indices"], state["indptr"]
            columns, vectorizer = state["columns"], state["vectorizer"]
            fitted, added = state["fitted_rows"], state["added_rows"]
        except KeyError as missing:
            raise ValueError(f"feature store lacks {missing}") from None
        arrays_ok = (
            all(isinstance(a, np.ndarray) and a.ndim == 1 for a in (data, indices, indptr))
            and data.dtype == np.float32
            and indices.dtype.kind == "i"
            and indptr.dtype.kind == "i"
        )
        if not (arrays_ok and isinstance(ids, list) and isinstance(terms, list)):
            raise ValueError("feature store has the wrong types")
        if not (isinstance(columns, int) and isinstance(fitted, int) and isinstance(added, int)):
            raise ValueError("feature store has the wrong types")
        if len(indptr) != len(ids) + 1 or indptr[0] != 0 or indptr[-1] != len(indices):
            raise ValueError("feature store rows do not add up")
        if len(data) != len(indices) or len(terms) != columns:
            raise ValueError("feature store columns do not add up")
        if len(indices) and (int(indices.min()) < 0 or int(indices.max()) >= columns):
            raise ValueError("feature store refers to missing columns")
        if len(indptr) > 1 and bool(np.any(np.diff(indptr) < 0)):
            raise ValueError("feature store rows overlap")
        if not bool(np.isfinite(data).all()):  # NaN would make every classifier fit fail
            raise ValueError("feature store holds values that are not numbers")
        if vectorizer is None:
            if columns:
                raise ValueError("feature store lost its vocabulary")
        elif not isinstance(vectorizer, _tfidf_class()) or len(vectorizer.vocabulary_) != columns:
            raise ValueError("feature store vocabulary does not match its columns")
        matrix = _sparse().csr_matrix(
            (data, indices, indptr), shape=(len(ids), columns), copy=False
        )
        return cls(ids, matrix, vectorizer, terms, fitted, added)


def _appended(matrix: sp.csr_matrix, rows: int, fresh: sp.csr_matrix) -> sp.csr_matrix:
    """The first ``rows`` rows of ``matrix`` followed by ``fresh``, copying each array once
    (``scipy.sparse.vstack`` copies the indices twice: at 10^5 papers that is 50 MB more)."""
    end = int(matrix.indptr[rows])
    data = np.concatenate([matrix.data[:end], fresh.data.astype(np.float32, copy=False)])
    indices = np.concatenate([matrix.indices[:end], fresh.indices.astype(matrix.indices.dtype)])
    indptr = np.concatenate(
        [matrix.indptr[: rows + 1], (fresh.indptr[1:] + end).astype(matrix.indptr.dtype)]
    )
    shape = (rows + fresh.shape[0], matrix.shape[1])
    return _sparse().csr_matrix((data, indices, indptr), shape=shape, copy=False)


def _csr(matrix: Any) -> sp.csr_matrix:
    """float32 CSR with 32-bit indices where they fit (half the memory of 64-bit)."""
    result = _sparse().csr_matrix(matrix, dtype=np.float32)
    result.sort_indices()
    return result
