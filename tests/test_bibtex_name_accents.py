r"""LaTeX accents in author names: an escaped backslash is no accent command.

``\\`` is LaTeX's line break, so in ``\\^D`` the ``^`` follows no command and stays; only
``\'e`` after it (``\\\'e``) is an accent. Hypothesis found the round trip of a listing
author ``\\^DINOv2`` reading back as ``\D̂INOv2`` in the test's model.
"""

from __future__ import annotations

from pathlib import Path

from reader.export.bibtex import to_bibtex
from reader.model.paper import Paper, paper_id
from reader.parsing.bibtex_text import decode_name_accents
from reader.parsing.corpus import parse_file


def test_an_escaped_backslash_is_not_an_accent_command() -> None:
    assert decode_name_accents("\\\\^DINOv2") == "\\\\^DINOv2"
    assert decode_name_accents("\\\\o and \\\\ss") == "\\\\o and \\\\ss"
    assert decode_name_accents("\\\\\\'e") == "\\\\é"  # the accent after the line break
    assert decode_name_accents('{\\O}stergaard M{\\"u}ller Stra{\\ss}e') == (
        "Østergaard Müller Straße"
    )


def test_an_author_with_a_line_break_before_a_caret_survives_export_and_import(
    tmp_path: Path,
) -> None:
    paper = Paper(id=paper_id(None, "{"), title=None, authors=("\\\\^DINOv2",), abstract="{")
    path = tmp_path / "export.bib"
    path.write_text(to_bibtex([paper], {}), encoding="utf-8")
    parsed = parse_file(path)
    assert [p.authors for p in parsed.papers] == [("\\\\^DINOv2",)]
    assert [decode_name_accents(name) for name in paper.authors] == ["\\\\^DINOv2"]
