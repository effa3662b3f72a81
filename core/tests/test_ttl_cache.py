"""The per-process copy with a time limit (core.ttl_cache): kept until the limit, then read again; forgotten
at once by key or whole; a copy loaded while it was being forgotten is not kept; safe across threads."""

from __future__ import annotations

import threading

from core.ttl_cache import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Source:
    """What the copy is of: each read counts, and answers the current value."""

    def __init__(self, value: str = "v1") -> None:
        self.value, self.reads = value, 0

    def __call__(self) -> str:
        self.reads += 1
        return self.value


def test_a_copy_is_kept_until_the_time_limit_then_read_again():
    clock, source = Clock(), Source()
    cache = TtlCache(60, clock=clock)
    assert cache.get("brand-1", source) == "v1" and source.reads == 1
    source.value = "v2"
    clock.now += 59.9
    assert cache.get("brand-1", source) == "v1" and source.reads == 1
    clock.now += 0.1
    assert cache.get("brand-1", source) == "v2" and source.reads == 2


def test_each_key_has_its_own_copy_and_forget_drops_only_its_own():
    clock, one, two = Clock(), Source("one"), Source("two")
    cache = TtlCache(60, clock=clock)
    assert (cache.get(1, one), cache.get(2, two)) == ("one", "two")
    one.value, two.value = "one again", "two again"
    cache.forget(1)
    assert (cache.get(1, one), cache.get(2, two)) == ("one again", "two")
    cache.clear()
    assert cache.get(2, two) == "two again" and (one.reads, two.reads) == (2, 2)


def test_a_copy_loaded_while_it_was_forgotten_is_not_kept():
    cache, source = TtlCache(60, clock=Clock()), Source("before the save")

    def load_during_a_save():
        value = source()
        source.value = "after the save"
        cache.clear()  # the save's signal lands while the old rows are in hand
        return value

    assert cache.get("k", load_during_a_save) == "before the save"
    assert cache.get("k", source) == "after the save"


def test_threads_reading_and_clearing_together_only_ever_see_a_loaded_value():
    cache: TtlCache[int] = TtlCache(60)
    start, seen, errors = threading.Barrier(8), [], []

    def work(n: int) -> None:
        try:
            start.wait(timeout=10)
            for i in range(2000):
                seen.append((i % 7, cache.get(i % 7, lambda i=i: i % 7)))
                if i % 97 == n:
                    cache.clear()
        except Exception as exc:  # noqa: BLE001 - reported below, with the thread's number
            errors.append((n, exc))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and not any(t.is_alive() for t in threads)
    assert len(seen) == 16_000 and all(key == value for key, value in seen)
