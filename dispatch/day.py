"""A technician's day as plain data, its timing, and the cheapest feasible place for one more job.

No ORM. Times are seconds since local midnight of the day; places are (latitude, longitude) points;
travel is given as hops, (seconds, metres), by the caller (a travel provider's answer).

The timing is the earliest schedule, as the optimiser's: leave, drive, wait for the window to open,
work, drive on; lunch is taken on the way (driving continues while waiting for the lunch window, the
break starts when it opens, the rest of the drive follows). Lunch goes before the first job that would
otherwise start after the lunch window opens or end after it closes; after the last job otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from dispatch.slots import WEEKDAYS

Point = tuple[float, float]
Hop = tuple[int, int]  # (seconds, metres)

# Reasons a day does not work (what the candidate list and the board say).
LATE_FOR_WINDOW = "late_for_window"
PAST_SHIFT_END = "past_shift_end"
NO_LUNCH = "no_lunch"


@dataclass(frozen=True)
class Lunch:
    window: tuple[int, int]  # the break starts inside it
    duration: int


@dataclass(frozen=True)
class Stop:
    key: int  # the order id
    point: Point | None
    duration: int
    window: tuple[int, int] | None = None  # the service starts inside it; None: any time in the shift
    # On site now: the day opens with it (no travel), for ``duration`` more seconds; insertions go after it.
    started: bool = False
    locked: bool = False  # en route (or started): nothing is inserted before it


@dataclass(frozen=True)
class TechDay:
    shift: tuple[int, int]
    home: Point | None
    stops: tuple[Stop, ...] = ()
    lunch: Lunch | None = None
    not_before: int = 0  # today: now; nothing is planned earlier

    @property
    def origin(self) -> int:
        return max(self.shift[0], self.not_before)

    def lunch_applies(self) -> bool:
        lunch = self.lunch
        return lunch is not None and self.shift[0] <= lunch.window[0] and lunch.window[1] + lunch.duration \
            <= self.shift[1] and self.origin <= lunch.window[1]


@dataclass(frozen=True)
class Timed:
    """One stop as timed: arrival, service start and end, the hop that led there."""

    key: int
    arrival: int
    start: int
    end: int
    travel: int
    metres: int


@dataclass(frozen=True)
class Schedule:
    stops: tuple[Timed, ...]
    lunch: tuple[int, int] | None
    back: int  # home again
    back_travel: Hop
    travel: int  # seconds in all, home to home
    metres: int
    problem: str = ""  # empty when the day works; else one of the reasons above
    problem_at: int | None = None  # the stop (key) where it fails

    @property
    def ok(self) -> bool:
        return not self.problem


def _start_in(window: tuple[int, int] | None, arrival: int) -> int | None:
    if window is None:
        return arrival
    if arrival > window[1]:
        return None
    return max(arrival, window[0])


def _visit(day: TechDay, t: int, lunch_taken: bool, stop: Stop, hop: Hop) -> tuple:
    """One stop from time ``t``: (arrival, start, end, lunch span or None, lunch taken, problem)."""
    if stop.started:
        return t, t, t + stop.duration, None, lunch_taken, ""
    lunch = day.lunch
    span = None
    lunch_ok = True
    arrival = t + hop[0]
    if not lunch_taken:
        # Would this job start after lunch opens, or end after it closes? Then lunch comes first, on the way.
        plain = _start_in(stop.window, arrival)
        plain = arrival if plain is None else plain
        if plain >= lunch.window[0] or plain + stop.duration > lunch.window[1]:
            begin = max(t, lunch.window[0])
            arrival = begin + lunch.duration + hop[0] - min(hop[0], begin - t)
            span = (begin, begin + lunch.duration)
            lunch_taken = True
            lunch_ok = begin <= lunch.window[1]
    start = _start_in(stop.window, arrival)
    problem = "" if lunch_ok else NO_LUNCH
    if start is None:
        start = arrival
        problem = problem or LATE_FOR_WINDOW
    return arrival, start, start + stop.duration, span, lunch_taken, problem


def _back(day: TechDay, t: int, lunch_taken: bool, hop: Hop) -> tuple[int, tuple[int, int] | None, str]:
    """Home again from time ``t``, with lunch on the way if it is still due: (back, lunch span, problem)."""
    span, problem = None, ""
    back = t + hop[0]
    if not lunch_taken:
        lunch = day.lunch
        begin = max(t, lunch.window[0])
        back = begin + lunch.duration + hop[0] - min(hop[0], begin - t)
        span = (begin, begin + lunch.duration)
        if begin > lunch.window[1]:
            problem = NO_LUNCH
    if back > day.shift[1] and not problem:
        problem = PAST_SHIFT_END
    return back, span, problem


def time_day(day: TechDay, stops: Sequence[Stop], hops: Sequence[Hop]) -> Schedule:
    """Time ``stops`` in this order; ``hops[k]`` leads to stop k, ``hops[-1]`` home again (len(stops) + 1)."""
    t, lunch_taken = day.origin, not day.lunch_applies()
    timed: list[Timed] = []
    lunch_span = None
    travel = metres = 0
    problem, problem_at = "", None
    for k, stop in enumerate(stops):
        hop = (0, 0) if stop.started else hops[k]
        travel += hop[0]
        metres += hop[1]
        arrival, start, end, span, lunch_taken, trouble = _visit(day, t, lunch_taken, stop, hop)
        if span is not None:
            lunch_span = span
        if trouble and not problem:
            problem, problem_at = trouble, stop.key
        timed.append(Timed(stop.key, arrival, start, end, hop[0], hop[1]))
        t = end
    home = hops[len(stops)]
    if timed:
        travel += home[0]
        metres += home[1]
        back, span, trouble = _back(day, t, lunch_taken, home)
        if span is not None:
            lunch_span = span
        if trouble and not problem:
            problem = trouble
    else:
        back = day.origin
    return Schedule(tuple(timed), lunch_span, back, home, travel, metres, problem, problem_at)


class _Base:
    """The day as it is, stop by stop: the state before each stop, and whether all from there on works."""

    def __init__(self, day: TechDay, hops: Sequence[Hop]) -> None:
        t, lunch_taken = day.origin, not day.lunch_applies()
        self.states = [(t, lunch_taken)]
        troubles = []
        for k, stop in enumerate(day.stops):
            hop = (0, 0) if stop.started else hops[k]
            _arrival, _start, t, _span, lunch_taken, trouble = _visit(day, t, lunch_taken, stop, hop)
            self.states.append((t, lunch_taken))
            troubles.append(trouble)
        troubles.append(_back(day, t, lunch_taken, hops[len(day.stops)])[2] if day.stops else "")
        # works_from[k]: no trouble at stop k or after it, home included
        self.works_from = [False] * (len(troubles) + 1)
        self.works_from[-1] = True
        for k in range(len(troubles) - 1, -1, -1):
            self.works_from[k] = self.works_from[k + 1] and not troubles[k]


def _fits(day: TechDay, base: _Base, p: int, job: Stop, hops: Sequence[Hop], to_job: Hop, from_job: Hop) -> bool:
    """Does the day work with ``job`` at position p? From the unchanged state before p, until the day is back
    on its old times (then it works as the old day did from there)."""
    n = len(day.stops)
    t, lunch_taken = base.states[p]
    _a, _s, t, _span, lunch_taken, trouble = _visit(day, t, lunch_taken, job, to_job)
    if trouble:
        return False
    for m in range(p, n):
        stop = day.stops[m]
        hop = from_job if m == p else hops[m]
        _a, _s, t, _span, lunch_taken, trouble = _visit(day, t, lunch_taken, stop, (0, 0) if stop.started else hop)
        if trouble:
            return False
        if (t, lunch_taken) == base.states[m + 1]:
            return base.works_from[m + 1]
    return not _back(day, t, lunch_taken, from_job if p == n else hops[n])[2]


@dataclass(frozen=True)
class Insertion:
    position: int  # the new job becomes stops[position]
    added_travel: int  # seconds more than the day without it
    added_metres: int
    schedule: Schedule  # the whole day with the job in it

    def timed(self, key: int) -> Timed:
        return next(t for t in self.schedule.stops if t.key == key)


def places(day: TechDay) -> list[Point | None]:
    """home, stop 0, ..., stop n-1 (home again is places[0])."""
    return [day.home, *(s.point for s in day.stops)]


def base_hops(day: TechDay, hop: Callable[[Point | None, Point | None], Hop]) -> list[Hop]:
    where = places(day)
    chain = [*where, day.home]
    return [hop(chain[k], chain[k + 1]) for k in range(len(day.stops) + 1)]


def best_insertion(day: TechDay, job: Stop, hops: Sequence[Hop], to_job: Sequence[Hop],
                   from_job: Sequence[Hop]) -> tuple[Insertion | None, Schedule | None]:
    """The cheapest place (least added travel) where ``job`` fits; or None and the best failing schedule.

    hops: the day's own (base_hops). to_job[k] / from_job[k]: from place k to the job / from the job to place k
    (places(): 0 is home). Positions are tried cheapest first; the first that works is the cheapest that works.
    """
    n = len(day.stops)
    first = 0
    for k, stop in enumerate(day.stops):
        if stop.locked or stop.started:
            first = k + 1
    options = []
    for p in range(first, n + 1):
        before = p  # place index of the stop before (0 = home)
        after = p + 1 if p < n else 0  # place index of the stop after (0 = home)
        added = to_job[before][0] + from_job[after][0] - hops[p][0]
        added_m = to_job[before][1] + from_job[after][1] - hops[p][1]
        options.append((added, p, added_m))
    options.sort()
    base = _Base(day, hops)
    for added, p, added_m in options:
        if _fits(day, base, p, job, hops, to_job[p], from_job[p + 1 if p < n else 0]):
            stops = (*day.stops[:p], job, *day.stops[p:])
            new_hops = [*hops[:p], to_job[p], from_job[p + 1 if p < n else 0], *hops[p + 1:]]
            return Insertion(p, added, added_m, time_day(day, stops, new_hops)), None
    # Nowhere: say why, from the cheapest place and preferably about the job itself (its window).
    failing: Schedule | None = None
    for _added, p, _m in options[:3]:
        stops = (*day.stops[:p], job, *day.stops[p:])
        schedule = time_day(day, stops, [*hops[:p], to_job[p], from_job[p + 1 if p < n else 0], *hops[p + 1:]])
        if failing is None or _closer(schedule, failing, job.key):
            failing = schedule
        if failing.problem_at == job.key:
            break
    return None, failing if failing is not None else time_day(day, (job,), [to_job[0], from_job[0]])


def _closer(a: Schedule, b: Schedule, key: int) -> bool:
    # Prefer reporting the failure on the new job itself (its window) over knock-on failures.
    return a.problem_at == key and b.problem_at != key


def weekday_shift(working_hours, weekday: int) -> tuple[int, int] | None:
    """shift_of for a weekday (0 is Monday)."""
    if not isinstance(working_hours, Mapping):
        return None
    try:
        start, end = (dt.time.fromisoformat(s) for s in working_hours.get(WEEKDAYS[weekday]))
    except (TypeError, ValueError):
        return None
    if start >= end:
        return None
    return start.hour * 3600 + start.minute * 60, end.hour * 3600 + end.minute * 60


def certificate_on(spans: list[tuple[dt.date, dt.date]] | None, day: dt.date) -> dt.date | bool | None:
    """The Technician.qualified_for rule on plain data: no certificate on file is fine, else one must be current."""
    if spans is None:
        return None
    current = [end for start, end in spans if start <= day <= end]
    return max(current) if current else False
