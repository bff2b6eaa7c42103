"""When may a new search look only inside the previous result?

Typing usually extends the query one character at a time; searching only the previous hits
(``within=``) lets the engine start from them instead of the whole corpus. That is sound only
when every paper matching the new query also matched the old one, and the result must be
exactly what a fresh search (or ``reader search``) gives, whatever was typed on the way.

Reasoning about the *text* cannot guarantee that: a word being typed is a prefix, and a word
of four letters or more that matches nothing is expanded to its typo neighbours, so
``optimz`` (no word starts with it) matches ``optima`` while ``optimzation`` matches
``optimization``: neither result contains the other. Likewise ``bayes`` as a prefix and
``bayes`` as a finished word match different sets. So the rule is stated on the parsed
*terms*, which the engine ANDs together:

    narrow only if every term of the previous query is also a term of the new one.

Then the new query is the old one AND more conditions, so its matches are a subset of the
old ones, whatever each term means. In practice this narrows when a whole new word or filter
is added after a finished one (``graph `` then ``graph neural``) and never while a word is
being extended, which is exactly where prefix and typo expansion change the meaning.
"""

from __future__ import annotations

from reader.search.query import parse_query


def can_narrow(previous: str, new: str, *, previous_had_hint: bool = False) -> bool:
    """Whether the matches of ``new`` are certainly among the matches of ``previous``."""
    if previous_had_hint or new == previous:
        return False
    old_terms = parse_query(previous).terms
    if not old_terms:
        return False  # the previous result is everything: nothing to gain
    new_terms = set(parse_query(new).terms)
    return all(term in new_terms for term in old_terms)
