"""The web address of a paper: its arXiv page when the listing gave an id, else a title search;
and opening it in the user's browser (``open_in_browser``), for the app's ``w`` key.

The app's ``w`` key opens this address and the Markdown export links each title to it, so
both always agree. Providers:

- ``arxiv`` (default): arXiv's search, titles only, for the exact title as a phrase;
- ``semantic-scholar``, ``google-scholar`` (exact phrase, in titles), ``papers-with-code``;
- a user template: any URL with a ``{title}`` placeholder, e.g.
  ``https://duckduckgo.com/?q={title}``.

A template is user text and the title is listing text: neither is ever a format string. The
placeholder is filled by plain string replacement of the URL-quoted title, so ``{0}``,
``{title.__class__}`` or ``%s`` anywhere stay exactly as written.
"""

from __future__ import annotations

import os
import re
import webbrowser
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import quote

from reader.export.plain_text import one_line
from reader.model.paper import Paper
from reader.model.sanitize import has_unsafe

PLACEHOLDER: Final = "{title}"
DEFAULT_PROVIDER: Final = "arxiv"

# The query parameter holds the title, URL-quoted; each value is filled by plain replacement.
PROVIDERS: Final[dict[str, str]] = {
    "arxiv": "https://arxiv.org/search/?query={title}&searchtype=title",
    "semantic-scholar": "https://www.semanticscholar.org/search?q={title}",
    "google-scholar": "https://scholar.google.com/scholar?as_occt=title&as_epq={title}",
    "papers-with-code": "https://paperswithcode.com/search?q={title}",
}
# Providers whose search takes a double-quoted phrase as "exactly these words in this order".
_PHRASE_QUOTED = frozenset({"arxiv", "semantic-scholar", "papers-with-code"})

# New-style (2204.07141, 2204.07141v2) and old-style (math/0211159, hep-th/9901001v1) ids.
_ARXIV_ID = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")


class LinkError(ValueError):
    """A provider name or template that cannot make a link; ``str()`` is for the user."""


@dataclass(frozen=True, slots=True)
class WebSearch:
    """Where a title search goes: a provider name, or a user template with ``{title}``."""

    provider: str = DEFAULT_PROVIDER
    template: str | None = None

    def __post_init__(self) -> None:
        if self.template is not None:
            check_template(self.template)
        elif self.provider not in PROVIDERS:
            known = ", ".join(PROVIDERS)
            raise LinkError(f"unknown web search provider {self.provider!r} (choose {known})")


def web_search_for(setting: str) -> WebSearch:
    """The ``open_url`` setting (a provider name or a template) as a WebSearch."""
    if PLACEHOLDER in setting:
        return WebSearch(template=setting)
    return WebSearch(provider=setting)


def check_template(template: str) -> None:
    """Raise LinkError unless ``template`` is an http(s) URL holding ``{title}``."""
    if PLACEHOLDER not in template:
        raise LinkError(f"a web search template needs the placeholder {PLACEHOLDER}")
    if not template.lower().startswith(("https://", "http://")):
        raise LinkError("a web search template must start with https:// or http://")
    # The URL is shown as an OSC 8 hyperlink and handed to a browser command: an escape or
    # control character in it could end the sequence early, a space could split the command.
    if has_unsafe(template) or any(ch.isspace() for ch in template):
        raise LinkError("a web search template must not contain spaces or control characters")


def arxiv_id(paper: Paper) -> str | None:
    """The paper's arXiv id, when it has a well-formed one.

    ``Paper.arxiv_id`` is being added by the parsers; until then the attribute may be absent.
    """
    value = getattr(paper, "arxiv_id", None)
    if not isinstance(value, str):
        return None
    value = value.strip()
    if value.lower().startswith("arxiv:"):
        value = value[len("arxiv:") :]
    return value if _ARXIV_ID.fullmatch(value) else None


def paper_url(paper: Paper, search: WebSearch | None = None) -> str | None:
    """The paper's arXiv page, else the title search; None for a paper with no title."""
    identifier = arxiv_id(paper)
    if identifier is not None:
        return "https://arxiv.org/abs/" + quote(identifier, safe="/")
    if not paper.title:
        return None  # an abstract without a title: there is nothing exact to search for
    return title_search_url(paper.display_title, search)


def title_search_url(title: str, search: WebSearch | None = None) -> str:
    """The search URL for ``title`` (shown form: LaTeX already converted to Unicode)."""
    search = search or WebSearch()
    text = one_line(title)
    if search.template is not None:
        template = search.template
    else:
        template = PROVIDERS[search.provider]
        if search.provider in _PHRASE_QUOTED:
            # A quote inside the title would end the phrase early: drop it, keep the words.
            text = '"' + text.replace('"', " ").strip() + '"'
    # Plain replacement of every placeholder, never str.format: both strings are data.
    return template.replace(PLACEHOLDER, quote(text, safe=""))


# ------------------------------------------------------------------------------ opening a link

OpenOutcome = Literal["opened", "ssh", "no-browser", "terminal-browser", "failed"]

# Browsers that draw inside the terminal: started from the app, they would fight it for the
# screen (and GenericBrowser waits for them to exit), so the app shows the link instead.
_TERMINAL_BROWSERS = frozenset(
    {"www-browser", "links", "links2", "elinks", "lynx", "w3m", "browsh", "carbonyl"}
)
_SSH_VARIABLES = ("SSH_CONNECTION", "SSH_TTY")


@dataclass(frozen=True, slots=True)
class OpenResult:
    """What ``open_in_browser`` did. When ``opened`` is false the caller should copy ``url``
    and show it as a terminal hyperlink (OSC 8); ``reason`` says why, for the status line."""

    url: str
    outcome: OpenOutcome

    @property
    def opened(self) -> bool:
        return self.outcome == "opened"

    @property
    def reason(self) -> str:
        return _REASONS[self.outcome]


_REASONS: Final[dict[str, str]] = {
    "opened": "opened in the web browser",
    "ssh": "this is an SSH session: a browser would open on the other machine, if at all",
    "no-browser": "no web browser was found",
    "terminal-browser": "the only browser found runs in the terminal",
    "failed": "the web browser did not start",
}


def open_in_browser(
    url: str,
    *,
    environ: Mapping[str, str] | None = None,
    using: str | None = None,
) -> OpenResult:
    """Open ``url`` with ``webbrowser`` when that can show it to the person at this terminal.

    Not attempted over SSH (``SSH_CONNECTION`` or ``SSH_TTY`` set in ``environ``, default
    ``os.environ``), nor when the browser found is a terminal one. ``using`` names a browser
    as ``webbrowser.get`` takes it; None means the user's default.
    """
    env = os.environ if environ is None else environ
    if any(env.get(name) for name in _SSH_VARIABLES):
        return OpenResult(url, "ssh")
    try:
        browser = webbrowser.get(using)
    except webbrowser.Error:
        return OpenResult(url, "no-browser")
    name = os.path.basename(str(getattr(browser, "name", "") or ""))
    if name in _TERMINAL_BROWSERS:
        return OpenResult(url, "terminal-browser")
    try:
        opened = browser.open(url, new=2)  # new=2: a new tab where the browser supports it
    except (OSError, webbrowser.Error):
        opened = False
    return OpenResult(url, "opened" if opened else "failed")
