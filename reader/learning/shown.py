"""Which papers "Rate to train" has already suggested, so each is suggested once.

This is app state, not a judgement on a paper, so it stays out of the reading list: a small
JSON file beside it (``reading_list.shown.json``) holding a sorted list of paper ids. It is
written atomically; a missing or damaged file is read as empty (the worst outcome is that a
paper is suggested again), and a file that cannot be written is not an error either.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def shown_path(db_path: Path) -> Path:
    """Where the shown-papers file of the reading list ``db_path`` lives."""
    return db_path.with_name(db_path.stem + ".shown.json")


class ShownPapers:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._ids: set[str] = _read(path)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self._ids)

    def add(self, paper_ids: Iterable[str]) -> bool:
        """Remember ``paper_ids`` as shown; False when the file could not be written."""
        before = len(self._ids)
        self._ids.update(paper_ids)
        if len(self._ids) == before:
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".shown-", suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump(sorted(self._ids), stream)
                os.replace(temp, self.path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError:
            return False
        return True


def _read(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return set()
    if not isinstance(data, list):
        return set()
    return {item for item in data if isinstance(item, str)}
