"""Appointment slots from technicians' working hours minus booked jobs: plain data in, offers out, no ORM.

A slot is a two-hour arrival window in the brand's local time (09-11, 11-13, ... 17-19). An outlet's
capacity in a window is what its qualified technicians can take on in it:

- a technician counts in a window only when the day's shift covers the whole window, the skill is
  held that day (a certificate, where the skill has any, must be current), and a job of the standard
  length started at the window's start still ends within the shift (a job longer than the whole
  shift takes the day instead, and starts only in the shift's first window);
- a technician can start ``max(1, window // (standard + travel))`` jobs in a window, and
  ``shift // (standard + travel)`` jobs a day (at least one), never more than their daily capacity;
  the outlet's daily capacity caps the day as a whole.

The free capacity is the window's capacity minus the outlet's bookings overlapping the window, and at
most the day's capacity minus the bookings starting that day; never negative. Each window with room is
offered once, by the outlet that should take it: the nearest to the site that has room.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workorders.slots import SlotOffer

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WINDOW_STARTS = (dt.time(9), dt.time(11), dt.time(13), dt.time(15), dt.time(17))
WINDOW = dt.timedelta(hours=2)
LEAD_TIME = dt.timedelta(hours=2)  # nobody can be promised at the door sooner than this
TRAVEL_MINUTES = 30  # allowance between two jobs
DEFAULT_STANDARD_MINUTES = 60  # when the model has no service standard for the job

Window = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Job:
    standard_minutes: int = DEFAULT_STANDARD_MINUTES
    travel_minutes: int = TRAVEL_MINUTES

    @property
    def per_job(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.standard_minutes + self.travel_minutes)

    @property
    def standard(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.standard_minutes)


@dataclass(frozen=True)
class Crew:
    """One active technician who holds the job's skill (or the job needs none)."""

    technician_id: int
    outlet_id: int
    hours: Mapping[str, tuple[dt.time, dt.time]]  # weekday → shift
    daily_capacity: int
    # Validity spans (both ends inclusive) of the certificates for the skill. None: the skill takes no
    # certificate, so holding it is enough. An empty tuple never qualifies (Technician.qualified_for).
    certificates: tuple[tuple[dt.date, dt.date], ...] | None = None

    def qualified_on(self, day: dt.date) -> bool:
        if self.certificates is None:
            return True
        return any(start <= day <= end for start, end in self.certificates)


@dataclass(frozen=True)
class Outlet:
    outlet_id: int
    daily_capacity: int = 40
    distance_km: Decimal | None = None  # to the site; None when either has no coordinates


@dataclass(frozen=True)
class Booking:
    outlet_id: int
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Board:
    """Everything the slot maths needs for one product and service type."""

    tz: dt.tzinfo
    job: Job
    outlets: Sequence[Outlet] = ()
    crews: Sequence[Crew] = ()
    bookings: Sequence[Booking] = ()

    def of(self, outlet: Outlet) -> Board:
        """The same board narrowed to one outlet's crews and bookings."""
        return Board(tz=self.tz, job=self.job, outlets=(outlet,),
                     crews=tuple(c for c in self.crews if c.outlet_id == outlet.outlet_id),
                     bookings=tuple(b for b in self.bookings if b.outlet_id == outlet.outlet_id))


def parse_hours(raw: Any) -> dict[str, tuple[dt.time, dt.time]]:
    """Technician.working_hours ({"mon": ["08:30", "17:30"], ...}); a malformed day is a day off."""
    hours: dict[str, tuple[dt.time, dt.time]] = {}
    if not isinstance(raw, Mapping):
        return hours
    for day, span in raw.items():
        try:
            start, end = (dt.time.fromisoformat(s) for s in span)
        except (TypeError, ValueError):
            continue
        if day in WEEKDAYS and start < end:
            hours[day] = (start, end)
    return hours


def windows(*, now: dt.datetime, days: int, tz: dt.tzinfo, lead: dt.timedelta = LEAD_TIME,
            starts: Iterable[dt.time] = WINDOW_STARTS, length: dt.timedelta = WINDOW) -> list[Window]:
    """The windows on the ``days`` local days from today on that start no sooner than ``now + lead``."""
    today = now.astimezone(tz).date()
    earliest = now + lead
    found = []
    for offset in range(max(days, 0)):
        day = today + dt.timedelta(days=offset)
        for start_time in starts:
            start = dt.datetime.combine(day, start_time, tzinfo=tz)
            if start >= earliest:
                found.append((start, start + length))
    return found


def _shift(crew: Crew, day: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime] | None:
    span = crew.hours.get(WEEKDAYS[day.weekday()])
    if span is None or not crew.qualified_on(day):
        return None
    return dt.datetime.combine(day, span[0], tzinfo=tz), dt.datetime.combine(day, span[1], tzinfo=tz)


def jobs_in_window(crew: Crew, window: Window, job: Job, tz: dt.tzinfo) -> int:
    start, end = window
    shift = _shift(crew, start.astimezone(tz).date(), tz)
    if shift is None or shift[0] > start or shift[1] < end:
        return 0
    if shift[1] - start >= job.per_job:  # started at the window's start, it ends with time to drive back
        return min(max(1, (end - start) // job.per_job), crew.daily_capacity)
    if shift[1] - shift[0] < job.standard and start - shift[0] < WINDOW:
        # Longer than the whole shift (a central air-conditioner's installation): it takes the day and
        # goes on the next, so it starts only in the shift's first window.
        return min(1, crew.daily_capacity)
    return 0


def jobs_in_day(crew: Crew, day: dt.date, job: Job, tz: dt.tzinfo) -> int:
    shift = _shift(crew, day, tz)
    if shift is None:
        return 0
    # At least one: a job that does not fit twice still fits once, or takes the whole day.
    return min((shift[1] - shift[0]) // job.per_job or 1, crew.daily_capacity)


def free_in(board: Board, outlet: Outlet, window: Window) -> int:
    """What ``outlet`` can still take in ``window``."""
    start, end = window
    day = start.astimezone(board.tz).date()
    crews = [c for c in board.crews if c.outlet_id == outlet.outlet_id]
    window_capacity = sum(jobs_in_window(c, window, board.job, board.tz) for c in crews)
    if window_capacity == 0:
        return 0
    day_capacity = min(outlet.daily_capacity, sum(jobs_in_day(c, day, board.job, board.tz) for c in crews))
    booked_window = booked_day = 0
    for booking in board.bookings:
        if booking.outlet_id != outlet.outlet_id:
            continue
        if booking.start < end and booking.end > start:
            booked_window += 1
        if booking.start.astimezone(board.tz).date() == day:
            booked_day += 1
    return max(0, min(window_capacity - booked_window, day_capacity - booked_day))


def _nearest_first(outlet: Outlet) -> tuple:
    return (outlet.distance_km is None, outlet.distance_km or Decimal(0), outlet.outlet_id)


def offers(board: Board, candidate_windows: Iterable[Window],
           staffed: Mapping[Window, set[int]] | None = None) -> list[SlotOffer]:
    """One offer per window with room anywhere, from the nearest outlet that has room; with ``staffed``
    (window -> outlets a technician of which can take the job then), only from an outlet that can staff it."""
    ranked = [(outlet, board.of(outlet)) for outlet in sorted(board.outlets, key=_nearest_first)]
    found = []
    for window in candidate_windows:
        for outlet, own in ranked:
            if staffed is not None and outlet.outlet_id not in staffed.get(window, ()):
                continue
            free = free_in(own, outlet, window)
            if free > 0:
                found.append(SlotOffer(start=window[0], end=window[1], outlet_id=outlet.outlet_id, free=free))
                break
    return found
