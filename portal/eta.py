"""When the technician should arrive: the dispatcher's travel time for the trip (dispatch.travel), rounded up.

The trip starts at the technician's last position reported by the app since they pressed "on my way"
(network.Technician.position_since), from the moment it was reported; without one, where they set off
from (their home base when it is on file, else their outlet) at the time they pressed "on my way".
Its length is ``dispatch.travel.trip_seconds``, the one travel time the dispatcher's plan uses too (OSRM
when configured, else its straight line with the region's speeds, parking included), so the customer is
never promised a time the plan does not hold. Shown rounded up to the next 5 minutes: a promise, not a
stopwatch.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dispatch import travel

ROUND_TO_MINUTES = 5


def round_up(moment: dt.datetime, minutes: int = ROUND_TO_MINUTES) -> dt.datetime:
    moment = moment.replace(second=0, microsecond=0) + (dt.timedelta(minutes=1) if moment.second
                                                        or moment.microsecond else dt.timedelta())
    extra = (-moment.minute) % minutes
    return moment + dt.timedelta(minutes=extra)


def eta(*, departed_at: dt.datetime, origin: tuple[Decimal, Decimal] | None,
        destination: tuple[Decimal, Decimal] | None, region: str = "") -> dt.datetime | None:
    """The arrival time, or None when either end has no coordinates. ``region`` is the region's code (its
    town speed)."""
    if origin is None or destination is None or None in (*origin, *destination):
        return None
    seconds = travel.trip_seconds((float(origin[0]), float(origin[1])),
                                  (float(destination[0]), float(destination[1])), region=region)
    return round_up(departed_at + dt.timedelta(seconds=seconds))
