"""Dialogs for adding tags (with completion) and removing one of a paper's tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.actions import SkipAction
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
    """Completes the tag being typed after the last comma.

    ``suggested`` tags (e.g. proposed for this paper by a learner) come first, in their own
    order, then the existing tags alphabetically. With nothing typed after the last comma the
    first suggested tag not yet in the list is offered, so a bare tab takes it; an existing
    tag is only offered once its first letter is typed.
    """

    def __init__(self, tags: Sequence[str], suggested: Sequence[str] = ()) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._suggested = list(dict.fromkeys(suggested))
        self._candidates = list(dict.fromkeys([*self._suggested, *sorted(tags, key=str.casefold)]))

    def suggest(self, value: str) -> str | None:
        """The whole input value with the tag being typed completed, or None."""
        head, comma, partial = value.rpartition(",")
        stem = partial.lstrip()
        already = {tag.casefold() for tag in split_tags(head)}
        candidates = self._candidates if stem else self._suggested
        typed = stem.casefold()
        for tag in candidates:
            folded = tag.casefold()
            if folded.startswith(typed) and folded not in already and folded != typed:
                if not stem and comma and not partial:
                    return value + " " + tag  # "ml," -> "ml, toread"
                return value + tag[len(stem) :]
        return None

    async def get_suggestion(self, value: str) -> str | None:
        return self.suggest(value)


class TagInput(Input):
    """An Input where tab accepts the completion, as in a shell; without one, tab moves on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "accept_suggestion", "Accept suggestion", show=False)
    ]

    def action_accept_suggestion(self) -> None:
        # Computed here rather than read from the suggestion the Input shows, which arrives
        # from a worker and may lag a fast typist by a key.
        suggester = self.suggester
        suggestion = (
            suggester.suggest(self.value)
            if isinstance(suggester, TagListSuggester) and self.cursor_at_end
            else None
        )
        if suggestion is None:
            raise SkipAction()
        self.value = suggestion
        self.cursor_position = len(suggestion)


class AddTagsScreen(ModalScreen[list[str] | None]):
    """Ask for comma-separated tags; dismisses with the list, or None when cancelled.

    ``suggested`` tags are offered first (tab or → accepts) and listed under the input.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        existing_tags: Sequence[str],
        target_label: str,
        *,
        suggested: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self._existing = list(existing_tags)
        self._suggested = list(suggested)
        self._target_label = target_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(f"Add tags to {self._target_label}"), classes="dialog-title")
            yield TagInput(
                placeholder="tag, another tag   (tab accepts a suggestion)",
                suggester=TagListSuggester(self._existing, self._suggested),
                id="tags-input",
            )
            suggested = Label(self._suggested_line(), id="tags-suggested")
            suggested.display = bool(self._suggested)  # suggestions may arrive later
            yield suggested
            yield Label("tab completes · enter adds · escape cancels", classes="dialog-help")

    def _suggested_line(self) -> Text:
        line = Text("Suggested: ", style="dim")
        line.append(" ".join("#" + display_line(tag) for tag in self._suggested))
        return line

    def set_suggestions(self, suggested: Sequence[str]) -> None:
        """Offer these tags first (they may arrive from a worker after the dialog opened)."""
        if not self.is_attached:
            return  # already dismissed
        self._suggested = list(suggested)
        tag_input = self.query_one("#tags-input", TagInput)
        tag_input.suggester = TagListSuggester(self._existing, self._suggested)
        label = self.query_one("#tags-suggested", Label)
        label.update(self._suggested_line())
        label.display = bool(self._suggested)

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
