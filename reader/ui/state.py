"""The app's remembered state: a small JSON object of keys to values, in the user state dir.

What lives here is convenience (last export directory and scope; later theme, sort, view,
query, cursor), never the user's data: the reading list is elsewhere and never touched. So
the rules are lenient in the other direction from the reading list:

- a missing, unreadable, corrupt or non-object file loads as empty state (``problem`` says
  why, for a notice); nothing ever raises to the caller;
- values are read through typed accessors that fall back to the default when a value is
  missing or of the wrong type (a hand-edited file cannot crash the app);
- ``save`` writes atomically (temporary file, fsync, rename) and reports failure as a
  message instead of raising.

Keys are dotted by owner, e.g. ``export.directory``; the whole file is rewritten on save.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TypeAlias

from platformdirs import user_state_path

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"

STATE_FILE_NAME = "state.json"
_MAX_BYTES = 1_000_000  # a state file is a few hundred bytes; anything huge is not ours


def default_state_path() -> Path:
    return user_state_path("reader", appauthor=False) / STATE_FILE_NAME


class UiState:
    def __init__(self, path: Path, values: Mapping[str, JsonValue] | None = None) -> None:
        self.path = path
        self._values: dict[str, JsonValue] = dict(values or {})
        self.problem: str | None = None  # why loading fell back to empty state

    @classmethod
    def load(cls, path: Path | None = None) -> UiState:
        path = path or default_state_path()
        state = cls(path)
        try:
            with path.open("rb") as handle:
                raw = handle.read(_MAX_BYTES + 1)
        except FileNotFoundError:
            return state
        except OSError as error:
            state.problem = f"{path}: cannot read the saved state ({error.strerror or error})"
            return state
        if len(raw) > _MAX_BYTES:
            state.problem = f"{path}: saved state is too large; ignored"
            return state
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            state.problem = f"{path}: saved state is damaged ({error}); starting afresh"
            return state
        if not isinstance(data, dict):
            state.problem = f"{path}: saved state is not a JSON object; starting afresh"
            return state
        state._values = {str(key): value for key, value in data.items()}
        return state

    # -- typed reads: the default whenever the value is missing or of another type --------

    def get_str(self, key: str, default: str | None = None) -> str | None:
        value = self._values.get(key)
        return value if isinstance(value, str) and "\0" not in value else default

    def get_int(self, key: str, default: int | None = None) -> int | None:
        value = self._values.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    def get_bool(self, key: str, default: bool = False) -> bool:
        value = self._values.get(key)
        return value if isinstance(value, bool) else default

    def get_str_list(self, key: str) -> list[str]:
        value = self._values.get(key)
        if not isinstance(value, list):
            return []
        return [item for item in value if isinstance(item, str)]

    def get_path(self, key: str) -> Path | None:
        value = self.get_str(key)
        return Path(value) if value else None

    # -- writes ---------------------------------------------------------------------------

    def set(self, key: str, value: JsonValue | Path) -> None:
        self._values[key] = str(value) if isinstance(value, Path) else value

    def remove(self, key: str) -> None:
        self._values.pop(key, None)

    def as_dict(self) -> dict[str, JsonValue]:
        return dict(self._values)

    def save(self) -> str | None:
        """Write the state; None on success, else a message saying what went wrong."""
        # ASCII escapes: a path with undecodable bytes (surrogates) still writes and reads back.
        text = json.dumps(self._values, ensure_ascii=True, indent=1, sort_keys=True) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".state-", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            return f"Could not remember settings in {self.path}: {error.strerror or error}"
        return None
