"""Why the reading list could not be read or saved.

Every error names the database file, so a message printed by the CLI or shown in the app
tells the user which file to look at. ``str(error)`` is the complete, readable message.
"""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Base class: something about the reading list file went wrong."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


class CorruptStoreError(StoreError):
    """The file is not a reading list we can read (not JSON, wrong shape, empty).

    ``damaged_copy`` is where a copy of the bad file was kept, when one could be made.
    """

    def __init__(self, path: Path | str, message: str, damaged_copy: Path | None = None) -> None:
        self.damaged_copy = damaged_copy
        super().__init__(path, message)


class NewerSchemaError(StoreError):
    """The file was written by a newer reader; we refuse rather than risk downgrading it."""

    def __init__(self, path: Path | str, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            path,
            f"written by a newer version of reader (schema {found}; this version reads up to "
            f"{supported}); upgrade reader to use it",
        )


class ReadOnlyError(StoreError):
    """A change was asked of a reading list that cannot be written; ``reason`` says why."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.reason = reason
        super().__init__(path, f"cannot save changes: {reason}")


class SaveError(StoreError):
    """Writing failed (disk full, I/O error, lock timeout); the old file is intact."""


class UnknownPaperError(StoreError):
    """A change was asked by id for a paper that is neither loaded nor in the reading list."""

    def __init__(self, path: Path | str, paper_ids: list[str]) -> None:
        self.paper_ids = paper_ids
        listed = ", ".join(paper_ids)
        noun = "paper id" if len(paper_ids) == 1 else "paper ids"
        super().__init__(path, f"unknown {noun}: {listed} (not in the corpus or the reading list)")
