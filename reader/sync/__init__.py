"""Sharing the reading list between machines through git (``reader sync``).

- merge.py: the three-way, field-by-field merge of two reading lists (``reader
  merge-driver`` and sync both use it); pure functions on parsed tables.
- changes.py: what changed between two versions, in words ("starred 2, tagged 5, 1 note").
- git.py: running the git program (no prompts, no hangs, locks handed to children).
- service.py: ``init_sync`` and ``sync_reading_list`` -> ``SyncReport`` (what the CLI and
  the app call); driver.py: the merge driver as a function of three paths.

git is the engine (history, transport, credentials, and the merge of other files), run as
the ``git`` program through subprocess; what we add is the field-by-field merge of the
reading list and a sync that never leaves it half-written. Imports reader.model and
reader.storage only; never the UI or the CLI.
"""

from reader.sync.service import (
    InitReport,
    SyncError,
    SyncReport,
    driver_command,
    init_sync,
    sync_reading_list,
)

__all__ = [
    "InitReport",
    "SyncError",
    "SyncReport",
    "driver_command",
    "init_sync",
    "sync_reading_list",
]
