"""When may a new search look only inside the previous result?

Typing usually extends the query one character at a time; searching only the previous hits
(``within=``) keeps each keystroke cheap on a big corpus. That is only sound when every paper
matching the new query also matched the old one, so this is deliberately conservative:

- the new text extends the old one, and the old one parsed cleanly (no hint);
- no negation, alternative, grouping or quoting anywhere (each can widen the result or
  change how the earlier text is read);
- extending the last word is fine for plain words (a longer word matches fewer papers) but
  not for ``field:value`` filters, which may match exactly (``tag:ml`` vs ``tag:mlx``).
"""

from __future__ import annotations

_UNSAFE_MARKS = ('"', "-", "|", "(", ")")


def can_narrow(previous: str, new: str, *, previous_had_hint: bool = False) -> bool:
    if previous_had_hint or not previous.strip():
        return False
    if new == previous or not new.startswith(previous):
        return False
    if any(mark in new for mark in _UNSAFE_MARKS):
        return False
    if "or" in new.casefold().split():
        return False
    added = new[len(previous) :]
    extends_last_word = not previous[-1].isspace() and not added[0].isspace()
    return not (extends_last_word and ":" in previous.split()[-1])
