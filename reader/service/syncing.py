"""Sync as the app runs it: one call that never raises, and a line for the status bar.

``reader sync`` (the CLI) and the app's "Sync now" both end in
``reader.sync.sync_reading_list``; this wraps it for a window: the outcome to show, and the
note kept beside the counts ("synced 14:02: 3 changes from workstation").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reader.service.session import Outcome, Severity
from reader.sync.service import SyncError, sync_reading_list


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    outcome: Outcome
    status_note: str  # for the counts line: when, and what came in


def sync_now(db_path: Path, *, now: datetime | None = None) -> SyncOutcome:
    """Commit, fetch, merge and push the reading list; blocks on the network (call it from
    a worker thread)."""
    moment = (now or datetime.now()).strftime("%H:%M")
    try:
        report = sync_reading_list(db_path)
    except SyncError as error:
        return SyncOutcome(Outcome(f"Sync failed: {error}", "error"), f"sync failed {moment}")
    summary = report.summary()
    severity: Severity = "information" if report.in_sync else "warning"
    return SyncOutcome(
        Outcome(f"Sync: {summary}", severity),
        f"synced {moment}: {summary}" if report.in_sync else f"sync {moment}: {summary}",
    )
