"""Where the query's words appear in a title or abstract, for the UI to emphasise them.

Spans are computed on the text as displayed (Unicode, original case and accents), by folding
each displayed word the way the index does and comparing it with the query's words: equal,
extending the word being typed, or (for words of 4+ characters) within the typo budget the
search itself allows. Phrases highlight their words individually.
"""

from __future__ import annotations

from rapidfuzz.distance import OSA

from reader.search.expansion import LONG_WORD, MIN_TYPO_LENGTH
from reader.search.query import TITLE, ParsedQuery
from reader.search.text import word_spans


def highlight_spans(text: str, query: ParsedQuery, field: str = TITLE) -> list[tuple[int, int]]:
    """Sorted, non-overlapping (start, end) character ranges of ``text`` to emphasise.

    ``field`` says which field ``text`` is (title, author, abstract): only the query words
    searched in that field are highlighted (``title:flow`` never lights up an abstract)."""
    words = query.words_in(field)
    if not words or not text:
        return []
    spans: list[tuple[int, int]] = []
    for start, end, folded in word_spans(text):
        if any(_matches(folded, word, prefix) for word, prefix in words):
            if spans and spans[-1][1] == start:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
    return spans


def _matches(candidate: str, word: str, prefix: bool) -> bool:
    if candidate == word or (prefix and candidate.startswith(word)):
        return True
    if len(word) < MIN_TYPO_LENGTH:
        return False
    budget = 2 if len(word) >= LONG_WORD else 1
    return OSA.distance(candidate, word, score_cutoff=budget) <= budget
