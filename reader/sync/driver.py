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

from reader.model.memory import cyclic_gc_paused
from reader.storage.atomic_file import write_atomically
from reader.storage.schema import SchemaProblem, Tables
from reader.sync.merge import MergeStats, encode_like, merge_tables, read_like, read_ours


class DriverError(Exception):
    """One of the files is not a reading list (or cannot be read / written)."""


@dataclass(frozen=True, slots=True)
class DriverResult:
    stats: MergeStats
    changed: bool


def merge_files(base: Path, ours: Path, theirs: Path) -> DriverResult:
    """Merge THEIRS into OURS (against BASE) in place; DriverError leaves OURS untouched."""
    # Parsing builds ~10^6 objects and none of them form reference cycles; with the cyclic
    # garbage collector on, its passes over them take a third of the merge's time.
    with cyclic_gc_paused():
        return _merge_files(base, ours, theirs)


def _merge_files(base: Path, ours: Path, theirs: Path) -> DriverResult:
    contents: list[bytes] = []
    for path in (base, ours, theirs):
        try:
            contents.append(path.read_bytes())
        except OSError as error:
            raise DriverError(f"{path}: cannot be read ({error.strerror or error})") from None
    # OURS first, in full; the other two are read against it: only their documents whose
    # bytes differ from OURS's are parsed (see merge.read_like).
    try:
        ours_list = read_ours(contents[1])
    except ValueError as problem:
        raise DriverError(f"{ours}: {problem}") from None
    checked: list[Tables] = []
    for path, content, empty_ok in ((theirs, contents[2], False), (base, contents[0], True)):
        try:
            checked.append(read_like(content, ours_list, empty_ok=empty_ok))
        except ValueError as problem:
            raise DriverError(f"{path}: {problem}") from None
    theirs_tables, base_tables = checked
    try:
        # Documents the merge builds are checked as it builds them (the rest were above).
        merged, stats = merge_tables(base_tables, ours_list.tables, theirs_tables)
    except SchemaProblem as problem:  # a bug of ours: refuse rather than write it
        raise DriverError(f"the merged reading list would not be valid ({problem})") from None
    try:
        payload = encode_like(merged, ours_list)
    except UnicodeEncodeError:
        # json reads a '\ud800' escape as a lone surrogate, which UTF-8 cannot hold: refuse
        # (git records a conflict) rather than fail with a traceback.
        raise DriverError(
            "the merged reading list holds text that is not valid Unicode (a lone surrogate "
            "escape such as \\ud800); nothing was written"
        ) from None
    if payload == contents[1]:
        return DriverResult(stats, changed=False)
    try:
        write_atomically(ours, payload)
    except OSError as error:
        raise DriverError(f"{ours}: cannot be written ({error.strerror or error})") from None
    return DriverResult(stats, changed=True)
