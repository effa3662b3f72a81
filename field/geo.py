"""Positions the phone reports and how far they are from the site. Plain data, no database."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput

EARTH_RADIUS_M = 6_371_008.8
# A check-in farther than this from the site's coordinates is shown to the dispatcher.
FAR_FROM_SITE_M = 500
MAX_ACCURACY_M = 100_000
MICRO = Decimal("0.000001")


@dataclass(frozen=True)
class Position:
    latitude: Decimal
    longitude: Decimal
    accuracy_m: int | None = None


def _coordinate(value, low: int, high: int, field: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise InvalidInput(_("Give the position as numbers."), field=field)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Give the position as numbers."), field=field) from None
    if not number.is_finite() or not low <= number <= high:
        raise InvalidInput(_("This position is not on Earth."), field=field)
    return number.quantize(MICRO, rounding=ROUND_HALF_UP)


def position(latitude, longitude, accuracy=None) -> Position | None:
    """A checked position, or None when the phone gave none (the technician did not allow it)."""
    if latitude is None and longitude is None:
        return None
    lat = _coordinate(latitude, -90, 90, "latitude")
    lon = _coordinate(longitude, -180, 180, "longitude")
    acc = None
    if accuracy is not None:
        try:
            acc = math.ceil(float(accuracy))
        except (TypeError, ValueError):
            raise InvalidInput(_("Give the accuracy in metres."), field="accuracy") from None
        if not 0 <= acc <= MAX_ACCURACY_M:
            raise InvalidInput(_("Give the accuracy in metres."), field="accuracy")
    return Position(lat, lon, acc)


def distance_m(lat1, lon1, lat2, lon2) -> int:
    """Great-circle distance in whole metres (haversine)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h))))
