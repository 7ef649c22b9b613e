"""Built figures kept per process, by the data version and the inputs they were built from.

Pages and the board pack draw many of the same figures (a metric's SPC trend for a district, a
funnel for a month). Building a plotly figure costs far more than reading the figures it shows, so
a figure is built once per data version and set of inputs and then reused by every session and by
a pack made in the same process. The data version (``store.version``) changes with every completed
write, so a cached figure can never outlive the data it shows.

A cached value is shared: callers must treat it as read-only (copy it before changing it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

MAX_ENTRIES = 512

_entries: OrderedDict[tuple[str, Hashable, Hashable], object] = OrderedDict()
_lock = threading.Lock()
_stats = {"hits": 0, "misses": 0}


def memo(name: str, version: Hashable, inputs: Hashable, build: Callable[[], T]) -> T:
    """The value ``build()`` gives for (name, version, inputs), built at most once while kept.

    ``inputs`` must be hashable and must include everything the value depends on besides the data
    version (metric, districts, period, layout choices). Two threads asking for the same missing
    key may both build it; the first stored wins, and both get an equal value.
    """
    key = (name, version, inputs)
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            _stats["hits"] += 1
            return _entries[key]  # type: ignore[return-value]
        _stats["misses"] += 1
    value = build()
    with _lock:
        stored = _entries.setdefault(key, value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return stored  # type: ignore[return-value]


def clear() -> None:
    """Forget every kept value (tests, and a process that knows the data changed under it)."""
    with _lock:
        _entries.clear()
        _stats["hits"] = 0
        _stats["misses"] = 0


def stats() -> dict[str, int]:
    """Hits, misses and entries kept: what a benchmark or a test reads to see the cache work."""
    with _lock:
        return {**_stats, "entries": len(_entries)}
