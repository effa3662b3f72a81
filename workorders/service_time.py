"""Service time: the minutes an SLA counts are the minutes the brand is open for service.

A calendar gives each local day its opening hours by the kind of day: a working day, a rest day (a
weekend the official calendar does not move) or a public holiday. The official calendar (China's,
with its adjusted working weekends, 调休) says which dates are holidays and which weekends are worked;
every other Monday to Friday is a working day and every Saturday and Sunday a rest day. A day kind
without hours is closed. A 7×24 calendar (an enterprise contract, or a brand without a calendar) is
open always, and its service minutes are calendar minutes.

Plain data in, plain data out, no ORM: workorders/sla.py builds the calendar from the brand's rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

UTC = dt.UTC
WORKDAY, RESTDAY, HOLIDAY = "workday", "restday", "holiday"
DAY_MINUTES = 24 * 60
# How far forward a deadline may be looked for; a calendar open less than this is refused by the admin.
HORIZON_DAYS = 800

Hours = tuple[int, int]  # (opens, closes) in minutes after local midnight; closes up to 1440


@dataclass(frozen=True)
class ServiceCalendar:
    tz: dt.tzinfo = UTC
    workday: Hours | None = (0, DAY_MINUTES)
    restday: Hours | None = (0, DAY_MINUTES)
    holiday: Hours | None = (0, DAY_MINUTES)
    # The official calendar's exceptions: date -> HOLIDAY (a day off) or WORKDAY (an adjusted working weekend).
    days: Mapping[dt.date, str] = field(default_factory=dict)
    round_the_clock: bool = False

    def kind_of(self, day: dt.date) -> str:
        return self.days.get(day) or (WORKDAY if day.weekday() < 5 else RESTDAY)

    def hours_on(self, day: dt.date) -> Hours | None:
        hours = getattr(self, self.kind_of(day))
        if hours is None or hours[1] <= hours[0]:
            return None
        return hours

    def _windows(self, start: dt.datetime):
        """The open spans (UTC) from the local day of ``start`` onwards, for at most HORIZON_DAYS days."""
        day = start.astimezone(self.tz).date()
        for _ in range(HORIZON_DAYS):
            hours = self.hours_on(day)
            if hours is not None:
                midnight = dt.datetime.combine(day, dt.time(0), tzinfo=self.tz)
                yield ((midnight + dt.timedelta(minutes=hours[0])).astimezone(UTC),
                       (midnight + dt.timedelta(minutes=hours[1])).astimezone(UTC))
            day += dt.timedelta(days=1)

    @property
    def always_open(self) -> bool:
        return self.round_the_clock or all(h == (0, DAY_MINUTES) for h in (self.workday, self.restday, self.holiday))

    def is_open(self, moment: dt.datetime) -> bool:
        """Whether ``moment`` is within the service hours (the closing instant counts: a deadline may fall on it)."""
        if self.always_open:
            return True
        local = moment.astimezone(self.tz)
        for day in (local.date() - dt.timedelta(days=1), local.date()):
            hours = self.hours_on(day)
            if hours is None:
                continue
            midnight = dt.datetime.combine(day, dt.time(0), tzinfo=self.tz)
            if (midnight + dt.timedelta(minutes=hours[0]) <= local
                    <= midnight + dt.timedelta(minutes=hours[1])):
                return True
        return False

    def add(self, start: dt.datetime, seconds: float) -> dt.datetime:
        """The moment ``seconds`` of service time after ``start`` (from the next opening when closed).

        Never outside the service hours, and monotone in both arguments. A calendar never open within
        the horizon counts calendar time rather than loop for ever.
        """
        start = start.astimezone(UTC)
        left = dt.timedelta(seconds=max(seconds, 0))
        if self.always_open:
            return start + left
        for opens, closes in self._windows(start):
            begin = max(opens, start)
            if begin > closes:
                continue
            if begin + left <= closes:
                return begin + left
            left -= closes - begin
        return start + dt.timedelta(seconds=max(seconds, 0))

    def add_minutes(self, start: dt.datetime, minutes: int) -> dt.datetime:
        return self.add(start, minutes * 60)

    def seconds_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Service seconds from ``start`` to ``end`` (0 when end is not later)."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return 0.0
        if self.always_open:
            return (end - start).total_seconds()
        total = 0.0
        for opens, closes in self._windows(start):
            if opens >= end:
                break
            overlap = min(closes, end) - max(opens, start)
            if overlap > dt.timedelta(0):
                total += overlap.total_seconds()
        return total


ROUND_THE_CLOCK = ServiceCalendar(round_the_clock=True)
