"""How far apart two points on the Earth are: the one great-circle (haversine) formula every caller uses.

A point is ``(latitude, longitude)`` in degrees, as floats, ints, Decimals or numeric strings (model fields).
Each caller rounds the same number its own way: the technician's check-in in whole metres (``distance_m``);
the call-out bands, the outlet nearest a site and the customer's ETA in tenths of a kilometre
(``distance_km``); the dispatcher's travel provider takes the unrounded metres (``great_circle_m``,
``great_circle_matrix_m``). Road distance is longer: the travel provider stretches these by its road
factor, and call-out bands are set with that in mind.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)
TENTH_KM = Decimal("0.1")

Point = tuple[Any, Any]  # (latitude, longitude) in degrees: float, int, Decimal or a numeric string


def great_circle_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance in metres, unrounded, between points of floats: the hot path of candidate
    ranking, so no conversions (``distance_m`` and ``distance_km`` take Decimals and strings too)."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _floats(point: Point) -> tuple[float, float]:
    return float(point[0]), float(point[1])


def distance_m(a: Point, b: Point) -> int:
    """The great-circle distance in whole metres."""
    return round(great_circle_m(_floats(a), _floats(b)))


def distance_km(a: Point, b: Point) -> Decimal:
    """The great-circle distance in kilometres to 0.1 km (half up)."""
    metres = great_circle_m(_floats(a), _floats(b))
    return Decimal(repr(metres / 1000)).quantize(TENTH_KM, rounding=ROUND_HALF_UP)


def great_circle_matrix_m(sources: Sequence[Point], destinations: Sequence[Point]):
    """``great_circle_m`` from every source to every destination at once: a numpy array [source][destination]."""
    # numpy only here: the web processes that measure one distance never load it.
    import numpy as np

    src = np.radians(np.asarray(sources, dtype=float))
    dst = np.radians(np.asarray(destinations, dtype=float))
    dp = dst[None, :, 0] - src[:, None, 0]
    dl = dst[None, :, 1] - src[:, None, 1]
    h = np.sin(dp / 2) ** 2 + np.cos(src[:, None, 0]) * np.cos(dst[None, :, 0]) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))
