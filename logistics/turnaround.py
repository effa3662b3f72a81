"""Turnaround of mail-in repairs (issue 17, part 5): report-to-redelivery time per case, and its split by hop, per
ISO week, against the one-day target. Plain data in, plain data out: no ORM (logistics/selectors.py builds the
rows from the cases' steps), so the arithmetic is tested alone.

A case's time runs from the customer's report (the work order's creation) to the unit's redelivery, split in three:
the courier out (report → at the centre: its arrival scan, or its receipt at the bench when the courier never said
it arrived), the bench (at the centre → shipped back) and the courier back (shipped → delivered). The three always
add up to the whole. Of the courier out, the wait for the pickup (report → collected) is told apart: the customer
picks the pickup's window.

A week is the ISO week (Monday to Sunday, in the reader's time zone) in which the unit was delivered back. Its
median is the middle case (the mean of the two middle ones for an even count); its p90 is the nearest-rank 90th
percentile: the time within which 90 % of the week's cases came back, always one case's own time.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

TARGET = dt.timedelta(hours=24)  # report to redelivery within one day


@dataclass(frozen=True)
class CaseTimes:
    """One delivered case: when it was reported, reached the centre, left it and came back (aware times)."""

    reported: dt.datetime
    shipped: dt.datetime
    delivered: dt.datetime
    arrived: dt.datetime | None = None  # the courier's arrival scan at the centre, when there was one
    received: dt.datetime | None = None  # unpacked at the bench
    collected: dt.datetime | None = None  # the courier took it from the customer

    @property
    def at_centre(self) -> dt.datetime:
        """When the unit reached the centre: its arrival scan, else its receipt at the bench."""
        at = self.arrived or self.received
        if at is None:
            raise ValueError("a delivered case reached the centre: give its arrival or its receipt")
        return at

    @property
    def total(self) -> dt.timedelta:
        return self.delivered - self.reported

    @property
    def courier_out(self) -> dt.timedelta:
        return self.at_centre - self.reported

    @property
    def bench(self) -> dt.timedelta:
        return self.shipped - self.at_centre

    @property
    def courier_back(self) -> dt.timedelta:
        return self.delivered - self.shipped

    @property
    def pickup_wait(self) -> dt.timedelta | None:
        """Of the courier out, the wait for the pickup (report → collected); None without a collection scan."""
        return None if self.collected is None else self.collected - self.reported


@dataclass(frozen=True)
class Figures:
    """What a set of cases took: how many, the median and p90 of the whole, the median of each part of the split,
    and how many came back within the target. Times are None when there are no cases."""

    count: int
    median: dt.timedelta | None
    p90: dt.timedelta | None
    courier_out: dt.timedelta | None
    bench: dt.timedelta | None
    courier_back: dt.timedelta | None
    pickup_wait: dt.timedelta | None  # the median wait for the pickup, of the cases with a collection scan
    within_target: int
    target: dt.timedelta

    @property
    def share_within(self) -> float | None:
        """The share of cases back within the target, 0 to 1 (None for no cases)."""
        return self.within_target / self.count if self.count else None

    @property
    def met(self) -> bool | None:
        """The week's median within the target (None for no cases)."""
        return None if self.median is None else self.median <= self.target


@dataclass(frozen=True)
class Week(Figures):
    monday: dt.date = dt.date.min

    @property
    def iso(self) -> tuple[int, int]:
        year, week, _day = self.monday.isocalendar()
        return year, week


def median(values: Sequence[dt.timedelta]) -> dt.timedelta | None:
    """The middle value (the mean of the two middle ones for an even count); None for none."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[dt.timedelta], p: int) -> dt.timedelta | None:
    """The nearest-rank ``p``-th percentile (1 to 100): the smallest value at least p % of the values do not
    exceed; None for none."""
    if not values:
        return None
    if not 0 < p <= 100:
        raise ValueError("a percentile is from 1 to 100")
    ordered = sorted(values)
    return ordered[max(math.ceil(p * len(ordered) / 100), 1) - 1]


def figures(cases: Iterable[CaseTimes], *, target: dt.timedelta = TARGET) -> Figures:
    cases = list(cases)
    totals = [c.total for c in cases]
    return Figures(count=len(cases), median=median(totals), p90=percentile(totals, 90),
                   courier_out=median([c.courier_out for c in cases]), bench=median([c.bench for c in cases]),
                   courier_back=median([c.courier_back for c in cases]),
                   pickup_wait=median([c.pickup_wait for c in cases if c.pickup_wait is not None]),
                   within_target=sum(1 for t in totals if t <= target), target=target)


def monday_of(at: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The Monday of the ISO week ``at`` falls in, in time zone ``tz``."""
    day = at.astimezone(tz).date()
    return day - dt.timedelta(days=day.weekday())


def weekly(cases: Iterable[CaseTimes], *, tz: dt.tzinfo, target: dt.timedelta = TARGET,
           mondays: Sequence[dt.date] | None = None) -> list[Week]:
    """The figures of each week, by the week of redelivery, oldest first. With ``mondays``: exactly those weeks
    (a week without cases has a count of 0), cases of other weeks left out; else the weeks that have cases."""
    by_week: dict[dt.date, list[CaseTimes]] = defaultdict(list)
    for case in cases:
        by_week[monday_of(case.delivered, tz)].append(case)
    weeks = sorted(set(mondays)) if mondays is not None else sorted(by_week)
    out = []
    for monday in weeks:
        f = figures(by_week.get(monday, ()), target=target)
        out.append(Week(monday=monday, count=f.count, median=f.median, p90=f.p90, courier_out=f.courier_out,
                        bench=f.bench, courier_back=f.courier_back, pickup_wait=f.pickup_wait,
                        within_target=f.within_target, target=target))
    return out


def hours(value: dt.timedelta | None) -> float | None:
    """A time as hours, to one decimal (None stays None)."""
    return None if value is None else round(value.total_seconds() / 3600, 1)
