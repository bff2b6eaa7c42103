"""Bytes from disk to lines of text, with every oddity reported rather than fatal.

Pasted listings arrive as UTF-8 (sometimes with a BOM), as Windows cp1252 from an old editor,
or as Latin-1. We try UTF-8 first, then cp1252, then Latin-1 (which always succeeds), and warn
with the line of the first byte that was not UTF-8 so the user can find it. Files holding NUL
bytes are binary and refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reader.parsing.problems import Problem

_BOM = b"\xef\xbb\xbf"
_FALLBACK_ENCODINGS = ("cp1252", "latin-1")


class BinaryFileError(ValueError):
    """The file is not text; raised with a message naming the first NUL byte's line."""


@dataclass(slots=True)
class DecodedText:
    lines: list[str]  # line endings and trailing whitespace removed; index 0 is line 1
    encoding: str
    problems: list[Problem] = field(default_factory=list)


def decode_lines(data: bytes, path: str) -> DecodedText:
    """Decode ``data`` and split it into lines; CRLF, CR and LF are all line ends."""
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise BinaryFileError(f"binary file (NUL byte on line {line})")
    problems: list[Problem] = []
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        bad_line = data.count(b"\n", 0, error.start) + 1
        text, encoding = _decode_fallback(data)
        problems.append(
            Problem(
                path,
                bad_line,
                f"not valid UTF-8 (byte 0x{data[error.start]:02x}); decoded the file as {encoding}",
                "warning",
            )
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return DecodedText(lines, encoding, problems)


def _decode_fallback(data: bytes) -> tuple[str, str]:
    for encoding in _FALLBACK_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover
