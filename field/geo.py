"""Positions the phone reports and how far they are from the site. Plain data, no database."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput

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


def distance_text(metres: int | None) -> str:
    """A distance as people say it: 850 m under a kilometre, 18.0 km from one (never "17995 m")."""
    if metres is None:
        return ""
    if metres < 1000:
        return str(_("%(m)s m") % {"m": metres})
    km = (Decimal(metres) / 1000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(_("%(km)s km") % {"km": km})
