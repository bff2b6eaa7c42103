"""Keep Python's cyclic garbage collector off data that lives as long as the app.

A full (oldest-generation) collection walks every tracked container. After loading, the
app freezes what it has (``gc.freeze`` in ``ReaderApp.load_corpus``); data built later in
the background (the citation keys build every ``Paper``: about seven tracked objects per
paper) would otherwise be walked by every full collection, which Textual's allocations
trigger every few keystrokes: 70 ms at 20k papers, far more at 10^5, landing in the middle
of typing. Freezing moves it out of the collector's reach for good (it is never garbage
while the app runs).
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from textual.screen import Screen

# Full collections are considered after this many collections of the middle generation
# (Python's default is 10). Textual keeps every drawn line in caches (a Strip with about
# fifteen small objects), so objects that live a keystroke or two reach the oldest generation
# by the thousand and a full collection, 20-50 ms of CPU with Textual's caches at their
# steady size, came every five to ten keystrokes: straight into the p95 of typing latency.
# At 100 it comes every fifty to a hundred; what it frees is freed by reference counting
# anyway, except cycles, which only wait longer.
FULL_COLLECTION_EVERY = 100


def then_freeze(work: Callable[[], object]) -> Callable[[], None]:
    """``work``, followed by freezing everything alive (call it in the worker), and from then
    on rarer full collections (``FULL_COLLECTION_EVERY``)."""

    def run() -> None:
        work()
        gc.freeze()
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)

    return run


def warm_later(screen: Screen[None], work: Callable[[], object], delay: float, group: str) -> None:
    """Run ``work`` (which builds long-lived data) in a thread worker ``delay`` seconds from
    now, then freeze what it built."""
    screen.set_timer(delay, lambda: screen.run_worker(then_freeze(work), thread=True, group=group))
