"""Settings: defaults, overridden by ``config.toml``, overridden by command-line flags.

The file is ``~/.config/reader/config.toml`` (platformdirs' user config directory; the
``READER_CONFIG`` environment variable or ``--config`` names another). Example::

    theme = "reader-light"
    default_sort = "date"            # relevance | date | title | for-you
    auto_read = false
    advance_after_triage = "inbox"   # inbox | always | never
    open_url = "arxiv"               # arxiv | semantic-scholar | google-scholar |
                                     # papers-with-code | a URL with {title}
    corpus_paths = ["~/papers/listings"]
    reading_list = "~/papers/reading_list.json"
    sync_on_quit = false

    [keymap]                         # action id = keys (see `reader config --show`)
    "triage.star" = "S"

Every problem is reported as ``config.toml:LINE: message``. A value of the wrong type or an
unknown choice is an error (the caller refuses to start rather than guess); an unknown key is
a warning and is ignored, so a config written for a newer reader still starts this one.
A user's text here is data: the URL template is filled by plain replacement, never
``str.format``.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_config_path

SORTS = ("relevance", "date", "title", "for-you")
ADVANCE = ("inbox", "always", "never")
URL_PROVIDERS = ("arxiv", "semantic-scholar", "google-scholar", "papers-with-code")
DEFAULT_SOURCE = "default"


@dataclass(frozen=True, slots=True)
class Settings:
    theme: str = "reader-dark"
    default_sort: str = "relevance"
    auto_read: bool = False
    advance_after_triage: str = "inbox"
    open_url: str = "arxiv"
    corpus_paths: tuple[Path, ...] = ()
    reading_list: Path | None = None
    sync_on_quit: bool = False
    keymap: Mapping[str, str] = field(default_factory=dict)
    # Where each value came from: "default", "PATH:LINE" or "--flag".
    sources: Mapping[str, str] = field(default_factory=dict)

    def source(self, name: str) -> str:
        return self.sources.get(name, DEFAULT_SOURCE)

    def with_flags(self, flags: Mapping[str, Any]) -> Settings:
        """These settings with command-line flags on top (``None`` means not given)."""
        given = {name: value for name, value in flags.items() if value is not None}
        sources = dict(self.sources)
        for name in given:
            sources[name] = "--" + name.replace("_", "-")
        return replace(self, **given, sources=sources)


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    path: Path
    line: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


def default_config_path() -> Path:
    override = os.environ.get("READER_CONFIG")
    if override:
        return Path(override).expanduser()
    return user_config_path("reader", appauthor=False) / "config.toml"


def load_settings(path: Path | None = None) -> tuple[Settings, list[ConfigProblem]]:
    """The settings in ``path`` (default: the user's config file) over the defaults.

    A missing file is no problem. Errors leave the setting at its default and are returned
    for the caller to show; nothing here raises on bad content.
    """
    path = path or default_config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(), []
    except OSError as error:
        return Settings(), [ConfigProblem(path, 0, f"cannot read: {error.strerror or error}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return Settings(), [ConfigProblem(path, line, "not valid UTF-8")]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"at line (\d+)", str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        return Settings(), [ConfigProblem(path, int(found.group(1)) if found else 0, message)]
    return _settings_from(data, path, _KeyLines(text))


# -- validation -----------------------------------------------------------------------------

Check = Callable[[Any], "str | None"]  # a problem with the value, or None


def _one_of(choices: tuple[str, ...]) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, str) or value not in choices:
            return f"must be one of {', '.join(choices)} (found {_shown(value)})"
        return None

    return check


def _is_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false (found {_shown(value)})"


def _is_text(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"must be a non-empty string (found {_shown(value)})"
    return None


def _is_url(value: Any) -> str | None:
    if isinstance(value, str) and (value in URL_PROVIDERS or _is_url_template(value)):
        if value in URL_PROVIDERS or _is_safe_url(value):
            return None
        return "must not contain spaces, quotes, brackets or control characters"
    return (
        f"must be one of {', '.join(URL_PROVIDERS)} or an http(s) URL containing {{title}} "
        f"(found {_shown(value)})"
    )


def _is_safe_url(value: str) -> bool:
    # The address is handed to a browser command and shown as a terminal hyperlink.
    return all(ch.isprintable() and not ch.isspace() and ch not in '"[]<>\\' for ch in value)


def _is_url_template(value: str) -> bool:
    return value.startswith(("http://", "https://")) and "{title}" in value


def _is_path_list(value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        return f"must be a list of paths as strings (found {_shown(value)})"
    return None


_CHECKS: dict[str, Check] = {
    "theme": _is_text,
    "default_sort": _one_of(SORTS),
    "auto_read": _is_bool,
    "advance_after_triage": _one_of(ADVANCE),
    "open_url": _is_url,
    "corpus_paths": _is_path_list,
    "reading_list": _is_text,
    "sync_on_quit": _is_bool,
}


def _settings_from(
    data: dict[str, Any], path: Path, lines: _KeyLines
) -> tuple[Settings, list[ConfigProblem]]:
    problems: list[ConfigProblem] = []
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, value in data.items():
        line = lines.find(None, name)
        if name == "keymap":
            keymap = _keymap(value, path, lines, problems, sources)
            if keymap is not None:
                values["keymap"], sources["keymap"] = keymap, f"{path}:{line}"
            continue
        check = _CHECKS.get(name)
        if check is None:
            known = ", ".join([*_CHECKS, "keymap"])
            message = f"unknown setting {_shown(name)} ignored (known: {known})"
            problems.append(ConfigProblem(path, line, message, "warning"))
            continue
        if problem := check(value):
            problems.append(ConfigProblem(path, line, f"{name} {problem}"))
            continue
        values[name], sources[name] = _converted(name, value), f"{path}:{line}"
    return Settings(**values, sources=sources), problems


def _keymap(
    value: Any,
    path: Path,
    lines: _KeyLines,
    problems: list[ConfigProblem],
    sources: dict[str, str],
) -> dict[str, str] | None:
    if not isinstance(value, dict):
        problems.append(ConfigProblem(path, lines.find(None, "keymap"), "keymap must be a table"))
        return None
    keymap: dict[str, str] = {}
    for action_id, keys in value.items():
        line = lines.find("keymap", action_id)
        if not isinstance(keys, str) or not _KEYS.fullmatch(keys):
            problems.append(
                ConfigProblem(
                    path,
                    line,
                    f"keymap {_shown(action_id)}: keys must be key names separated by commas, "
                    f'e.g. "S" or "ctrl+s,f2" (found {_shown(keys)})',
                )
            )
            continue
        keymap[action_id] = keys
        sources[f"keymap.{action_id}"] = f"{path}:{line}"
    return keymap


# Textual key names: letters, digits, punctuation names, modifiers joined with "+".
_KEYS = re.compile(r"[A-Za-z0-9_+\-]+(,[A-Za-z0-9_+\-]+)*")


def _converted(name: str, value: Any) -> Any:
    if name == "corpus_paths":
        return tuple(Path(item).expanduser() for item in value)
    if name == "reading_list":
        return Path(value).expanduser()
    return value


def _shown(value: Any) -> str:
    """A value as the message shows it: JSON, ASCII only, so no control or bidi character
    from the file reaches the terminal, and cut short."""
    text = json.dumps(value, ensure_ascii=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


class _KeyLines:
    """Finds the line a key is set on, for messages (tomllib keeps no positions)."""

    _SECTION = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
    _KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.\-]+)\s*=""")

    def __init__(self, text: str) -> None:
        self._where: dict[tuple[str | None, str], int] = {}
        section: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if found := self._SECTION.match(line):
                section = found.group(1).strip().strip("\"'")
                self._where.setdefault((None, section), number)
                continue
            if found := self._KEY.match(line):
                key = found.group(1)
                if key[0] in "\"'":
                    key = key[1:-1]
                self._where.setdefault((section, key), number)

    def find(self, section: str | None, key: str) -> int:
        return self._where.get((section, key), 1)


def setting_names() -> list[str]:
    return [f.name for f in fields(Settings) if f.name != "sources"]
