"""arXiv ids and URLs on listing lines become ``Paper.arxiv_id``, and survive the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.parsing.corpus import load_corpus
from reader.parsing.listings import arxiv_id

FILES = {
    "dated.txt": (
        "LGApr 14, 2022\n"
        "Masked Siamese Networks arXiv:2204.07141Mahmoud Assran, Mathilde Caron et al.\n"
        "We propose Masked Siamese Networks.\n"
        "CVNov 3, 2022\n"
        "ImageNet-X: Understanding Model MistakesBadr Youbi Idrissi, Diane Bouchacourt\n"
        "ImageNet-X is a set of human annotations, see https://arxiv.org/abs/2211.01866v2.\n"
    ),
    "trending.txt": (
        "Get trending papers in your email inbox once a day!\n"
        "SubscribeEnd-to-End Meta-Bayesian Optimisation\n"
        "Meta-BO improves sample efficiency (arxiv.org/pdf/2305.15930v1).\n"
        "Old Physics\n"
        "A classic, arXiv:hep-th/9901001, re-read.\n"
    ),
    "abstracts.txt": "UCL\nAbstract:We uplift features; code and paper at arXiv: 2312.00001.\n",
}
EXPECTED = {
    "Masked Siamese Networks arXiv:2204.07141": "2204.07141",
    "ImageNet-X: Understanding Model Mistakes": "2211.01866v2",
    "End-to-End Meta-Bayesian Optimisation": "2305.15930v1",
    "Old Physics": "hep-th/9901001",
    None: "2312.00001",
}


def test_listing_lines_give_arxiv_ids_kept_through_the_cache(tmp_path: Path) -> None:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    for _ in range(2):  # the second load is served from the cache (a PaperTable)
        corpus = load_corpus([tmp_path])
        assert corpus.problems == []
        assert {p.title: p.arxiv_id for p in corpus.papers} == EXPECTED
    assert corpus.cache_key is not None
    assert type(corpus.papers).__name__ == "PaperTable"


@pytest.mark.parametrize(
    "text",
    ["arXiv 2204.07141", "see arxiv.org/list/cs.LG", "arXiv:22.04", "arXiv:2204.071412345"],
)
def test_near_misses_are_not_ids(text: str) -> None:
    assert arxiv_id(text) is None


@given(st.text(max_size=300) | st.sampled_from(["arXiv:\x00", "arXiv:{%$\\~}", "\u202earXiv:1"]))
def test_any_text_gives_none_or_an_id(text: str) -> None:
    found = arxiv_id(text)
    assert found is None or found.casefold() in text.casefold()
