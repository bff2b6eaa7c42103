"""Make untrusted text (titles, abstracts, notes from pasted files) safe to show in a terminal.

The rule lives in ``reader.model.sanitize``, shared with the CLI and the exports; the app uses
its "show" policy: escape, control and bidi characters are replaced one for one by visible
stand-ins, which keeps every character offset unchanged, so highlight spans computed on the
original text still line up. Rich markup is harmless as long as data only ever goes into
``rich.text.Text`` objects (never into markup strings), so it is left alone.
"""

from __future__ import annotations

from reader.model.sanitize import show_unsafe


def display_line(text: str) -> str:
    """One line of text with every control character made visible and inert."""
    return show_unsafe(text, keep_newlines=False)


def display_block(text: str) -> str:
    """Multi-line text: line breaks kept, every other control character made visible."""
    return show_unsafe(text, keep_newlines=True)
