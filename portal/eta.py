"""When the technician should arrive: straight-line distance, stretched to a road distance, at a city speed.

The trip starts at the technician's last position reported by the app since they pressed "on my way"
(network.Technician.position_since), from the moment it was reported; without one, where they set off
from (their home base when it is on file, else their outlet) at the time they pressed "on my way".

- ROAD_FACTOR 1.4: road distance over straight-line distance ("circuity") in Chinese cities runs about
  1.3-1.45 in published measurements; 1.4 errs towards arriving on or before the time shown.
- CITY_SPEED_KMH 25: door-to-door average speed of a car or e-scooter in a big Chinese city's daytime
  traffic (navigation providers' reports put peak hours at 20-30 km/h).
- PARKING_MINUTES 5: finding a place to stop and reaching the door.
Shown rounded up to the next 5 minutes: a promise, not a stopwatch.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from pricing.engine import haversine_km

ROAD_FACTOR = Decimal("1.4")
CITY_SPEED_KMH = Decimal("25")
PARKING_MINUTES = 5
ROUND_TO_MINUTES = 5


def travel_minutes(distance_km: Decimal) -> int:
    road_km = distance_km * ROAD_FACTOR
    return math.ceil(road_km / CITY_SPEED_KMH * 60) + PARKING_MINUTES


def round_up(moment: dt.datetime, minutes: int = ROUND_TO_MINUTES) -> dt.datetime:
    moment = moment.replace(second=0, microsecond=0) + (dt.timedelta(minutes=1) if moment.second
                                                        or moment.microsecond else dt.timedelta())
    extra = (-moment.minute) % minutes
    return moment + dt.timedelta(minutes=extra)


def eta(*, departed_at: dt.datetime, origin: tuple[Decimal, Decimal] | None,
        destination: tuple[Decimal, Decimal] | None) -> dt.datetime | None:
    """The arrival time, or None when either end has no coordinates."""
    if origin is None or destination is None or None in (*origin, *destination):
        return None
    distance = haversine_km(origin[0], origin[1], destination[0], destination[1])
    return round_up(departed_at + dt.timedelta(minutes=travel_minutes(distance)))
