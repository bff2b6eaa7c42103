"""Bytes from disk to lines of text, with every oddity reported rather than fatal.

Pasted listings arrive as UTF-8 (sometimes with a BOM), as Windows cp1252 from an old editor,
or as Latin-1. We try UTF-8 first. A file that is UTF-8 elsewhere (it has valid multi-byte
sequences) but holds a stray invalid byte keeps every good line as UTF-8: only the bad line is
decoded as cp1252 and reported, so one damaged byte never changes the other records (or their
ids). A file with no valid multi-byte UTF-8 at all is decoded whole as cp1252, then Latin-1
(which always succeeds), with a warning naming the first line that was not UTF-8.

A stray NUL byte in a text file is removed from its line and reported; the line's record is
kept, and so is every other. Files whose first bytes are dense with control characters (or
that hold many NULs) are binary and refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reader.parsing.problems import Problem

_BOM = b"\xef\xbb\xbf"
_FALLBACK_ENCODINGS = ("cp1252", "latin-1")
# C0 controls that never occur in text (tab, newlines, form feed and ESC excluded).
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32)])
_BINARY_SAMPLE = 8192
_BINARY_CONTROL_SHARE = 0.05
_MAX_STRAY_NULS = 16


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
    if nul >= 0 and _is_binary(data):
        line = data.count(b"\n", 0, nul) + 1
        raise BinaryFileError(f"binary file (NUL byte on line {line})")
    problems: list[Problem] = []
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if nul >= 0:
        data = _remove_nuls(data, path, problems)
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        if _has_utf8_sequences(data):
            text, encoding = _decode_utf8_by_line(data, path, problems), "utf-8"
        else:
            bad_line = data.count(b"\n", 0, error.start) + 1
            text, encoding = _decode_fallback(data)
            problems.append(
                Problem(
                    path,
                    bad_line,
                    f"not valid UTF-8 (byte 0x{data[error.start]:02x}); "
                    f"decoded the file as {encoding}",
                    "warning",
                )
            )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return DecodedText(lines, encoding, problems)


def _is_binary(data: bytes) -> bool:
    if data.count(b"\0") > _MAX_STRAY_NULS:
        return True
    head = data[:_BINARY_SAMPLE]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > len(head) * _BINARY_CONTROL_SHARE


def _line_numbers(data: bytes, byte: bytes) -> list[int]:
    """1-based numbers of the lines holding ``byte`` (a line ends at LF, CR or CRLF)."""
    numbers: list[int] = []
    for number, line in enumerate(
        data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"), 1
    ):
        if byte in line:
            numbers.append(number)
    return numbers


def _remove_nuls(data: bytes, path: str, problems: list[Problem]) -> bytes:
    for number in _line_numbers(data, b"\0"):
        problems.append(Problem(path, number, "NUL byte removed from this line", "warning"))
    return data.replace(b"\0", b"")


def _has_utf8_sequences(data: bytes) -> bool:
    """True when some non-ASCII line decodes as UTF-8: the file is UTF-8 with stray bytes."""
    for line in data.splitlines():
        if not line.isascii():
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            return True
    return False


def _decode_utf8_by_line(data: bytes, path: str, problems: list[Problem]) -> str:
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    decoded: list[str] = []
    for number, line in enumerate(lines, 1):
        try:
            decoded.append(line.decode("utf-8"))
        except UnicodeDecodeError as error:
            text, encoding = _decode_fallback(line)
            decoded.append(text)
            problems.append(
                Problem(
                    path,
                    number,
                    f"not valid UTF-8 (byte 0x{line[error.start]:02x}); "
                    f"decoded this line as {encoding}",
                    "warning",
                )
            )
    return "\n".join(decoded)


def _decode_fallback(data: bytes) -> tuple[str, str]:
    for encoding in _FALLBACK_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover
