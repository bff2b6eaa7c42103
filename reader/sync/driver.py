"""``reader merge-driver BASE OURS THEIRS``: git's merge driver for the reading list.

git calls it (as registered by ``reader sync --init``) with three temporary files: the
common ancestor (%O), our version (%A) and theirs (%B). We merge them (merge.py) and write
the result over OURS, atomically. Exit 0 means "merged"; anything else makes git record a
conflict and leave OURS as it was, which is what we want for a file that is not a valid
reading list: we never write a file we could not read back, and never guess.

An empty BASE means there is no common ancestor (the file was added on both sides).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reader.storage.atomic_file import write_atomically
from reader.sync.merge import MergeStats, decode_tables, encode_tables, merge_tables


class DriverError(Exception):
    """One of the files is not a reading list (or cannot be read / written)."""


@dataclass(frozen=True, slots=True)
class DriverResult:
    stats: MergeStats
    changed: bool


def merge_files(base: Path, ours: Path, theirs: Path) -> DriverResult:
    """Merge THEIRS into OURS (against BASE) in place; DriverError leaves OURS untouched."""
    contents: list[bytes] = []
    for path in (base, ours, theirs):
        try:
            contents.append(path.read_bytes())
        except OSError as error:
            raise DriverError(f"{path}: cannot be read ({error.strerror or error})") from None
    tables = []
    paths = (base, ours, theirs)
    for path, content, empty_ok in zip(paths, contents, (True, False, False), strict=True):
        try:
            tables.append(decode_tables(content, empty_ok=empty_ok))
        except ValueError as problem:
            raise DriverError(f"{path}: {problem}") from None
    merged, stats = merge_tables(tables[0], tables[1], tables[2])
    payload = encode_tables(merged)
    try:
        decode_tables(payload)
    except ValueError as problem:  # a bug of ours: refuse rather than write it
        raise DriverError(f"the merged reading list would not be valid ({problem})") from None
    if payload == contents[1]:
        return DriverResult(stats, changed=False)
    try:
        write_atomically(ours, payload)
    except OSError as error:
        raise DriverError(f"{ours}: cannot be written ({error.strerror or error})") from None
    return DriverResult(stats, changed=True)
