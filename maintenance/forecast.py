"""When a consumable or a maintenance visit falls due: plain arithmetic, no ORM (STYLE.md: pure algorithms).

A schedule is due whichever comes first:
- by time: ``months`` after the last replacement (or installation, or purchase);
- by usage: the day the litres (or running hours) since the last replacement reach the rule's limit, at the
  device's recent rate. When the meter's value now and at the replacement are both known, what is left is
  ``limit - (now - then)`` from the day of the latest reading; otherwise the whole limit from the last
  replacement.

The result carries its explanation as plain parts (what counted, from when, at what rate), so every place that
says *why* (the portal, the API, the message) says it from the same numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from core.dates import add_months

TIME, LITRES, HOURS = "time", "litres", "hours"  # maintenance.choices.DueBy values
# A rate this low is no rate: a forecast thousands of years out says nothing the time limit does not.
MIN_RATE = Decimal("0.001")
MAX_DAYS = 36500


@dataclass(frozen=True)
class Meter:
    """One usage measure of a schedule: the limit, the recent rate a day, and the meter then and now."""

    limit: Decimal | int | None
    per_day: Decimal | None = None
    at_last: Decimal | None = None
    now: Decimal | None = None
    read_on: dt.date | None = None


@dataclass(frozen=True)
class Forecast:
    due_on: dt.date | None
    due_by: str  # TIME, LITRES, HOURS, or "" when nothing can be said
    start: dt.date | None
    months: int | None
    per_day: Decimal | None = None  # the rate that decided, when usage decided
    limit: Decimal | int | None = None

    def as_dict(self) -> dict:
        return {"due_on": self.due_on, "due_by": self.due_by, "start": self.start, "months": self.months,
                "per_day": self.per_day, "limit": self.limit}


def usage_due(*, start: dt.date, meter: Meter) -> dt.date | None:
    """The day ``meter`` reaches its limit since ``start``, or None when it has no limit or no rate."""
    if meter.limit is None or meter.per_day is None or meter.per_day < MIN_RATE:
        return None
    limit = Decimal(meter.limit)
    base, left = start, limit
    if meter.now is not None and meter.at_last is not None and meter.read_on is not None and meter.read_on >= start:
        base, left = meter.read_on, limit - max(Decimal(0), meter.now - meter.at_last)
    days = left / meter.per_day
    days = max(-MAX_DAYS, min(MAX_DAYS, math.ceil(days)))
    # Used up before the reading: it was due the day the limit was reached, never before the replacement.
    return max(start, base + dt.timedelta(days=days))


def forecast(*, start: dt.date | None, months: int | None, litres: Meter | None = None,
             hours: Meter | None = None) -> Forecast:
    """The due date and what decided it; never later than the time limit, earlier for a heavier user."""
    if start is None:
        return Forecast(None, "", None, months)
    best = Forecast(add_months(start, months), TIME, start, months) if months else Forecast(None, "", start, None)
    for by, meter in ((LITRES, litres), (HOURS, hours)):
        if meter is None:
            continue
        day = usage_due(start=start, meter=meter)
        if day is not None and (best.due_on is None or day < best.due_on):
            best = Forecast(day, by, start, months, meter.per_day, meter.limit)
    return best


def rate(*, first: Decimal, last: Decimal, first_at: dt.datetime, last_at: dt.datetime,
         min_days: float = 1.0) -> Decimal | None:
    """A cumulative meter's rate a day between two readings; None over less than ``min_days`` (too noisy) or
    when the meter went back (a replaced device or counter reset says nothing of usage)."""
    days = (last_at - first_at).total_seconds() / 86400
    if days < min_days or last < first:
        return None
    return ((last - first) / Decimal(str(days))).quantize(Decimal("0.001"))
