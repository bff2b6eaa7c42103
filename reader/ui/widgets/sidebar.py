"""The sidebar of views (All, Inbox, ..., one per tag, Orphaned) with live counts.

A short list (a few dozen entries at most), so a plain OptionList is the right tool here.
Choosing an entry posts ``Sidebar.ViewChosen``; the screen decides what that means.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.service.views import View
from reader.ui.actions import bindings_for
from reader.ui.safe_text import display_line


class Sidebar(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for("sidebar"))

    class ViewChosen(Message):
        def __init__(self, view: View) -> None:
            super().__init__()
            self.view = view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._views: list[View] = []

    def set_views(self, views: Sequence[View]) -> None:
        if list(views) == self._views:
            return
        highlighted = self.highlighted
        self._views = list(views)
        self.clear_options()
        self.add_options(Option(_label(view), id=view.key) for view in self._views)
        if highlighted is not None and self._views:
            self.highlighted = min(highlighted, len(self._views) - 1)

    @property
    def views(self) -> list[View]:
        return list(self._views)

    @property
    def highlighted_view(self) -> View | None:
        index = self.highlighted
        return self._views[index] if index is not None and index < len(self._views) else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.ViewChosen(self._views[event.option_index]))


def _label(view: View) -> Text:
    label = Text(no_wrap=True, overflow="ellipsis")
    label.append(display_line(view.label))
    label.append(f" {view.count:,}", "dim")
    return label
