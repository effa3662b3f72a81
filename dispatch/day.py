"""A technician's day as plain data, its timing, and the cheapest feasible place for one more job.

No ORM. Times are seconds since local midnight of the day; places are (latitude, longitude) points;
travel is given as hops, (seconds, metres), by the caller (a travel provider's answer).

The timing is the earliest schedule, as the optimiser's: leave, drive, wait for the window to open,
work, drive on; lunch is taken on the way (driving continues while waiting for the lunch window, the
break starts when it opens, the rest of the drive follows). Lunch goes before the first job that would
otherwise start after the lunch window opens or end after it closes; after the last job otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

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


@dataclass
class _State:
    t: int
    lunch_taken: bool


def _drive(state: _State, hop: Hop, lunch: Lunch | None, take_lunch: bool) -> tuple[int, tuple[int, int] | None, bool]:
    """Drive one hop from ``state.t``, with lunch on the way when asked: (arrival, lunch span, lunch ok)."""
    if not take_lunch or lunch is None:
        return state.t + hop[0], None, True
    begin = max(state.t, lunch.window[0])
    before = min(hop[0], begin - state.t)
    state.lunch_taken = True
    return begin + lunch.duration + hop[0] - before, (begin, begin + lunch.duration), begin <= lunch.window[1]


def _start_in(window: tuple[int, int] | None, arrival: int) -> int | None:
    if window is None:
        return arrival
    if arrival > window[1]:
        return None
    return max(arrival, window[0])


def time_day(day: TechDay, stops: Sequence[Stop], hops: Sequence[Hop]) -> Schedule:
    """Time ``stops`` in this order; ``hops[k]`` leads to stop k, ``hops[-1]`` home again (len(stops) + 1)."""
    state = _State(day.origin, not day.lunch_applies())
    timed: list[Timed] = []
    lunch_span = None
    travel = metres = 0
    problem, problem_at = "", None
    for k, stop in enumerate(stops):
        hop = (0, 0) if stop.started else hops[k]
        travel += hop[0]
        metres += hop[1]
        if stop.started:
            arrival = start = state.t
        else:
            take = False
            if not state.lunch_taken:
                # Would this job start after lunch opens, or end after it closes? Then lunch comes first.
                plain = _start_in(stop.window, state.t + hop[0])
                plain = state.t + hop[0] if plain is None else plain
                take = plain >= day.lunch.window[0] or plain + stop.duration > day.lunch.window[1]
            arrival, span, lunch_ok = _drive(state, hop, day.lunch, take)
            if span is not None:
                lunch_span = span
                if not lunch_ok and not problem:
                    problem, problem_at = NO_LUNCH, stop.key
            start = _start_in(stop.window, arrival)
            if start is None:
                start = arrival
                if not problem:
                    problem, problem_at = LATE_FOR_WINDOW, stop.key
        end = start + stop.duration
        timed.append(Timed(stop.key, arrival, start, end, hop[0], hop[1]))
        state.t = end
    home = hops[len(stops)]
    if timed:
        travel += home[0]
        metres += home[1]
        take = not state.lunch_taken
        back, span, lunch_ok = _drive(state, home, day.lunch, take)
        if span is not None:
            lunch_span = span
            if not lunch_ok and not problem:
                problem = NO_LUNCH
    else:
        back = day.origin
    if back > day.shift[1] and not problem:
        problem = PAST_SHIFT_END
    return Schedule(tuple(timed), lunch_span, back, home, travel, metres, problem, problem_at)


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
                   from_job: Sequence[Hop]) -> tuple[Insertion | None, Schedule]:
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
    failing: Schedule | None = None
    for added, p, added_m in options:
        stops = (*day.stops[:p], job, *day.stops[p:])
        new_hops = [*hops[:p], to_job[p], from_job[p + 1 if p < n else 0], *hops[p + 1:]]
        schedule = time_day(day, stops, new_hops)
        if schedule.ok:
            return Insertion(p, added, added_m, schedule), schedule
        if failing is None or _closer(schedule, failing, job.key):
            failing = schedule
    return None, failing if failing is not None else time_day(day, (job,), [to_job[0], from_job[0]])


def _closer(a: Schedule, b: Schedule, key: int) -> bool:
    # Prefer reporting the failure on the new job itself (its window) over knock-on failures.
    return a.problem_at == key and b.problem_at != key
