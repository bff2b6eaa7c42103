"""Where reader finds its bundled data and keeps the user's files."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_cache_path, user_data_path

APP_NAME = "reader"
_PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    # An installed wheel carries the data inside the package; a source checkout (or an
    # editable install) has it beside the package at the repository root.
    inside = _PACKAGE_DIR / "_data" / name
    return inside if inside.is_dir() else _PACKAGE_DIR.parent / name


def sample_corpus_dir() -> Path:
    return _bundled("sample_corpus")


def bundled_themes_dir() -> Path:
    return _bundled("themes")


def default_db_path() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "reading_list.json"


def cache_dir() -> Path:
    return user_cache_path(APP_NAME, appauthor=False)
