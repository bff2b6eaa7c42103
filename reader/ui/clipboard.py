"""Copying text out of the app.

Two routes exist and neither works everywhere: pyperclip talks to the desktop clipboard
(xclip, wl-copy, pbcopy, ...) and fails on a headless box or over SSH; OSC 52 asks the
terminal itself to set the clipboard, which works over SSH but which some terminals ignore
silently. So the system clipboard is tried first and the terminal route is the fallback, and
the user is told which one was used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class ClipboardUnavailable(Exception):
    """This route cannot copy here (no backend, no terminal)."""


class Clipboard(Protocol):
    def copy(self, text: str) -> str:
        """Copy ``text``; return where it went (e.g. "system clipboard").

        Raises ClipboardUnavailable when no route works.
        """
        ...


class SystemClipboard:
    """The desktop clipboard through pyperclip."""

    label = "system clipboard"

    def __init__(self, copy_function: Callable[[str], None] | None = None) -> None:
        self._copy_function = copy_function
        self._broken = False

    def copy(self, text: str) -> str:
        if self._broken:
            raise ClipboardUnavailable("no system clipboard backend")
        import pyperclip

        copy_function = self._copy_function or pyperclip.copy
        try:
            copy_function(text)
        except pyperclip.PyperclipException as error:
            # The backend will not appear mid-session: stop paying for the probe.
            self._broken = True
            raise ClipboardUnavailable(str(error)) from error
        return self.label


class TerminalClipboard:
    """OSC 52 through the running Textual app (``App.copy_to_clipboard``)."""

    label = "terminal OSC 52"

    def __init__(self, copy_function: Callable[[str], None]) -> None:
        self._copy_function = copy_function

    def copy(self, text: str) -> str:
        self._copy_function(text)
        return self.label


class FallbackClipboard:
    """Try each route in order; the first that works wins."""

    def __init__(self, *routes: Clipboard) -> None:
        self._routes = routes

    def copy(self, text: str) -> str:
        reasons: list[str] = []
        for route in self._routes:
            try:
                return route.copy(text)
            except ClipboardUnavailable as error:
                reasons.append(str(error))
        raise ClipboardUnavailable("; ".join(reasons) or "no clipboard route configured")
