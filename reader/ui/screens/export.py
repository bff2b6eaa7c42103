"""The export dialog (``e``): format, which papers, abstracts, destination file.

The dialog only gathers the request; the main screen resolves the papers and writes the file
through the export service, then reports what was written.

- Compact widgets, one line each, so the whole dialog (buttons included) fits in 80x24; it
  scrolls if a terminal is smaller still.
- The abstracts checkbox says its state in words ("Abstracts: included"), and only exists
  for Markdown: BibTeX entries always carry the abstract (see export/bibtex.py), so a box
  there would be a switch that does nothing.
- The last directory, scope, format and abstracts choice are remembered in the UI state
  file (see state.py); a remembered scope that is not offered now (no selection, a tag gone)
  falls back to the first one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from reader.ui.state import UiState

ExportFormat = Literal["bibtex", "markdown"]
SUFFIXES: dict[str, str] = {"bibtex": ".bib", "markdown": ".md"}
_FORMATS: tuple[ExportFormat, ...] = ("bibtex", "markdown")

DIRECTORY_KEY = "export.directory"
SCOPE_KEY = "export.scope"
FORMAT_KEY = "export.format"
ABSTRACTS_KEY = "export.abstracts"


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


def abstracts_label(included: bool) -> str:
    return "Abstracts: included" if included else "Abstracts: not included"


class ExportScreen(ModalScreen[ExportRequest | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        scopes: Sequence[ExportScope],
        default_dir: Path,
        *,
        state: UiState | None = None,
    ) -> None:
        super().__init__()
        self._scopes = list(scopes)
        self._state = state if state is not None else UiState.load()
        remembered = self._state.get_path(DIRECTORY_KEY)
        usable = remembered is not None and _is_dir(remembered)
        self._directory = remembered if remembered is not None and usable else default_dir
        keys = [scope.key for scope in self._scopes]
        remembered_scope = self._state.get_str(SCOPE_KEY)
        self._scope = remembered_scope if remembered_scope in keys else keys[0]
        remembered_format = self._state.get_str(FORMAT_KEY)
        self._format: ExportFormat = next(
            (fmt for fmt in _FORMATS if fmt == remembered_format), "bibtex"
        )
        self._abstracts = self._state.get_bool(ABSTRACTS_KEY)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog export-dialog"):
            yield Label("Export", classes="dialog-title")
            with Horizontal(classes="export-row"):
                yield Label("Format", classes="export-label")
                yield Select(
                    [("BibTeX", "bibtex"), ("Markdown", "markdown")],
                    value=self._format,
                    allow_blank=False,
                    compact=True,
                    id="export-format",
                )
            with Horizontal(classes="export-row"):
                yield Label("Papers", classes="export-label")
                yield Select(
                    [(Text(scope.label), scope.key) for scope in self._scopes],
                    value=self._scope,
                    allow_blank=False,
                    compact=True,
                    id="export-scope",
                )
            with Horizontal(classes="export-row"):
                yield Label("", classes="export-label")
                yield Checkbox(
                    abstracts_label(self._abstracts),
                    self._abstracts,
                    compact=True,
                    id="export-abstracts",
                )
                yield Label(
                    "BibTeX entries always include the abstract.",
                    id="export-bibtex-note",
                    classes="dialog-note",
                )
            with Horizontal(classes="export-row"):
                yield Label("Write to", classes="export-label")
                yield Input(str(self._default_path(self._format)), compact=True, id="export-path")
            yield Label("", id="export-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", id="export", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        # The scrolling frame is only there for tiny terminals: tab goes field to field.
        self.query_one(".export-dialog", VerticalScroll).can_focus = False
        self._show_format(self._format)
        self.query_one("#export-format", Select).focus()

    def _default_path(self, fmt: str) -> Path:
        return self._directory / f"reading-list{SUFFIXES[fmt]}"

    def _show_format(self, fmt: str) -> None:
        markdown = fmt == "markdown"
        self.query_one("#export-abstracts", Checkbox).display = markdown
        self.query_one("#export-bibtex-note", Label).display = not markdown

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "export-format":
            return
        fmt = str(event.value)
        self._show_format(fmt)
        path_input = self.query_one("#export-path", Input)
        current = Path(path_input.value)
        # Follow the format only while the path still has a format's suffix: a custom
        # name the user typed is theirs.
        if current.suffix in SUFFIXES.values():
            path_input.value = str(current.with_suffix(SUFFIXES[fmt]))

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = abstracts_label(event.value)

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
        fmt: ExportFormat = (
            "markdown" if self.query_one("#export-format", Select).value == "markdown" else "bibtex"
        )
        scope_key = str(self.query_one("#export-scope", Select).value)
        scope = next((scope for scope in self._scopes if scope.key == scope_key), self._scopes[0])
        abstracts = fmt == "markdown" and self.query_one("#export-abstracts", Checkbox).value
        self._remember(path, scope.key, fmt, abstracts)
        self.dismiss(ExportRequest(fmt, scope.key, path, abstracts))

    def _remember(self, path: Path, scope: str, fmt: ExportFormat, abstracts: bool) -> None:
        self._state.set(DIRECTORY_KEY, path.parent.absolute())
        self._state.set(SCOPE_KEY, scope)
        self._state.set(FORMAT_KEY, fmt)
        if fmt == "markdown":
            self._state.set(ABSTRACTS_KEY, abstracts)
        problem = self._state.save()
        if problem:  # convenience only: say so, never block the export
            self.app.notify(problem, severity="warning", markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False
