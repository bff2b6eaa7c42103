"""CI-sized run of benchmarks/sync_kill.py: ``reader sync`` killed with SIGKILL 15 times.

The benchmark (100 kills) is the real test; this keeps the property guarded in CI.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_sync_killed_at_random_points_leaves_valid_state_and_reruns_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("sync_kill", REPO / "benchmarks" / "sync_kill.py")
    assert spec is not None and spec.loader is not None
    sync_kill = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "sync_kill", sync_kill)  # dataclasses look it up there
    spec.loader.exec_module(sync_kill)
    report = sync_kill.run(15, tmp_path, seed=7)
    assert report.ok, report.summary() + "\n" + "\n".join(report.problems)
    assert report.kills == 15 and report.reruns_completed == 15
