"""Title/author splitting on dated listings: every case the format throws at us."""

from __future__ import annotations

import pytest

from reader.parsing.names import split_title_authors

CASES = [
    # (line, title, authors, truncated, orgs)
    (
        "Masked Siamese Networks for Label-Efficient LearningMahmoud Assran, Mathilde Caron, "
        "Ishan Misra et al. · meta-ai, mila",
        "Masked Siamese Networks for Label-Efficient Learning",
        ["Mahmoud Assran", "Mathilde Caron", "Ishan Misra"],
        True,
        ["meta-ai", "mila"],
    ),
    (  # title ends in an acronym
        "Discovering environments with XRMMohammad Pezeshki, Diane Bouchacourt, "
        "Mark Ibrahim et al.",
        "Discovering environments with XRM",
        ["Mohammad Pezeshki", "Diane Bouchacourt", "Mark Ibrahim"],
        True,
        [],
    ),
    (  # acronym glued to a short first name
        "fastMRI: An Open Dataset and Benchmarks for Accelerated MRIJure Zbontar, Florian Knoll, "
        "Anuroop Sriram et al.",
        "fastMRI: An Open Dataset and Benchmarks for Accelerated MRI",
        ["Jure Zbontar", "Florian Knoll", "Anuroop Sriram"],
        True,
        [],
    ),
    (  # ends in a question mark; two authors, not truncated
        "Do sequence-to-sequence VAEs learn global features of sentences?Tom Bosc, Pascal Vincent",
        "Do sequence-to-sequence VAEs learn global features of sentences?",
        ["Tom Bosc", "Pascal Vincent"],
        False,
        [],
    ),
    (  # ends in a closing parenthesis, digit inside
        "Scaling Laws for Vision (ViT-22B)Anna Smith, Bob Jones",
        "Scaling Laws for Vision (ViT-22B)",
        ["Anna Smith", "Bob Jones"],
        False,
        [],
    ),
    (  # ends in a digit
        "Llama 2Hugo Touvron, Louis Martin",
        "Llama 2",
        ["Hugo Touvron", "Louis Martin"],
        False,
        [],
    ),
    (  # commas and colons inside the title
        "Learning, Fast and Slow: A Study, RevisitedCian Eastwood, Julius von Kügelgen",
        "Learning, Fast and Slow: A Study, Revisited",
        ["Cian Eastwood", "Julius von Kügelgen"],
        False,
        [],
    ),
    (  # particles, accents
        "A Cheap Linear Attention Mechanism with Fast Lookups and Fixed-Size "
        "RepresentationsAlexandre de Brébisson, Pascal Vincent",
        "A Cheap Linear Attention Mechanism with Fast Lookups and Fixed-Size Representations",
        ["Alexandre de Brébisson", "Pascal Vincent"],
        False,
        [],
    ),
    (  # apostrophes
        "Motif: Intrinsic Motivation from Artificial Intelligence FeedbackMartin Klissarov, "
        "Pierluca D'Oro, Shagun Sodhani et al.",
        "Motif: Intrinsic Motivation from Artificial Intelligence Feedback",
        ["Martin Klissarov", "Pierluca D'Oro", "Shagun Sodhani"],
        True,
        [],
    ),
    (  # initials and hyphens
        "Reducing Uncertainty in Undersampled MRI Reconstruction with Active AcquisitionZizhao "
        "Zhang, Adriana Romero, Matthew J. Muckley et al.",
        "Reducing Uncertainty in Undersampled MRI Reconstruction with Active Acquisition",
        ["Zizhao Zhang", "Adriana Romero", "Matthew J. Muckley"],
        True,
        [],
    ),
    (  # internal capitals in a surname
        "Understanding Dimensional Collapse in Contrastive Self-supervised LearningLi Jing, "
        "Pascal Vincent, Yann LeCun et al.",
        "Understanding Dimensional Collapse in Contrastive Self-supervised Learning",
        ["Li Jing", "Pascal Vincent", "Yann LeCun"],
        True,
        [],
    ),
    (  # three-part names and a hyphenated given name
        "Stochastic Neural Network with Kronecker FlowChin-Wei Huang, Samira Ebrahimi Kahou",
        "Stochastic Neural Network with Kronecker Flow",
        ["Chin-Wei Huang", "Samira Ebrahimi Kahou"],
        False,
        [],
    ),
    (  # single author
        "A Tutorial on Energy-Based LearningYann LeCun",
        "A Tutorial on Energy-Based Learning",
        ["Yann LeCun"],
        False,
        [],
    ),
    (  # Unicode names, title ending in a plural acronym
        "Taming LLMsStanisław Jastrzębski, Gaëtan Vignoud, Zoë Ng",
        "Taming LLMs",
        ["Stanisław Jastrzębski", "Gaëtan Vignoud", "Zoë Ng"],
        False,
        [],
    ),
    (  # plural acronym glued to a first name that could pass for a camel-case word
        "Going Deeper with GANsTom Bosc, Ann Lee",
        "Going Deeper with GANs",
        ["Tom Bosc", "Ann Lee"],
        False,
        [],
    ),
    (  # camel-case title word before the name
        "Beyond ImageNetAlex Krizhevsky, Ilya Sutskever",
        "Beyond ImageNet",
        ["Alex Krizhevsky", "Ilya Sutskever"],
        False,
        [],
    ),
    (  # hyphen-capital title end
        "ImageNet-X: Factor of Variation ImageNet-XBadr Youbi Idrissi · meta-ai",
        "ImageNet-X: Factor of Variation ImageNet-X",
        ["Badr Youbi Idrissi"],
        False,
        ["meta-ai"],
    ),
    (  # first author given as initials
        "Deep Residual LearningK. He, X. Zhang",
        "Deep Residual Learning",
        ["K. He", "X. Zhang"],
        False,
        [],
    ),
    (  # surname prefix on the glued first name
        "Graph NetworksMcKenzie Smith, Ann Lee",
        "Graph Networks",
        ["McKenzie Smith", "Ann Lee"],
        False,
        [],
    ),
]


@pytest.mark.parametrize(("line", "title", "authors", "truncated", "orgs"), CASES)
def test_split(line: str, title: str, authors: list[str], truncated: bool, orgs: list[str]) -> None:
    byline = split_title_authors(line)
    assert byline.title == title
    assert list(byline.authors) == authors
    assert byline.authors_truncated is truncated
    assert list(byline.orgs) == orgs
    assert byline.confident


def test_line_without_authors_keeps_title_and_is_flagged() -> None:
    byline = split_title_authors("just a title with no authors at all")
    assert byline.title == "just a title with no authors at all"
    assert byline.authors == ()
    assert not byline.confident
