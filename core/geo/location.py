"""What a geocoder answers: a point, how close it is to the door, and where it lies (core.geo)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

COORD = Decimal("0.000001")


class Precision(models.TextChoices):
    """How close a site's point is to the door, best first."""

    PIN = "pin", _("pinned on the map")
    EXACT = "exact", _("exact address")
    STREET = "street", _("street or village")
    DISTRICT = "district", _("district centre")
    CITY = "city", _("city centre")


# Prices and ETAs from these points are approximate: the customer is told so.
APPROXIMATE = frozenset({Precision.STREET, Precision.DISTRICT, Precision.CITY})


class GeocodeFailed(Exception):
    """The provider gave no usable answer (unreachable, refused, malformed)."""


@dataclass(frozen=True)
class Location:
    latitude: Decimal
    longitude: Decimal
    precision: str  # a Precision
    source: str  # "gazetteer", "amap", "pin", ...
    province: str = ""
    city: str = ""
    district: str = ""
    adcode: str = ""

    @property
    def approximate(self) -> bool:
        return self.precision in APPROXIMATE


def point(value: Any) -> Decimal:
    """A coordinate to six places (about 0.1 m), as the columns keep them."""
    return Decimal(str(value)).quantize(COORD)
