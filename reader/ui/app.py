"""The reader application: start-up, themes, the clipboard, and the screens.

Start-up never blocks the screen: the reading list is opened first (fast; a damaged one
stops here with a modal that never overwrites it), then the corpus is parsed, merged and
indexed in a thread worker behind a progress bar that names each phase. The main screen takes
over as soon as the papers are searchable; near duplicates are linked (and the cache written)
afterwards in the same worker, with the phase shown in a notification.
"""

from __future__ import annotations

import gc
import time
from collections import deque
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import App, SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import get_current_worker

from reader.config import Settings
from reader.export.links import web_search_for
from reader.parsing.corpus import INDEX, LINK, SAVE, Corpus, finish_loading, load_corpus
from reader.search import DeferredEngine, SearchEngine
from reader.search.cached import quick_engine, save_engine
from reader.service.session import Session, plural
from reader.service.syncing import sync_now
from reader.storage.errors import CorruptStoreError, StoreError
from reader.storage.reading_list import ReadingList, restore_newest_backup
from reader.ui.actions import ACTIONS, Action, effective_keys
from reader.ui.clipboard import Clipboard, FallbackClipboard, SystemClipboard, TerminalClipboard
from reader.ui.memory import recall, remember_window
from reader.ui.screens.loading import LoadingScreen
from reader.ui.screens.main import MainScreen
from reader.ui.screens.store_error import StoreChoice, StoreErrorScreen
from reader.ui.state import UiState
from reader.ui.themes import default_theme_dirs, load_themes, with_reader_variables
from reader.ui.widgets.counts_bar import CountsBar
from reader.ui.widgets.sidebar import Sidebar

DEFAULT_THEME = "reader-dark"
_PROGRESS_INTERVAL = 0.05  # seconds between progress updates sent from the loading thread
# What the counts line says while a phase runs behind the list.
_BEHIND = {INDEX: "indexing for search", LINK: "linking near duplicates"}
_SAVING = "saving for a fast next start"


class _Abandoned(Exception):
    """Raised out of a loading stage when the app quits while it runs."""


class ReaderApp(App[None]):
    CSS_PATH = "reader.tcss"
    TITLE = "reader"

    def __init__(
        self,
        corpus_paths: Sequence[Path],
        db_path: Path,
        *,
        settings: Settings | None = None,
        clipboard: Clipboard | None = None,
        read_only: bool = False,
        theme_dirs: Sequence[Path] | None = None,
        export_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.corpus_paths = list(corpus_paths)
        self.db_path = db_path
        self.settings = settings or Settings()
        self.reader_clipboard: Clipboard = clipboard or FallbackClipboard(
            SystemClipboard(), TerminalClipboard(self.copy_to_clipboard)
        )
        self.read_only = read_only
        self.ui_state = UiState.load()
        self._quitting = False
        # Every notification's text, newest last: what the status line told the user.
        self.notices: deque[str] = deque(maxlen=200)
        self.theme_dirs = list(theme_dirs) if theme_dirs is not None else default_theme_dirs()
        self.export_dir = export_dir
        self.reading_list: ReadingList | None = None
        self.session: Session | None = None
        self._last_progress = 0.0
        self._last_phase = ""
        self._behind_list = False  # loading goes on behind the shown list
        self.background_note = ""  # what the counts line says still runs

    def get_css_variables(self) -> dict[str, str]:
        return with_reader_variables(super().get_css_variables())

    def notify(  # type: ignore[override]
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Textual's notify, recorded in ``notices``. Markup is off by default: messages
        carry titles, tags and paths, which are data."""
        self.notices.append(message)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_mount(self) -> None:
        if self.settings.keymap:
            self.set_keymap(dict(self.settings.keymap))
        self._install_themes()
        self.push_screen(LoadingScreen())
        self.open_reading_list()

    # -- themes ---------------------------------------------------------------------------

    def _install_themes(self) -> None:
        loaded = load_themes(self.theme_dirs)
        for theme in loaded.themes:
            self.register_theme(theme)
        for error in loaded.errors:
            self.notify(f"Theme skipped: {error}", severity="warning", markup=False, timeout=10)
        wanted = self.settings.theme
        remembered = recall(self.ui_state).theme
        if self.settings.source("theme") != "--theme" and remembered in self.available_themes:
            wanted = remembered  # the theme last chosen in the app; a flag still wins
        if wanted in self.available_themes:
            self.theme = wanted
            return
        if wanted != DEFAULT_THEME:
            names = ", ".join(sorted(self.available_themes))
            self.notify(
                f"Unknown theme {wanted!r}. Available: {names}",
                severity="error",
                markup=False,
                timeout=10,
            )
        if DEFAULT_THEME in self.available_themes:
            self.theme = DEFAULT_THEME

    # -- the reading list -----------------------------------------------------------------

    def open_reading_list(self, note: str | None = None) -> None:
        try:
            self.reading_list = ReadingList.open(self.db_path, read_only=self.read_only)
        except StoreError as error:
            # Corrupt or newer-schema files: the store refuses to touch them, and so do we.
            # Only a damaged file may be replaced by a backup.
            damaged = isinstance(error, CorruptStoreError)
            self.push_screen(
                StoreErrorScreen(self.db_path, str(error), note=note, can_restore=damaged),
                self._store_choice,
            )
            return
        except OSError as error:
            self.push_screen(
                StoreErrorScreen(self.db_path, f"Cannot read the file: {error}", note=note),
                self._store_choice,
            )
            return
        self.load_corpus()

    def _store_choice(self, choice: StoreChoice | None) -> None:
        if choice != "restore":
            # Printed by Rich after the app closes: a Text, so a path with [brackets] in it is
            # shown as it is, never read as markup.
            self.exit(return_code=1, message=Text(f"reader: left {self.db_path} untouched."))
            return
        try:
            # Never forced: if the file became valid meanwhile, it is kept.
            plan = restore_newest_backup(self.db_path)
        except (StoreError, OSError) as error:
            self.open_reading_list(note=f"Restoring failed: {error}")
            return
        if plan is None:
            self.open_reading_list(note="No valid backup was found beside the file.")
            return
        self.notify(f"Restored the reading list from {plan.backup.path}", markup=False, timeout=10)
        self.open_reading_list()

    # -- loading --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_corpus(self) -> None:
        assert self.reading_list is not None
        try:
            corpus = load_corpus(self.corpus_paths, progress=self._report_progress, link=False)
            # The list is shown at once; searches wait for the engine, which comes from the
            # cache (a second at 10^6 papers), grows from yesterday's, or is built.
            engine = DeferredEngine(corpus.papers)
            search = web_search_for(self.settings.open_url)
            session = Session(corpus, self.reading_list, engine, web_search=search)
        except _Abandoned:
            return
        except Exception as error:  # the loader reports bad input as problems; this is a bug
            self.call_from_thread(self._loading_failed, error)
            return
        self.call_from_thread(self._loaded, session)
        self._behind_list = True
        # Second stage, behind the usable list: the index, then the near-duplicate links
        # and the cache; each shows its progress in the counts line.
        try:
            quick = quick_engine(corpus)
            engine.provide(quick.engine if quick is not None else self._build_index(corpus))
            self.call_from_thread(self._index_ready, session)
            if quick is not None and quick.engine.needs_compaction:
                engine.provide(self._build_index(corpus))  # one index over everything again
            elif quick is not None and quick.fresh:
                save_engine(corpus, quick.engine)
            if not corpus.linked:
                finish_loading(corpus, progress=self._report_progress)
        except _Abandoned:
            return
        except Exception as error:  # a bug: the papers stay usable, only this stage is lost
            if not engine.ready:
                engine.give_up(str(error))  # typed searches say so rather than wait
            self.call_from_thread(self._set_background, None)
            self.call_from_thread(self._loading_failed, error)
            return
        self.call_from_thread(self._set_background, None)
        # The corpus lives as long as the app: keep the collector from rescanning a
        # million records on every cycle.
        gc.freeze()

    def _build_index(self, corpus: Corpus) -> SearchEngine:
        engine = SearchEngine(
            corpus.papers, progress=lambda done, total: self._report_progress(INDEX, done, total)
        )
        self._report_progress(SAVE, 0, 1)
        save_engine(corpus, engine)
        return engine

    def _index_ready(self, session: Session) -> None:
        """Saved searches are counted by searching: count them now. Learning and the
        citation keys waited for the index (search comes first): they may start now."""
        for screen in self.screen_stack:
            for sidebar in screen.query(Sidebar):
                sidebar.set_views(session.views())
            if isinstance(screen, MainScreen):
                screen.learner.start()
                screen.run_worker(session.warm_keys, thread=True, group="citation-keys")

    def _report_progress(self, phase: str, done: int, total: int) -> None:
        if get_current_worker().is_cancelled:
            # The app is quitting: abandon loading at once instead of finishing minutes of
            # linking first (the unlinked corpus is cached already; see finish_loading).
            raise _Abandoned
        now = time.monotonic()
        # Throttled, but never the first report of a phase: the screen must not go on
        # naming a phase that is over.
        new_phase = phase != self._last_phase
        if now - self._last_progress < _PROGRESS_INTERVAL and done < total and not new_phase:
            return
        self._last_progress, self._last_phase = now, phase
        if self._behind_list:  # a note in the counts line
            percent = done * 100 // total if total else 0
            message = _SAVING if phase == SAVE else f"{_BEHIND.get(phase, phase)} {percent}%"
            self.call_from_thread(self._set_background, message)
            return
        self.call_from_thread(self._set_progress, phase, done, total)

    def _set_background(self, message: str | None) -> None:
        self.background_note = message or ""  # a counts line mounted later reads it
        for screen in self.screen_stack:
            for counts in screen.query(CountsBar):
                counts.set_background(self.background_note)

    def _loading_screen(self) -> LoadingScreen | None:
        screen = self.screen
        return screen if isinstance(screen, LoadingScreen) else None

    def _set_progress(self, phase: str, done: int, total: int) -> None:
        if screen := self._loading_screen():
            screen.set_progress(phase, done, total)

    def _set_loading_message(self, message: str) -> None:
        if screen := self._loading_screen():
            screen.set_message(message)

    def _loading_failed(self, error: Exception) -> None:
        self._set_loading_message(f"Could not load the papers: {error}  (q or ctrl+q quits)")
        self.notify(f"Loading failed: {error}", severity="error", markup=False, timeout=30)

    def _loaded(self, session: Session) -> None:
        self.session = session
        self.switch_screen(
            MainScreen(
                session,
                self.reader_clipboard,
                settings=self.settings,
                export_dir=self.export_dir,
                state=self.ui_state,
            )
        )
        problems = session.corpus.problems
        if problems:
            self.notify(
                f"{plural(len(problems), 'problem')} reading the input files. "
                "Press P to list them.",
                title="Input problems",
                severity="warning",
                markup=False,
                timeout=12,
            )
        if not session.papers:
            self.notify("No papers were found in the input files.", severity="warning")

    async def action_quit(self) -> None:
        # Keys already queued behind ``q`` are still delivered while the app closes; the
        # session refuses them so nothing changes on disk after the user asked to quit.
        if self.session is not None:
            self.session.close()
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                problem = remember_window(screen)
                if problem:
                    self.log.warning(problem)
        if self.settings.sync_on_quit and self.session is not None and not self._quitting:
            self._quitting = True  # a second q while syncing must not start another sync
            self.notify("Syncing before quitting…", markup=False)
            worker = self.run_worker(
                partial(sync_now, self.session.reading_list.path), thread=True, group="sync"
            )
            result = await worker.wait()
            self.exit(message=Text("reader: " + result.outcome.message))
            return
        await super().action_quit()

    # -- command palette ------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not isinstance(screen, MainScreen):
            return
        keys = effective_keys(self.settings.keymap)
        for action in ACTIONS:
            if action.palette:
                shown = action.display_key if keys[action.id] == action.key else keys[action.id]
                yield SystemCommand(
                    action.description,
                    f"{shown}  ({action.id})",
                    partial(self._run_palette_action, screen, action),
                )

    def _run_palette_action(self, screen: MainScreen, action: Action) -> None:
        if action.target == "list":
            self.call_later(screen.paper_list.run_action, action.action)
        else:
            self.call_later(screen.run_action, action.action)
