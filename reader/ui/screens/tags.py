"""Dialogs for adding tags (with completion) and removing one of a paper's tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from reader.ui.safe_text import display_line


def split_tags(value: str) -> list[str]:
    """ "ml, to read ,ml" -> ["ml", "to read"]: trimmed, empty parts and repeats dropped."""
    tags: dict[str, None] = {}
    for part in value.split(","):
        tag = " ".join(part.split())
        if tag:
            tags[tag] = None
    return list(tags)


class TagListSuggester(Suggester):
    """Completes the tag being typed after the last comma from the existing tags."""

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._tags = sorted(tags, key=str.casefold)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, partial = value.rpartition(",")
        stem = partial.lstrip()
        if not stem:
            return None
        already = {tag.casefold() for tag in split_tags(head)}
        for tag in self._tags:
            if tag.casefold().startswith(stem.casefold()) and tag.casefold() not in already:
                return value + tag[len(stem) :]
        return None


class AddTagsScreen(ModalScreen[list[str] | None]):
    """Ask for comma-separated tags; dismisses with the list, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, existing_tags: Sequence[str], target_label: str) -> None:
        super().__init__()
        self._existing = list(existing_tags)
        self._target_label = target_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(f"Add tags to {self._target_label}"), classes="dialog-title")
            yield Input(
                placeholder="tag, another tag   (→ accepts a suggestion)",
                suggester=TagListSuggester(self._existing),
                id="tags-input",
            )
            yield Label("enter to add · escape to cancel", classes="dialog-help")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(split_tags(event.value) or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RemoveTagScreen(ModalScreen[str | None]):
    """Choose one of the given tags to remove."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__()
        self._tags = list(tags)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Remove which tag?", classes="dialog-title")
            yield OptionList(
                *(
                    Option(Text("#" + display_line(tag)), id=str(i))
                    for i, tag in enumerate(self._tags)
                ),
                id="tag-choices",
            )
            yield Label("enter to remove · escape to cancel", classes="dialog-help")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._tags[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
