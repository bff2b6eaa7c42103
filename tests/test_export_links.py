"""A paper's web address (arXiv page or title search) and opening it in a browser."""

from __future__ import annotations

import webbrowser
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.export.links import (
    PROVIDERS,
    LinkError,
    WebSearch,
    arxiv_id,
    open_in_browser,
    paper_url,
    title_search_url,
)
from reader.model import Paper
from reader.model.paper import paper_id
from reader.model.sanitize import has_unsafe

TITLE = "Masked Siamese Networks for Label-Efficient Learning"


def make_paper(title: str | None, abstract: str = "An abstract.") -> Paper:
    return Paper(id=paper_id(title, abstract), title=title, authors=(), abstract=abstract)


class PaperWithArxivId(Paper):
    """Until ``Paper.arxiv_id`` lands on main: a paper that carries the attribute."""


def with_arxiv_id(value: object) -> Paper:
    paper = PaperWithArxivId(id="p1", title=TITLE, authors=(), abstract="")
    paper.arxiv_id = value  # type: ignore[attr-defined]
    return paper


def test_each_provider_searches_the_exact_title() -> None:
    paper = make_paper(TITLE)
    quoted = "%22Masked%20Siamese%20Networks%20for%20Label-Efficient%20Learning%22"
    assert paper_url(paper) == f"https://arxiv.org/search/?query={quoted}&searchtype=title"
    assert paper_url(paper, WebSearch("semantic-scholar")) == (
        f"https://www.semanticscholar.org/search?q={quoted}"
    )
    assert paper_url(paper, WebSearch("papers-with-code")) == (
        f"https://paperswithcode.com/search?q={quoted}"
    )
    scholar = urlsplit(paper_url(paper, WebSearch("google-scholar")) or "")
    assert (scholar.netloc, scholar.path) == ("scholar.google.com", "/scholar")
    assert parse_qs(scholar.query) == {"as_occt": ["title"], "as_epq": [TITLE]}
    assert set(PROVIDERS) == {"arxiv", "semantic-scholar", "google-scholar", "papers-with-code"}


def test_latex_titles_are_searched_as_shown() -> None:
    paper = make_paper(r"Rational B\'{e}zier curves for $k$-secretary")
    query = parse_qs(urlsplit(paper_url(paper) or "").query)["query"]
    # Accents become letters; math stays as arXiv's own metadata writes it ($k$).
    assert query == ['"Rational Bézier curves for $k$-secretary"']


def test_an_arxiv_id_links_to_the_paper_itself() -> None:
    assert paper_url(with_arxiv_id("2204.07141")) == "https://arxiv.org/abs/2204.07141"
    assert paper_url(with_arxiv_id("arXiv:2204.07141v3")) == "https://arxiv.org/abs/2204.07141v3"
    assert paper_url(with_arxiv_id("math/0211159")) == "https://arxiv.org/abs/math/0211159"
    # Anything not shaped like an id falls back to the title search, never into the URL.
    for bad in ("../../etc", "2204.07141?x=1", "", None, 2204.07141, "javascript:alert(1)"):
        assert arxiv_id(with_arxiv_id(bad)) is None
        assert (paper_url(with_arxiv_id(bad)) or "").startswith("https://arxiv.org/search/")
    assert arxiv_id(make_paper(TITLE)) is None  # no attribute yet: no id


def test_untitled_paper_has_no_search() -> None:
    assert paper_url(make_paper(None, "Only an abstract.")) is None


def test_template_is_filled_by_replacement_never_by_format() -> None:
    template = "https://example.org/find?q={title}&keep={0.__class__}&also=%s&{}"
    url = title_search_url("{0.__class__} {title} %s", WebSearch(template=template))
    assert url == (
        "https://example.org/find?q=%7B0.__class__%7D%20%7Btitle%7D%20%25s"
        "&keep={0.__class__}&also=%s&{}"
    )
    assert title_search_url("a b", WebSearch(template="https://x.org/{title}/{title}")) == (
        "https://x.org/a%20b/a%20b"
    )


def test_bad_settings_are_reported() -> None:
    with pytest.raises(LinkError, match="unknown web search provider 'bing'"):
        WebSearch("bing")
    with pytest.raises(LinkError, match=r"\{title\}"):
        WebSearch(template="https://example.org/?q=")
    with pytest.raises(LinkError, match="https://"):
        WebSearch(template="javascript:alert('{title}')")


hostile = st.lists(
    st.one_of(
        st.sampled_from(["{", "}", "%", "{0}", "{title}", "{0.__class__}", "\u202e", "\x1b[31m"]),
        st.text(max_size=5),
    ),
    max_size=12,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(title=hostile, extra=hostile)
def test_any_title_and_template_give_a_literal_url(title: str, extra: str) -> None:
    template = "https://example.org/?q={title}&x=" + extra.replace("{title}", "")
    if has_unsafe(extra) or any(ch.isspace() for ch in extra):
        with pytest.raises(LinkError, match="spaces or control characters"):
            WebSearch(template=template)
        return
    url = title_search_url(title, WebSearch(template=template))
    prefix, suffix = template.split("{title}")
    assert url.startswith(prefix) and url.endswith(suffix)
    filled = url[len(prefix) : len(url) - len(suffix)]
    assert all(ch.isascii() and ch.isprintable() and ch != " " for ch in filled)
    for name in PROVIDERS:
        provider_url = title_search_url(title, WebSearch(name))
        assert provider_url.isascii() and " " not in provider_url
        assert "\u202e" not in unquote(provider_url) and "\x1b" not in unquote(provider_url)


# ----------------------------------------------------------------------------- the browser


class FakeBrowser(webbrowser.BaseBrowser):
    """Records what it was asked to open instead of starting anything."""

    def __init__(self, name: str, *, works: bool = True) -> None:
        super().__init__(name)
        self.works = works
        self.opened: list[tuple[str, int]] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.opened.append((url, new))
        return self.works


@pytest.fixture
def browsers(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty browser registry for this test (the machine's real browsers never run)."""
    monkeypatch.setattr(webbrowser, "_tryorder", [])
    monkeypatch.setattr(webbrowser, "_browsers", {})
    monkeypatch.delenv("BROWSER", raising=False)


NO_SSH: dict[str, str] = {"HOME": "/home/user"}
URL = paper_url(make_paper("Brackets ] and (parens) {0} 50%")) or ""


@pytest.mark.usefixtures("browsers")
def test_the_registered_browser_receives_the_exact_url() -> None:
    fake = FakeBrowser("reader-test-browser")
    webbrowser.register("reader-test-browser", None, fake, preferred=True)
    result = open_in_browser(URL, environ=NO_SSH)
    assert (result.opened, result.outcome, result.url) == (True, "opened", URL)
    assert fake.opened == [(URL, 2)]  # exactly this URL, in a new tab
    assert result.reason == "opened in the web browser"


@pytest.mark.usefixtures("browsers")
@pytest.mark.parametrize("variable", ["SSH_CONNECTION", "SSH_TTY"])
def test_over_ssh_no_browser_is_started(variable: str) -> None:
    fake = FakeBrowser("reader-test-browser")
    webbrowser.register("reader-test-browser", None, fake, preferred=True)
    result = open_in_browser(URL, environ={**NO_SSH, variable: "10.0.0.1 5 10.0.0.2 22"})
    assert (result.opened, result.outcome, result.url) == (False, "ssh", URL)
    assert fake.opened == []
    assert "SSH" in result.reason


@pytest.mark.usefixtures("browsers")
def test_no_runnable_browser_is_reported() -> None:
    result = open_in_browser(URL, environ=NO_SSH)
    assert (result.opened, result.outcome) == (False, "no-browser")


@pytest.mark.usefixtures("browsers")
def test_a_terminal_browser_is_not_started_under_the_app() -> None:
    lynx = FakeBrowser("lynx")
    webbrowser.register("lynx", None, lynx, preferred=True)
    result = open_in_browser(URL, environ=NO_SSH)
    assert (result.opened, result.outcome) == (False, "terminal-browser")
    assert lynx.opened == []


@pytest.mark.usefixtures("browsers")
def test_a_browser_that_fails_is_reported() -> None:
    broken = FakeBrowser("reader-broken", works=False)
    webbrowser.register("reader-broken", None, broken, preferred=True)
    result = open_in_browser(URL, environ=NO_SSH)
    assert (result.opened, result.outcome) == (False, "failed")
    assert broken.opened == [(URL, 2)]
