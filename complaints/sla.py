"""A complaint's clocks, in service hours: acknowledge by, resolve by, and how long each rung of the ladder has.

The minutes are service minutes counted in the same calendar the complaint's order counts in (the outlet's,
else the region's, else the brand's, else 7×24: workorders.sla.calendar_for), so a complaint made on Friday
evening is not breached over a weekend the brand is closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from complaints.choices import Severity
from complaints.models import ComplaintClock
from workorders.service_time import ServiceCalendar
from workorders.sla import calendar_for


@dataclass(frozen=True)
class Clock:
    acknowledge_minutes: int
    resolve_minutes: int
    # Once escalated, the service time each rung has before the next one hears of it.
    rung_minutes: int


CLOCKS: dict[str, Clock] = {
    Severity.CRITICAL: Clock(60, 8 * 60, 2 * 60),
    Severity.HIGH: Clock(2 * 60, 24 * 60, 4 * 60),
    Severity.NORMAL: Clock(4 * 60, 48 * 60, 8 * 60),
    Severity.LOW: Clock(8 * 60, 72 * 60, 16 * 60),
}


def clock_for(brand_id: int, severity: str) -> Clock:
    """The brand's clock for ``severity`` (ComplaintClock, in the admin), else the default above."""
    row = ComplaintClock.objects.filter(brand_id=brand_id, severity=severity).first()
    if row is None:
        return CLOCKS[severity]
    return Clock(row.acknowledge_minutes, row.resolve_minutes, row.rung_minutes)


def calendar_of(complaint) -> ServiceCalendar:
    return calendar_for(complaint.brand_id, region_id=complaint.region_id, outlet_id=complaint.outlet_id)


def due_times(complaint, *, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(acknowledge by, resolve by) of a complaint received (or reopened) at ``start``."""
    clock, calendar = clock_for(complaint.brand_id, complaint.severity), calendar_of(complaint)
    return (calendar.add_minutes(start, clock.acknowledge_minutes),
            calendar.add_minutes(start, clock.resolve_minutes))


def next_rung_at(complaint, *, now: dt.datetime) -> dt.datetime:
    """When the rung a complaint was just moved to runs out, unless it is resolved first: its rung's time, and
    never before the resolve-by clock."""
    later = calendar_of(complaint).add_minutes(now, clock_for(complaint.brand_id, complaint.severity).rung_minutes)
    return max(later, complaint.resolve_due) if complaint.resolve_due else later
