"""Every user action in one table: its id, default key, description and group.

Textual ``BINDINGS`` (``bindings_for``), the help screen, the command palette, the keymap in
``config.toml`` and the README's key table (``readme_table``; a test fails when the README is
stale) all come from ``ACTIONS``, so they cannot drift apart. A binding's ``id`` is the
action's id, which is what a user's ``[keymap]`` names (Textual applies it with
``App.set_keymap``).

Where an action is bound:
- ``screen``: on the main screen, so it works whichever pane has focus, except while the
  search box has focus (the box takes printable keys as text);
- ``list``: on the paper list only (cursor movement and selection);
- ``sidebar``: on the views sidebar only;
- ``detail``: on the detail pane only (when it has focus);
- ``search``: in the search box only.

This module imports no Textual at import time, so the README check and ``reader config``
can read the table without starting a UI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from textual.binding import Binding

Target = Literal["screen", "list", "sidebar", "detail", "search"]


@dataclass(frozen=True, slots=True)
class Action:
    id: str  # "group.name": what bindings, the keymap and the palette call it
    key: str  # Textual key names, comma-separated for alternatives
    description: str  # one line, for help and the palette
    group: str
    action: str  # the Textual action run on the target
    target: Target = "screen"
    footer: str | None = None  # short footer label; None keeps it out of the footer
    palette: bool = True  # offered in the command palette
    shown_key: str | None = None  # how help and the README write the key, if not ``key``
    in_help: bool = True  # False for members of a family that help shows as one row

    @property
    def display_key(self) -> str:
        return self.shown_key or " / ".join(_KEY_NAMES.get(k, k) for k in self.key.split(","))


_KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "space": "space",
    "escape": "escape",
    "down": "↓",
    "up": "↑",
    "home": "home",
    "end": "end",
}

GROUPS = ("Move", "Triage", "Search and views", "Copy and export", "App")

ACTIONS: tuple[Action, ...] = (
    # -- Move
    Action("move.down", "j,down", "Next paper", "Move", "cursor_down", "list", palette=False),
    Action("move.up", "k,up", "Previous paper", "Move", "cursor_up", "list", palette=False),
    Action("move.first", "g,home", "First paper", "Move", "first", "list"),
    Action("move.last", "G,end", "Last paper", "Move", "last", "list"),
    Action("move.page_down", "pagedown", "Page down", "Move", "page_down", "list", palette=False),
    Action("move.page_up", "pageup", "Page up", "Move", "page_up", "list", palette=False),
    Action(
        "move.scroll_detail_down",
        "J",
        "Scroll the detail pane down",
        "Move",
        "command('scroll_detail', 1)",
        palette=False,
    ),
    Action(
        "move.scroll_detail_up",
        "K",
        "Scroll the detail pane up",
        "Move",
        "command('scroll_detail', -1)",
        palette=False,
    ),
    # -- Triage
    Action(
        "triage.select",
        "space",
        "Select the paper for bulk actions",
        "Triage",
        "toggle_select",
        "list",
        footer="Select",
    ),
    Action("triage.star", "s", "Star / unstar", "Triage", "command('toggle_star')", footer="Star"),
    Action(
        "triage.read", "r", "Mark read / unread", "Triage", "command('toggle_read')", footer="Read"
    ),
    Action(
        "triage.skip",
        "x",
        "Skip (hide from the Inbox) / unskip",
        "Triage",
        "command('toggle_skip')",
        footer="Skip",
    ),
    Action(
        "triage.tag",
        "t",
        "Add tags (comma-separated; Tab accepts a completion)",
        "Triage",
        "command('add_tags')",
        footer="Tag",
    ),
    Action("triage.untag", "T", "Remove a tag", "Triage", "command('remove_tag')", footer="Untag"),
    Action(
        "triage.note",
        "n",
        "Edit the note (ctrl+s saves)",
        "Triage",
        "command('edit_note')",
        footer="Note",
    ),
    Action(
        "triage.undo",
        "u",
        "Undo the last change (repeatable)",
        "Triage",
        "command('undo')",
        "screen",
        footer="Undo",
    ),
    Action(
        "triage.redo",
        "ctrl+r",
        "Redo what undo took back (where nobody changed it since)",
        "Triage",
        "command('redo')",
        "screen",
    ),
    # -- Search and views
    Action(
        "search.focus",
        "slash",
        "Search (filters as you type)",
        "Search and views",
        "command('focus_search')",
        footer="Search",
    ),
    Action(
        "search.back",
        "escape",
        "Back to the list; in the list, clear the search, then the selection",
        "Search and views",
        "command('back')",
        palette=False,
    ),
    Action(
        "search.sort",
        "o",
        "Cycle the sort (relevance, date, title, for you)",
        "Search and views",
        "command('cycle_sort')",
        footer="Sort",
    ),
    Action(
        "views.sidebar",
        "b",
        "Show / hide the views sidebar",
        "Search and views",
        "command('toggle_sidebar')",
        footer="Views",
    ),
    *(
        Action(
            f"views.open_{n}",
            str(n),
            "Open the n-th view of the sidebar (All, Inbox, Starred, …)"
            if n == 1
            else f"Open view {n}",
            "Search and views",
            f"command('open_view', {n})",
            palette=False,
            shown_key="1 … 9" if n == 1 else None,
            in_help=n == 1,
        )
        for n in range(1, 10)
    ),
    Action(
        "views.down",
        "j,down",
        "Next view (sidebar focused)",
        "Search and views",
        "cursor_down",
        "sidebar",
        palette=False,
        in_help=False,
    ),
    Action(
        "views.up",
        "k,up",
        "Previous view (sidebar focused)",
        "Search and views",
        "cursor_up",
        "sidebar",
        palette=False,
        in_help=False,
    ),
    Action(
        "search.history_previous",
        "up",
        "Earlier searches (in the search box; down goes back)",
        "Search and views",
        "history_previous",
        "search",
        palette=False,
        shown_key="↑ / ↓ (search box)",
    ),
    Action(
        "search.history_next",
        "down",
        "Later searches (in the search box)",
        "Search and views",
        "history_next",
        "search",
        palette=False,
        in_help=False,
    ),
    Action(
        "search.save",
        "ctrl+s",
        "Save the search as a view in the sidebar",
        "Search and views",
        "command('save_search')",
    ),
    Action(
        "views.remove_saved",
        "delete",
        "Remove the highlighted saved search (sidebar focused)",
        "Search and views",
        "screen.command('remove_saved_search')",
        "sidebar",
    ),
    Action(
        "views.more_like",
        "m",
        "More like this: the papers nearest this one (escape leaves)",
        "Search and views",
        "command('more_like')",
    ),
    Action(
        "views.rate_to_train",
        "R",
        "Rate to train: papers the For you model is least sure of",
        "Search and views",
        "command('rate_to_train')",
    ),
    Action(
        "views.problems",
        "P",
        "Problems and data quality of the input files",
        "Search and views",
        "command('problems')",
    ),
    # -- Copy and export
    Action(
        "copy.bibtex",
        "y",
        "Copy the BibTeX of the current or selected papers",
        "Copy and export",
        "command('copy_bibtex')",
        footer="BibTeX",
    ),
    Action("copy.title", "Y", "Copy the title", "Copy and export", "command('copy_title')"),
    Action(
        "paper.open",
        "w",
        "Open the paper: its arXiv page, or a web search for the exact title",
        "Copy and export",
        "command('open_paper')",
        shown_key="w / enter (detail pane)",
    ),
    Action(
        "paper.open_from_detail",
        "enter",
        "Open the paper (detail pane focused)",
        "Copy and export",
        "screen.command('open_paper')",
        "detail",
        palette=False,
        in_help=False,
    ),
    Action(
        "export.dialog",
        "e",
        "Export BibTeX or Markdown…",
        "Copy and export",
        "command('export')",
        footer="Export",
    ),
    # -- App
    Action(
        "app.sync",
        "ctrl+g",
        "Sync now: commit, merge and push the reading list through git",
        "App",
        "command('sync_now')",
    ),
    Action(
        "app.help",
        "question_mark",
        "Help: every key and the query language",
        "App",
        "command('help')",
        footer="Help",
    ),
    Action("app.quit", "q", "Quit", "App", "app.quit", footer="Quit"),
)

BY_ID: dict[str, Action] = {action.id: action for action in ACTIONS}


def actions_for(target: Target) -> list[Action]:
    return [action for action in ACTIONS if action.target == target]


def bindings_for(target: Target) -> list[Binding]:
    """Textual bindings for one target; a user keymap overrides them by id (set_keymap)."""
    from textual.binding import Binding

    return [
        Binding(
            action.key,
            action.action,
            action.footer or action.description,
            show=action.footer is not None,
            id=action.id,
            tooltip=action.description,
        )
        for action in actions_for(target)
    ]


def effective_keys(keymap: Mapping[str, str]) -> dict[str, str]:
    """Action id -> the keys it is bound to, after the user's keymap."""
    return {action.id: keymap.get(action.id, action.key) for action in ACTIONS}


def help_rows(keymap: Mapping[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(group, keys as shown, description) for the help screen, in table order."""
    keys = effective_keys(keymap or {})
    rows = []
    for group in GROUPS:
        for action in ACTIONS:
            if action.group == group and action.in_help:
                shown = action.display_key if keys[action.id] == action.key else keys[action.id]
                rows.append((group, shown, action.description))
    return rows


def readme_table(rows: Iterable[tuple[str, str, str]] | None = None) -> str:
    """The README's key table (between its ``keys`` markers), generated from ``ACTIONS``."""
    lines = ["| key | action | group |", "| --- | --- | --- |"]
    for group, key, description in rows if rows is not None else help_rows():
        shown_key = key.replace("|", "\\|")
        lines.append(f"| `{shown_key}` | {description} | {group} |")
    return "\n".join(lines) + "\n"


def _write_readme(path: str = "README.md") -> None:
    """Rewrite the README's key table from the action table (``--readme``)."""
    import re
    from pathlib import Path

    readme = Path(path)
    text = readme.read_text(encoding="utf-8")
    section = re.compile(r"(<!-- keys:start -->\n).*?(<!-- keys:end -->)", re.S)
    readme.write_text(
        section.sub(lambda m: m.group(1) + readme_table() + m.group(2), text), encoding="utf-8"
    )


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--readme"]:
        _write_readme()
    else:
        sys.stdout.write(readme_table())
