"""The problems view (``P``): data-quality counts, then every problem the parser reported.

The counts (papers without authors, date or title, possible duplicates) are information, not
errors: some listing formats simply carry no authors. Each is a filter: choosing one closes
the view with its query (``dismiss(query)``) for the main screen to search. Parser problems
follow as ``path:line: message``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from reader.parsing.problems import Problem
from reader.search.quality import QualityCount
from reader.ui.safe_text import display_line

_QUALITY_PREFIX = "quality:"


class ProblemsScreen(Screen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,P", "close", "Back")]

    def __init__(self, problems: Sequence[Problem], quality: Sequence[QualityCount] = ()) -> None:
        super().__init__()
        self._problems = list(problems)
        self._quality = [item for item in quality if item.count]

    def compose(self) -> ComposeResult:
        count = len(self._problems)
        heading = (
            f"{count} problem{'s' if count != 1 else ''} reading the input files"
            if count
            else "No problems reading the input files."
        )
        if self._quality:
            heading += "  ·  Data quality below: enter on a count lists those papers."
        yield Label(heading, id="problems-heading")
        options: list[Option | None] = []
        for number, item in enumerate(self._quality):
            options.append(Option(_quality_text(item), id=f"{_QUALITY_PREFIX}{number}"))
        if self._quality and self._problems:
            options.append(None)  # a separator between information and problems
        options.extend(Option(_problem_text(problem)) for problem in self._problems)
        yield OptionList(*options, id="problems-list")
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if option_id.startswith(_QUALITY_PREFIX):
            self.dismiss(self._quality[int(option_id.removeprefix(_QUALITY_PREFIX))].query)

    def action_close(self) -> None:
        self.dismiss(None)


def _quality_text(item: QualityCount) -> Text:
    text = Text(no_wrap=False, overflow="fold")
    text.append("ⓘ ", "bold")
    text.append(f"{item.count:,} paper{'s' if item.count != 1 else ''} {item.label}")
    text.append(f"   {item.query}", "dim")
    return text


def _problem_text(problem: Problem) -> Text:
    text = Text(no_wrap=False, overflow="fold")
    style = "bold red" if problem.severity == "error" else "yellow"
    text.append(display_line(str(problem)), style)
    return text
