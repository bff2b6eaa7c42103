"""``reader config --show``: the effective settings, and where each value came from."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from reader.cli.app import keymap_problems
from reader.cli.common import EXIT_INPUT, EXIT_OK, ExitlessParser, say
from reader.config import Settings, default_config_path, load_settings, setting_names
from reader.paths import default_db_path


def build_parser(err: TextIO) -> ExitlessParser:
    parser = ExitlessParser(
        prog="reader config",
        description="Show the effective configuration: flags over config.toml over defaults.",
        stderr=err,
    )
    parser.add_argument("--show", action="store_true", help="print the effective settings")
    parser.add_argument("--config", type=Path, default=None, metavar="PATH", help="config file")
    return parser


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    parser = build_parser(err)
    args = parser.parse_args(list(argv))
    if not args.show:
        parser.error("say what to do: --show")
    path = args.config or default_config_path()
    settings, problems = load_settings(path)
    problems += keymap_problems(settings)
    for problem in problems:
        say(err, str(problem))
    out.write(render(settings, path))
    return EXIT_INPUT if any(p.severity == "error" for p in problems) else EXIT_OK


def render(settings: Settings, path: Path) -> str:
    """The settings as TOML, each line commented with its source."""
    from reader.ui.actions import ACTIONS, effective_keys

    lines = [
        f"# config file: {_toml(str(path))}{'' if path.exists() else ' (not present)'}",
        "# precedence: command-line flags > config file > defaults",
    ]
    for name in setting_names():
        if name != "keymap":
            value = getattr(settings, name)
            if name == "reading_list" and value is None:
                value = default_db_path()
            lines.append(_line(name, value, settings.source(name)))
    lines.append("")
    lines.append("[keymap]")
    keys = effective_keys(settings.keymap)
    for action in ACTIONS:
        source = settings.source(f"keymap.{action.id}")
        lines.append(
            _line(json.dumps(action.id), keys[action.id], f"{source}; {action.description}")
        )
    return "\n".join(lines) + "\n"


def _line(name: str, value: Any, source: str) -> str:
    return f"{name} = {_toml(value)}  # {source}"


def _toml(value: Any) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    # ASCII-only JSON strings are valid TOML basic strings and keep control characters and
    # bidi overrides from a user's file off the terminal.
    return json.dumps(str(value), ensure_ascii=True)
