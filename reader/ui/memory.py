"""What the app remembers between runs: theme, sort, sidebar, query and the cursor's paper.

Kept in the small UI state file (``reader.ui.state``, in the user state directory), never in
the reading list: it is about this machine's window, not the user's data. Precedence at
start: a command-line flag wins, then what was remembered, then config.toml, then defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.search import SortKey
from reader.ui.state import UiState
from reader.ui.widgets.sidebar import Sidebar

if TYPE_CHECKING:
    from reader.ui.screens.main import MainScreen

THEME, SORT, SIDEBAR, QUERY, CURSOR, HISTORY = (
    "theme",
    "sort",
    "sidebar_visible",
    "query",
    "cursor_paper",
    "search_history",
)


@dataclass(frozen=True, slots=True)
class Remembered:
    theme: str | None
    sort: SortKey | None
    sidebar_visible: bool | None
    query: str
    cursor_paper: str | None
    history: list[str]


def recall(state: UiState) -> Remembered:
    sort = state.get_str(SORT)
    sidebar = state.get_bool(SIDEBAR, default=True) if SIDEBAR in state.as_dict() else None
    return Remembered(
        theme=state.get_str(THEME),
        sort=SortKey(sort) if sort in {key.value for key in SortKey} else None,
        sidebar_visible=sidebar,
        query=_one_line(state.get_str(QUERY) or ""),
        cursor_paper=state.get_str(CURSOR),
        history=[_one_line(item) for item in state.get_str_list(HISTORY) if _one_line(item)],
    )


def keep(
    state: UiState,
    *,
    theme: str,
    sort: SortKey,
    sidebar_visible: bool,
    query: str,
    cursor_paper: str | None,
    history: list[str],
) -> str | None:
    """Save what the window shows now; None, or a message when it could not be saved."""
    state.set(THEME, theme)
    state.set(SORT, sort.value)
    state.set(SIDEBAR, sidebar_visible)
    state.set(QUERY, query)
    if cursor_paper is None:
        state.remove(CURSOR)
    else:
        state.set(CURSOR, cursor_paper)
    state.set(HISTORY, list(history))
    return state.save()


def remember_window(screen: MainScreen) -> str | None:
    """Keep what ``screen`` shows now for the next start."""
    current = screen.paper_list.current_paper
    screen.search_input.remember()
    return keep(
        screen.state,
        theme=screen.app.theme,
        sort=screen.sort,
        sidebar_visible=screen.query_one(Sidebar).display,
        query=screen.search_input.value,
        cursor_paper=current.id if current else None,
        history=screen.search_input.history,
    )


def _one_line(text: str) -> str:
    # A query is typed into a one-line box: a hand-edited state file must not put a newline
    # or an escape sequence there.
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
