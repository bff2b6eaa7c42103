"""Training labels from the reading list: what a user's stars, tags, reads and skips say.

For "For you" (``tag=None``):

- starred, or carrying any tag: positive (weight 1);
- skipped: negative (weight 1), unless also starred or tagged: a star or a tag is a deliberate
  judgement, while skipping only hides a paper from the inbox;
- read, not starred, untagged: weakly positive (``read_weight``; 0 leaves them out);
- a sample of ``unlabeled_sample`` unannotated papers: weak negatives (``unlabeled_weight``).
  Most papers in an inbox are not for the user, and the few that are only pull the boundary
  slightly at this weight (learning from positive and unlabeled data).

For one tag's classifier (``tag=T``): papers tagged T are positive; skipped papers and papers
with other tags but not T are negatives; the unlabeled sample is weak negatives as above.

Annotations of papers that are not in the corpus are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from reader.model import Annotation


@dataclass(frozen=True, slots=True)
class LabelSettings:
    read_weight: float = 0.3
    unlabeled_weight: float = 0.2
    other_tag_weight: float = 0.5
    unlabeled_sample: int = 2000
    min_positives: int = 3
    seed: int = 0


@dataclass(frozen=True, slots=True, eq=False)
class Labels:
    """Training rows, their 0/1 targets and weights; which rows may be recommended."""

    rows: npt.NDArray[np.int64]
    targets: npt.NDArray[np.int8]
    weights: npt.NDArray[np.float64]
    positive_rows: npt.NDArray[np.int64]  # explicit positives (starred/tagged, or tagged T)
    negative_rows: npt.NDArray[np.int64]  # explicit negatives
    candidates: npt.NDArray[np.bool_]  # unread and not already an explicit positive
    annotated: npt.NDArray[np.bool_]  # rows with any star, tag, read or skip

    @property
    def positives(self) -> int:
        return len(self.positive_rows)


def labels_from(
    annotations: Mapping[str, Annotation],
    row_of: Mapping[str, int],
    size: int,
    settings: LabelSettings,
    tag: str | None = None,
) -> Labels:
    positive: list[int] = []
    negative: list[int] = []
    negative_weights: list[float] = []
    weak: list[int] = []
    candidates = np.ones(size, dtype=np.bool_)
    annotated = np.zeros(size, dtype=np.bool_)
    for paper_id, note in annotations.items():
        row = row_of.get(paper_id)
        if row is None:
            continue
        liked = note.starred or bool(note.tags)
        if not (liked or note.status != "unread"):
            continue  # an annotation holding only a note says nothing about interest
        annotated[row] = True
        if note.status != "unread":
            candidates[row] = False
        if tag is None:
            if liked:
                positive.append(row)
                candidates[row] = False
            elif note.status == "skipped":
                negative.append(row)
                negative_weights.append(1.0)
            elif note.status == "read" and settings.read_weight > 0:
                weak.append(row)
        elif tag in note.tags:
            positive.append(row)
            candidates[row] = False
        elif note.status == "skipped":
            negative.append(row)
            negative_weights.append(1.0)
        elif note.tags:
            negative.append(row)
            negative_weights.append(settings.other_tag_weight)
    unlabeled = np.flatnonzero(~annotated)
    if len(unlabeled) > settings.unlabeled_sample:
        rng = np.random.default_rng(settings.seed)
        unlabeled = np.sort(rng.choice(unlabeled, settings.unlabeled_sample, replace=False))
    rows = np.concatenate(
        [np.array(positive + weak + negative, dtype=np.int64), unlabeled.astype(np.int64)]
    )
    targets = np.zeros(len(rows), dtype=np.int8)
    targets[: len(positive) + len(weak)] = 1
    weights = np.concatenate(
        [
            np.ones(len(positive)),
            np.full(len(weak), settings.read_weight),
            np.array(negative_weights, dtype=np.float64),
            np.full(len(unlabeled), settings.unlabeled_weight),
        ]
    )
    return Labels(
        rows,
        targets,
        weights,
        np.array(positive, dtype=np.int64),
        np.array(negative, dtype=np.int64),
        candidates,
        annotated,
    )
