"""Typed keystroke to painted result, in the real app with real widgets (issue 12).

    python benchmarks/keystroke.py --corpus DIR [--corpus DIR2 ...] [--interval MS]

What is measured, from where to where
-------------------------------------
For every typed key (letters, spaces and backspaces, typos included: see ``SCRIPT``):

* **start**: ``time.perf_counter()`` immediately before Pilot posts the key event to the
  app (``pilot.press`` puts it on the app's queue before its first ``await``), i.e. the
  moment a terminal would hand the key to the app;
* **end**: the first frame the app produces whose paper list *and* counts bar show the
  result of the search for the text this key left in the box (or for a later key's text,
  if a later key overtook it). The frame is taken where Textual hands a compositor update
  to the terminal (``App._display``); the harness also turns the update into the terminal
  byte sequence there, which a headless app skips but a real terminal pays for, and stamps
  the time after that.

Why that is what the user feels: the key is in the app's hands at the start, and the end is
the moment the bytes showing the new result could be written to the screen. Everything the
app does in between (input widget and its echo frame, Changed message, the search worker,
narrowing, showing the rows, counts, compositing, rendering rows with highlights, garbage
collections) is inside the figure; Pilot's own idle waits are not, because the end is
stamped by the paint hook, not by ``pilot.press`` returning. The detail pane is not part of
the end condition: the app updates it once the new list is painted (a frame later), so its
cost lands between keys, or inside the next key's figure when typing is fast.

"Shows the result" is decided by hooks installed by this script only (no code in
``reader`` knows about them): ``MainScreen.run_search`` records which key each search
started from; ``MainScreen._show_result`` records, for a result that was actually shown,
the number of ``PaperList.show`` and ``CountsBar.show`` calls so far; the paper list's
``render_line`` and the counts bar's ``render`` record what they last drew. A frame counts
for a key only when both widgets had been drawn from that (or a newer) result when the
frame was composed, so a stale frame (previous query's rows, or new rows with old counts)
never ends a measurement. A list that needed no line redrawn (same rows, same highlights)
or counts that did not change count as drawn already. After each query the harness checks
that the box holds exactly the typed text and the list exactly what the engine returns for
it, in order.

Besides wall time (p50, p95, max over all keys), the script prints the UI thread's CPU time
per key (``time.thread_time`` over the same interval): on a shared machine the wall figures
follow the load average (printed too), the CPU figure much less. ``--breakdown`` splits the
wall time into key to search start, search (worker), result shown to paint, and lists the
slowest keys.

Two ways of typing:

* ``--interval 0`` (default): one key, wait until its result is painted, a short human pause
  (``--gap``), next key. Each figure is one key's latency on an idle app.
* ``--interval MS``: keys are posted every MS milliseconds whatever the screen shows, as a
  fast typist does (80 ms is ~150 words a minute); a key overtaken by later ones is
  measured until a result that includes it is painted, so queueing is in the figure.

The caches must be warm: before measuring, the script runs the app once on the corpus in
another process until every background worker is done (``--no-warm`` skips it). The
measured app, too, is left to settle (main screen shown, linking, the learner's features
and the citation keys done) before the first key, so the figures are typing on a settled
app, not typing while it starts. The UI state goes to a scratch
directory (``XDG_STATE_HOME``), so no remembered query or cursor changes what is measured.
Wall-clock figures on a shared machine are noisy: the load average before and after each
corpus is printed with the figures, as is the process CPU time spent.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BACKSPACE = "\b"
# What a person types, key by key: "\b" is a backspace. Typos are corrected the way people
# correct them (backspace over the wrong letters, retype).
SCRIPT = [
    "bayesain\b\b\bian optimization",
    "gaussian process regression",
    "author:smith",
    "graph nueral\b\b\b\bural networks",
    "diffusion models",
    "reinforcment\b\b\b\bement learning",
    "contrastive learning",
    "transformer year:>=2022",
    "optimal transport",
    "self-supervised",
    "causal infernce\b\b\b\bence",
    "protein",
]

KEY_NAMES = {" ": "space", BACKSPACE: "backspace"}


def expected_texts(keys: str) -> list[str]:
    """The search box's text after each key (the cursor stays at the end)."""
    texts, text = [], ""
    for key in keys:
        text = text[:-1] if key == BACKSPACE else text + key
        texts.append(text)
    return texts


@dataclass
class Probe:
    """What the hooks saw: keys sent, results shown, widgets drawn, frames painted."""

    sent_at: list[float] = field(default_factory=list)  # per key, perf_counter
    painted_at: dict[int, float] = field(default_factory=dict)  # key index -> paint time
    # The UI thread's CPU time (time.thread_time) at the same two moments: what the key
    # cost the event loop, whatever else the machine was doing.
    sent_cpu: list[float] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # per key: the box's text after it
    painted_cpu: dict[int, float] = field(default_factory=dict)
    keys_seen = 0  # keys the search box has handled
    key_of_token: dict[int, int] = field(default_factory=dict)
    # (key index, list shows, counts updates) when the newest result was shown
    shown: tuple[int, int, int] | None = None
    list_shows = 0  # PaperList.show calls so far
    list_refreshes = 0  # PaperList.refresh calls so far (whole widget or some lines)
    list_drawn = -1  # the value of list_shows when the paper list last drew a line
    counts_updates = 0
    counts_drawn = -1
    frames = 0
    # per key: when its search started and when its result was shown (for --breakdown)
    searched_at: dict[int, float] = field(default_factory=dict)
    result_at: dict[int, float] = field(default_factory=dict)
    waiter: asyncio.Event | None = None

    def frame(self) -> None:
        self.frames += 1
        if self.shown is None:
            return
        key, generation, counts = self.shown
        if self.list_drawn < generation or self.counts_drawn < counts:
            return
        now, cpu = time.perf_counter(), time.thread_time()
        for index in range(len(self.sent_at)):
            if index <= key and index not in self.painted_at:
                self.painted_at[index] = now
                self.painted_cpu[index] = cpu
        if self.waiter is not None:
            self.waiter.set()


def install_hooks(app: Any, probe: Probe) -> None:
    """Wrap the few methods that tell what was shown and drawn (benchmark-only)."""
    from reader.ui.screens.main import MainScreen
    from reader.ui.widgets.counts_bar import CountsBar
    from reader.ui.widgets.paper_list import PaperList
    from reader.ui.widgets.search_box import SearchBox

    own_on_key = SearchBox.__dict__.get("_on_key")

    async def on_key(self: SearchBox, event: Any) -> None:
        # Runs before Input's own key handler (Textual walks the MRO), so the count is the
        # number of keys including this one once the box's text reflects it; then whatever
        # the box itself does with a key.
        probe.keys_seen += 1
        if own_on_key is not None:
            await own_on_key(self, event)

    SearchBox._on_key = on_key  # type: ignore[attr-defined,method-assign]

    run_search = MainScreen.run_search

    def run_search_hook(self: MainScreen) -> None:
        probe.searched_at.setdefault(probe.keys_seen - 1, time.perf_counter())
        run_search(self)
        probe.key_of_token[self.live.token] = probe.keys_seen - 1

    MainScreen.run_search = run_search_hook  # type: ignore[method-assign]

    show_result = MainScreen._show_result

    def show_result_hook(self: MainScreen, text: str, result: Any, token: int, gen: int) -> None:
        arrived = time.perf_counter()
        show_result(self, text, result, token, gen)
        if token == self.live.token and token in probe.key_of_token:
            key = probe.key_of_token[token]
            probe.result_at.setdefault(key, arrived)
            probe.shown = (key, probe.list_shows, probe.counts_updates)

    MainScreen._show_result = show_result_hook  # type: ignore[method-assign]

    list_show = PaperList.show

    def list_show_hook(self: PaperList, *args: Any, **kwargs: Any) -> None:
        probe.list_shows += 1
        before = probe.list_refreshes
        list_show(self, *args, **kwargs)
        if probe.list_refreshes == before:  # no line changed: the screen shows it already
            probe.list_drawn = probe.list_shows

    PaperList.show = list_show_hook  # type: ignore[method-assign]

    list_refresh = PaperList.refresh

    def list_refresh_hook(self: PaperList, *args: Any, **kwargs: Any) -> Any:
        probe.list_refreshes += 1
        return list_refresh(self, *args, **kwargs)

    PaperList.refresh = list_refresh_hook  # type: ignore[method-assign]

    render_line = PaperList.render_line

    def render_line_hook(self: PaperList, y: int) -> Any:
        probe.list_drawn = probe.list_shows
        return render_line(self, y)

    PaperList.render_line = render_line_hook  # type: ignore[method-assign]

    counts_show = CountsBar.show

    def counts_show_hook(self: CountsBar, *args: Any, **kwargs: Any) -> None:
        before = self.content
        counts_show(self, *args, **kwargs)
        if self.content is not before:  # the bar may skip an update that changes nothing
            probe.counts_updates += 1

    CountsBar.show = counts_show_hook  # type: ignore[method-assign]

    counts_render = CountsBar.render

    def counts_render_hook(self: CountsBar) -> Any:
        probe.counts_drawn = probe.counts_updates
        return counts_render(self)

    CountsBar.render = counts_render_hook  # type: ignore[method-assign]

    display = app._display

    def display_hook(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is None or not isinstance(screen, MainScreen):
            return
        # A real terminal gets this byte sequence; headless Textual skips building it.
        renderable.render_segments(app.console)
        probe.frame()

    app._display = display_hook


async def _type(pilot: Any, probe: Probe, keys: str, interval: float, gap: float) -> None:
    first = len(probe.sent_at)
    probe.texts.extend(expected_texts(keys))
    if interval <= 0:
        for key in keys:
            probe.waiter = asyncio.Event()
            index = len(probe.sent_at)
            probe.sent_cpu.append(time.thread_time())
            probe.sent_at.append(time.perf_counter())
            await pilot.press(KEY_NAMES.get(key, key))
            while index not in probe.painted_at:
                await asyncio.wait_for(probe.waiter.wait(), timeout=30)
                probe.waiter.clear()
            await asyncio.sleep(gap)
        return
    pressing = []
    for key in keys:
        probe.sent_cpu.append(time.thread_time())
        probe.sent_at.append(time.perf_counter())
        pressing.append(asyncio.ensure_future(pilot.press(KEY_NAMES.get(key, key))))
        await asyncio.sleep(interval)
    await asyncio.gather(*pressing)
    last = first + len(keys) - 1
    probe.waiter = asyncio.Event()
    while last not in probe.painted_at:
        await asyncio.wait_for(probe.waiter.wait(), timeout=30)
        probe.waiter.clear()


async def _settle(app: Any, pilot: Any, timeout: float = 600) -> None:
    """Wait for the main screen and for every background worker (linking, the learner's
    features, citation keys) to finish, so the figures are typing on a settled app."""
    from textual.worker import WorkerState

    from reader.ui.screens.main import MainScreen

    deadline = time.monotonic() + timeout
    while not isinstance(app.screen, MainScreen) or any(
        worker.state in (WorkerState.PENDING, WorkerState.RUNNING) for worker in app.workers
    ):
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not settle")
        await pilot.pause(0.1)
    # The citation keys start after a delay (MainScreen.KEYS_WARM_DELAY_SECONDS).
    await pilot.pause(3)
    while any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
        await pilot.pause(0.1)


async def _warm_app(corpus: Path) -> None:
    from reader.ui.app import ReaderApp

    with tempfile.TemporaryDirectory() as scratch:
        app = ReaderApp([corpus], Path(scratch) / "reading_list.json")
        async with app.run_test(size=(160, 45)) as pilot:
            await _settle(app, pilot)


async def _run(corpus: Path, script: list[str], interval: float, gap: float) -> Probe:
    from reader.ui.app import ReaderApp
    from reader.ui.screens.main import MainScreen

    with tempfile.TemporaryDirectory() as scratch:
        app = ReaderApp([corpus], Path(scratch) / "reading_list.json")
        probe = Probe()
        install_hooks(app, probe)
        async with app.run_test(size=(160, 45)) as pilot:
            await _settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, MainScreen)
            for keys in script:
                await pilot.press("/")
                screen.search_input.value = ""
                await pilot.pause(0.2)
                start = len(probe.sent_at)
                probe.keys_seen = start  # the reset above was not a key
                await _type(pilot, probe, keys, interval, gap)
                await pilot.pause()
                final = expected_texts(keys)[-1]
                assert screen.search_input.value == final, (screen.search_input.value, final)
                shown = [paper.id for paper in screen.paper_list.shown_papers]
                fresh = screen.session.engine.search(
                    final, screen.session.annotations(), screen.sort
                )
                papers = screen.session.papers
                want = [papers[i].id for i in fresh.indices]
                assert shown == want, f"stale list after typing {final!r}"
                await pilot.press("escape")
        return probe


def print_breakdown(probe: Probe) -> None:
    """Medians and p95 of each stage, over the keys whose own search was shown."""
    stages: dict[str, list[float]] = {
        "key to search start": [],
        "search (worker)": [],
        "result shown to paint": [],
    }
    for key, sent in enumerate(probe.sent_at):
        if key not in probe.result_at or key not in probe.searched_at:
            continue
        stages["key to search start"].append(probe.searched_at[key] - sent)
        stages["search (worker)"].append(probe.result_at[key] - probe.searched_at[key])
        stages["result shown to paint"].append(probe.painted_at[key] - probe.result_at[key])
    for name, values in stages.items():
        if values:
            print(f"  {name}: {summary(values)} ({len(values)} keys)")
    slowest = sorted(probe.painted_at, key=lambda k: probe.sent_at[k] - probe.painted_at[k])
    for key in slowest[:8]:
        wall = 1000 * (probe.painted_at[key] - probe.sent_at[key])
        cpu = 1000 * (probe.painted_cpu[key] - probe.sent_cpu[key])
        print(f"  slow: {probe.texts[key]!r} {wall:.0f} ms (UI-thread CPU {cpu:.0f} ms)")


def summary(seconds: list[float]) -> str:
    ms = sorted(1000 * x for x in seconds)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    return f"p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, max {ms[-1]:.0f} ms"


def warm(corpus: Path) -> None:
    """Fill every cache the app reads (corpus, index, links, the learner's features) by
    running the app once until it settles, in another process."""
    subprocess.run(
        [sys.executable, __file__, "--warm-only", "--corpus", str(corpus)], check=True, cwd=REPO
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append", required=True)
    parser.add_argument("--queries", type=int, default=len(SCRIPT))
    parser.add_argument("--interval", type=float, default=0.0, help="ms between keys (0: wait)")
    parser.add_argument("--gap", type=float, default=30.0, help="ms pause after a paint")
    parser.add_argument("--no-warm", action="store_true", help="the caches are warm already")
    parser.add_argument("--warm-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--breakdown", action="store_true", help="time each stage too")
    args = parser.parse_args()
    os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="keystroke-state-")
    if args.warm_only:
        asyncio.run(_warm_app(args.corpus[0]))
        return
    for corpus in args.corpus:
        if not args.no_warm:
            warm(corpus)
        load_before = os.getloadavg()
        cpu = time.process_time()
        probe = asyncio.run(
            _run(corpus, SCRIPT[: args.queries], args.interval / 1000, args.gap / 1000)
        )
        latencies = [probe.painted_at[i] - sent for i, sent in enumerate(probe.sent_at)]
        cpu = time.process_time() - cpu
        load_after = os.getloadavg()
        ui_cpu = [probe.painted_cpu[i] - sent for i, sent in enumerate(probe.sent_cpu)]
        print(
            f"{corpus}: {len(latencies)} keys, interval {args.interval:g} ms: "
            f"{summary(latencies)}; UI-thread CPU per key {summary(ui_cpu)}; "
            f"load {load_before[0]:.1f} -> {load_after[0]:.1f}; process CPU {cpu:.1f} s "
            "(with start-up)",
            flush=True,
        )
        if args.breakdown:
            print_breakdown(probe)


if __name__ == "__main__":
    main()
