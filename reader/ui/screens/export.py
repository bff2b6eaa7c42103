"""The export dialog (``e``): format, which papers, destination file.

The dialog only gathers the request; the main screen resolves the papers and writes the file
through the export service, then reports what was written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

ExportFormat = Literal["bibtex", "markdown"]
SUFFIXES: dict[str, str] = {"bibtex": ".bib", "markdown": ".md"}


@dataclass(frozen=True, slots=True)
class ExportScope:
    key: str  # "results", "selected", "starred", "reading-list" or "tag:NAME"
    label: str


@dataclass(frozen=True, slots=True)
class ExportRequest:
    format: ExportFormat
    scope: str
    path: Path
    abstracts: bool


class ExportScreen(ModalScreen[ExportRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, scopes: Sequence[ExportScope], default_dir: Path) -> None:
        super().__init__()
        self._scopes = list(scopes)
        self._default_dir = default_dir

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog export-dialog"):
            yield Label("Export", classes="dialog-title")
            yield Label("Format")
            yield Select(
                [("BibTeX", "bibtex"), ("Markdown", "markdown")],
                value="bibtex",
                allow_blank=False,
                id="export-format",
            )
            yield Label("Papers")
            yield Select(
                [(Text(scope.label), scope.key) for scope in self._scopes],
                value=self._scopes[0].key,
                allow_blank=False,
                id="export-scope",
            )
            yield Checkbox("Include abstracts", id="export-abstracts")
            yield Label("Write to")
            yield Input(str(self._default_path("bibtex")), id="export-path")
            yield Label("", id="export-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", id="export", variant="primary")
                yield Button("Cancel", id="cancel")

    def _default_path(self, fmt: str) -> Path:
        return self._default_dir / f"reading-list{SUFFIXES[fmt]}"

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "export-format":
            return
        path_input = self.query_one("#export-path", Input)
        current = Path(path_input.value)
        # Follow the format only while the path still has a format's suffix: a custom
        # name the user typed is theirs.
        if current.suffix in SUFFIXES.values():
            path_input.value = str(current.with_suffix(SUFFIXES[str(event.value)]))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export":
            self._submit()
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def _submit(self) -> None:
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self.query_one("#export-error", Label).update("Choose a file to write.")
            return
        path = Path(raw).expanduser()
        if path.is_dir():
            self.query_one("#export-error", Label).update("That is a directory; name a file.")
            return
        self.dismiss(
            ExportRequest(
                format=self.query_one("#export-format", Select).value,  # type: ignore[arg-type]
                scope=str(self.query_one("#export-scope", Select).value),
                path=path,
                abstracts=self.query_one("#export-abstracts", Checkbox).value,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
