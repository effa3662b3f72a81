"""A per-process copy of slow-changing data, read again after a time limit: the one cache of its kind.

Master data every request needs and that changes a few times a year (a brand's SLA policies in
workorders.sla, the dispatch rule, standards and crew in dispatch.masters) is kept per key for ``ttl``
seconds instead of being read on every request. A save in this process forgets it at once (the owner
connects ``forget``/``clear`` to the models' signals, and tests clear it between tests); other processes
read the change within the time limit.

Thread-safe: a hit reads without the lock; loads run outside it (two threads may both load on a miss; the
later copy stays), and a copy loaded while it was being forgotten is not kept, so a save never leaves the
older copy behind for a whole time limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class TtlCache(Generic[V]):
    def __init__(self, ttl: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()
        self._generation = 0  # moves on at every forget; a load begun before it is not kept

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        """The copy for ``key`` when younger than ``ttl`` seconds, else what ``load()`` returns (then kept)."""
        now = self._clock()
        hit = self._entries.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        generation = self._generation
        value = load()
        with self._lock:
            if generation == self._generation:
                self._entries[key] = (now, value)
        return value

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._generation += 1
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()
