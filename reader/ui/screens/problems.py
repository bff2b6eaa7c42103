"""The problems view (``P``): every problem the parser reported, as ``path:line: message``."""

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
from reader.ui.safe_text import display_line


class ProblemsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,P", "close", "Back")]

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__()
        self._problems = list(problems)

    def compose(self) -> ComposeResult:
        count = len(self._problems)
        heading = (
            f"{count} problem{'s' if count != 1 else ''} reading the input files"
            if count
            else "No problems reading the input files."
        )
        yield Label(heading, id="problems-heading")
        yield OptionList(
            *(Option(_problem_text(problem)) for problem in self._problems), id="problems-list"
        )
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)


def _problem_text(problem: Problem) -> Text:
    text = Text(no_wrap=False, overflow="fold")
    style = "bold red" if problem.severity == "error" else "yellow"
    text.append(display_line(str(problem)), style)
    return text
