"""Load colour themes from TOML files (format documented in themes/README.md).

A theme file holds the fields of ``textual.theme.Theme`` at top level and an optional
``[variables]`` table of extra CSS variables, including reader's own (``reader-star``,
``reader-match``, ``reader-tag``, ``reader-muted``; fallbacks in ``THEME_VARIABLE_FALLBACKS``).
The file name is not significant: ``name`` inside the file is what ``--theme`` takes.
Bundled themes are read first, then the user's directory, so a user theme with the same name
replaces the bundled one.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

from platformdirs import user_config_path
from textual.color import Color, ColorParseError
from textual.theme import Theme

from reader.paths import APP_NAME, bundled_themes_dir

# When a theme (e.g. one of Textual's built-ins) does not define one of reader's variables,
# it takes the value of the theme variable named here.
THEME_VARIABLE_FALLBACKS: dict[str, str] = {
    "reader-star": "warning",
    "reader-match": "accent",
    "reader-tag": "secondary",
    "reader-muted": "foreground-muted",
}

_COLOR_FIELDS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
_FLOAT_FIELDS = ("luminosity_spread", "text_alpha")
_BOOL_FIELDS = ("dark", "ansi")
_KNOWN_FIELDS = {f.name for f in fields(Theme)}


class ThemeError(Exception):
    """A theme file that cannot be used; the message names the file."""


@dataclass(frozen=True, slots=True)
class LoadedThemes:
    themes: list[Theme]
    errors: list[str]


def with_reader_variables(variables: dict[str, str]) -> dict[str, str]:
    """Fill in reader's variables a theme does not set from the colours it does."""
    filled = dict(variables)
    for name, fallback in THEME_VARIABLE_FALLBACKS.items():
        if name not in filled and fallback in filled:
            filled[name] = filled[fallback]
    return filled


def user_themes_dir() -> Path:
    return user_config_path(APP_NAME, appauthor=False) / "themes"


def default_theme_dirs() -> list[Path]:
    return [bundled_themes_dir(), user_themes_dir()]


def load_theme(path: Path) -> Theme:
    """Read one theme file; raise ThemeError saying what is wrong with it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ThemeError(f"{path}: cannot read: {error.strerror or error}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ThemeError(f"{path}: not valid TOML: {error}") from error

    unknown = sorted(set(data) - _KNOWN_FIELDS)
    if unknown:
        raise ThemeError(f"{path}: unknown field(s): {', '.join(unknown)}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeError(f"{path}: 'name' must be a non-empty string")
    if "primary" not in data:
        raise ThemeError(f"{path}: 'primary' colour is required")
    for key in _COLOR_FIELDS:
        if key in data:
            _check_color(path, key, data[key])
    for key in _FLOAT_FIELDS:
        if key in data and not isinstance(data[key], int | float):
            raise ThemeError(f"{path}: '{key}' must be a number")
    for key in _BOOL_FIELDS:
        if key in data and not isinstance(data[key], bool):
            raise ThemeError(f"{path}: '{key}' must be true or false")
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(
        isinstance(value, str) for value in variables.values()
    ):
        raise ThemeError(f"{path}: [variables] must map names to strings")
    return Theme(**data)


def _check_color(path: Path, key: str, value: object) -> None:
    if not isinstance(value, str):
        raise ThemeError(f"{path}: '{key}' must be a colour string such as \"#1e1e2e\"")
    try:
        Color.parse(value)
    except ColorParseError as error:
        raise ThemeError(f"{path}: '{key}': {value!r} is not a colour") from error


def load_themes(directories: Iterable[Path]) -> LoadedThemes:
    """Every ``*.toml`` theme in ``directories`` (missing directories are fine)."""
    themes: list[Theme] = []
    errors: list[str] = []
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            try:
                themes.append(load_theme(path))
            except ThemeError as error:
                errors.append(str(error))
    return LoadedThemes(themes, errors)
