"""One sanitiser for every edge: no escape, control or bidi character leaves reader.

The module's rules are checked directly; then hostile text goes through every exit (BibTeX and
Markdown files written to disk and read back, CLI search/parse/annotate output) and nothing
unsafe may come out. The sample-corpus regression runs the real ``reader`` in subprocesses.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reader.model import Annotation, Paper
from reader.model.paper import paper_id
from reader.model.sanitize import (
    BIDI_CONTROLS,
    UNSAFE_CLASS,
    has_unsafe,
    json_chunks,
    json_safe,
    safe_line,
    show_unsafe,
    strip_unsafe,
)
from reader.parsing.corpus import load_corpus
from reader.service.exporting import ExportRequest, run_export
from reader.service.scopes import Scope
from reader.storage.reading_list import ReadingList
from reader.ui.safe_text import display_block, display_line

BIDI = "".join(sorted(BIDI_CONTROLS))
# Anything a terminal, an editor or a parser would act on rather than show.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\u2028\u2029\ud800-\udfff]"
)
HOSTILE_PIECES = [
    "\x1b[31m",
    "\x1b[0m",
    "\x1b[2J",
    "\x1b]0;owned\x07",
    "\x1b]8;;https://evil.example\x1b\\",
    "\x1b]52;c;aGVsbG8=\x07",  # OSC 52: write the clipboard
    "\x1bP+q\x1b\\",  # DCS
    "\x9b31m",  # 8-bit CSI
    "\x9d0;t\x9c",  # 8-bit OSC
    "\x00",
    "\x07",
    "\x7f",
    "\x85",
    "\r",
    "\r\n",
    "\u2028",
    "\ud800",
    "[bold]",
    "[/]",
    "{0.__class__}",
    "%s",
    "{",
    "}",
    "%",
    "\\",
    "$",
    "~",
    *BIDI,
]
hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=8)), max_size=20
).map("".join)


def forbidden_in(text: str) -> list[str]:
    return sorted({f"U+{ord(ch):04X}" for ch in FORBIDDEN.findall(text)})


# ------------------------------------------------------------------------------ the module


def test_strip_removes_whole_sequences_and_keeps_text() -> None:
    text = (
        "a\x1b[1;31mred\x1b[0m \x1b]0;title\x07b \x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\ "
        "\u202eevil\u202c \x00nul \x9b2Jc1 \ud800 \r\nnew\tt [bold]"
    )
    assert strip_unsafe(text) == "ared b link evil nul c1 \ufffd \nnew\tt [bold]"
    assert safe_line(text) == "ared b link evil nul c1 \ufffd  new t [bold]"
    assert strip_unsafe("x\x1bc y\x1b(Bz") == "x yz"  # two-character and nF escapes
    assert strip_unsafe("unterminated \x1b]0;title") == "unterminated 0;title"  # inert text
    plain = "Zoë 🎉 [bold] 50% \u00a0 \u200d"
    assert strip_unsafe(plain) is plain  # nothing to do: no copy
    assert not has_unsafe(plain) and has_unsafe("\u2066")


def test_strip_is_linear_on_unterminated_introducers() -> None:
    # Quadratic scanning would take minutes here; linear takes milliseconds.
    for hostile in ("\x9d" * 200_000, "\x1b]" * 100_000, "\x1bP" * 100_000, "\x9b1" * 100_000):
        assert strip_unsafe(hostile).strip("]P1") == ""


def test_show_keeps_offsets_for_the_app() -> None:
    hostile = "red\x1b[31mtext\x07 and\x00nul\x9b \u202eevil\nline\ud800"
    shown = display_line(hostile)
    assert len(shown) == len(hostile)
    assert not forbidden_in(shown) and "\n" not in shown
    block = display_block(hostile)
    assert len(block) == len(hostile) and block.count("\n") == 1 and not forbidden_in(block)
    assert show_unsafe("plain") == "plain"


def test_json_keeps_every_character_as_an_escape() -> None:
    value = {"title": "a\u202eb\x9bc\x7fd\u2028\ud800", "n": [1, "\n"]}
    text = json_safe(json.dumps(value, ensure_ascii=False, indent=1))
    assert not forbidden_in(text.replace("\n", ""))
    assert json.loads(text) == value
    assert "".join(json_chunks(value)) == text


@settings(max_examples=200, deadline=None)
@given(text=hostile_text)
@example(text="\x1b]" + "x" * 100_000)
def test_nothing_unsafe_survives(text: str) -> None:
    for cleaned in (strip_unsafe(text), safe_line(text), strip_unsafe(text, keep_tabs=False)):
        assert not forbidden_in(cleaned.replace("\n", "").replace("\t", ""))
        assert strip_unsafe(cleaned) == cleaned  # idempotent
    assert "\n" not in safe_line(text) and "\t" not in safe_line(text)
    assert len(show_unsafe(text)) == len(text)
    assert not forbidden_in(show_unsafe(text, keep_newlines=True).replace("\n", ""))


# ----------------------------------------------------------------------- every exit, hostile

TODAY = date(2026, 11, 23)


def make_paper(title: str, abstract: str, author: str) -> Paper:
    return Paper(
        id=paper_id(title, abstract),
        title=title or None,
        authors=(author,) if author else (),
        abstract=abstract,
        date="2022-04-14",
        category="LG",
        orgs=("meta-ai",),
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(title=hostile_text, abstract=hostile_text, author=hostile_text, note=hostile_text)
@example(title="x" * 100_000, abstract="\u202e" * 50_000, author="\x1b[31m", note="\x00" * 99)
def test_hostile_text_reaches_no_export_file(
    tmp_path: Path, title: str, abstract: str, author: str, note: str
) -> None:
    paper = make_paper(title, abstract, author)
    annotations = {paper.id: Annotation(paper.id, tags=("t\u202eag", "[bold]"), note=note)}
    for fmt, name in (("bibtex", "out.bib"), ("markdown", "out.md")):
        target = tmp_path / name
        request = ExportRequest(Scope("all"), fmt, target, abstracts=True)  # type: ignore[arg-type]
        run_export(request, papers=[paper], annotations=annotations, today=TODAY)
        written = target.read_bytes().decode("utf-8")  # strict: no surrogate got through
        assert not forbidden_in(written.replace("\n", "")), (fmt, forbidden_in(written))
        assert "\t" not in written or fmt == "markdown"  # notes may indent code with tabs


def write_trending(path: Path, titles: list[str], abstracts: list[str]) -> None:
    lines = ["Get trending papers in your email inbox!"]
    for index, (title, abstract) in enumerate(zip(titles, abstracts, strict=True)):
        lines.append(("Subscribe" if index == 0 else "") + title)
        lines.append(abstract)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    from reader.cli import run_subcommand

    code = run_subcommand(argv[0], argv[1:], out, err)
    return code, out.getvalue(), err.getvalue()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(words=st.lists(hostile_text, min_size=1, max_size=3), tag=hostile_text)
def test_hostile_text_reaches_no_cli_output(tmp_path: Path, words: list[str], tag: str) -> None:
    corpus = tmp_path / "hostile.txt"
    titles = [f"Zebra{i} {word} study" for i, word in enumerate(words)]
    abstracts = [f"An abstract {word} sentence. " * 12 for word in words]
    write_trending(corpus, titles, abstracts)
    db = tmp_path / "db.json"
    outputs = []
    for argv in (
        ("search", "zebra0", str(corpus), "--db", str(db)),
        ("search", "zebra0", str(corpus), "--db", str(db), "--json"),
        ("parse", str(corpus)),
        ("parse", str(corpus), "--json"),
    ):
        code, out, err = cli(*argv)
        assert code in (0, 1), (argv, err)
        outputs += [out, err]
    code, out, _ = cli("search", "zebra0", str(corpus), "--db", str(db))
    paper = out.split()[0] if out.strip() else "deadbeef0000"
    # annotate prints tags back; unknown ids are echoed in its message. Braces are left out
    # of the tag: tags reaching str.format is issue 9 item 1, fixed on the storage branch.
    tag = tag.replace("{", "").replace("}", "") or "x"
    for argv in (
        ("annotate", paper, str(corpus), "--tag", tag, "--db", str(db)),
        ("annotate", "\u202eid\x1b[2J", "--star", "--db", str(db)),
    ):
        code, out, err = cli(*argv)
        outputs += [out, err]
    for text in outputs:
        assert not forbidden_in(text.replace("\n", "")), (forbidden_in(text), text[:300])


# ------------------------------------------------------- sample corpus, real subprocesses


def _poison(text: str, index: int) -> str:
    """Insert bidi controls (and an escape) into the middle of every long line."""
    out = []
    for number, line in enumerate(text.split("\n")):
        if len(line) > 30 and not line.startswith(("Get trending", "Subscribe")):
            cut = line.index(" ", 10) if " " in line[10:] else 10
            control = BIDI[(index + number) % len(BIDI)]
            line = f"{line[:cut]}{control}x\u2066\x1b[31m{line[cut:]}"
        out.append(line)
    return "\n".join(out)


def _reader(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from reader.cli import main; sys.exit(main())", *argv],
        capture_output=True,
        env=env,
        check=False,
    )


@pytest.mark.slow
def test_sample_corpus_exports_carry_no_bidi_control(
    sample_corpus_dir: Path, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for index, source in enumerate(sorted(sample_corpus_dir.iterdir())):
        text = source.read_text(encoding="utf-8")
        (corpus / source.name).write_text(_poison(text, index), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    db = tmp_path / "list.json"
    reading_list = ReadingList.open(db)
    parsed = json.loads(_reader("parse", str(corpus), "--json", env=env).stdout)
    poisoned = [r for r in parsed if any(ch in BIDI for ch in f"{r['title']}{r['abstract']}")]
    assert len(poisoned) > 400  # the input really carries them (JSON keeps them, escaped)
    for paper in load_corpus([corpus]).papers[:40]:
        reading_list.set_note(paper, f"note \u202e{paper.id}\u2069 **b**\n\n2nd")
    counts = {}
    for fmt, name in (("bibtex", "all.bib"), ("markdown", "all.md")):
        target = tmp_path / name
        result = _reader(
            "export", str(corpus), "--all", "--abstracts", "--format", fmt, "-o", str(target),
            "--db", str(db), env=env,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        written = target.read_text(encoding="utf-8")
        counts[fmt] = sum(written.count(ch) for ch in BIDI)
        assert "\x1b" not in written and "[31m" not in written
        assert written.count("note ") >= 40
    assert counts == {"bibtex": 0, "markdown": 0}
    search = _reader("search", "learning", str(corpus), "--db", str(db), env=env)
    shown = search.stdout.decode("utf-8")
    assert shown.count("\n") > 20 and not forbidden_in(shown.replace("\n", ""))


def test_every_unsafe_character_is_non_printable() -> None:
    # strip_unsafe's fast path returns str.isprintable() text unchanged: sound only if so.
    unsafe = re.compile(f"[{UNSAFE_CLASS}]")
    assert not [
        code for code in range(0x110000) if chr(code).isprintable() and unsafe.match(chr(code))
    ]
