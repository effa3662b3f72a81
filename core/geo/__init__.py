"""Where an address is: a geocoder behind a backend chosen in settings (``GEOCODER``), with an offline fallback.

- ``core.geo.gazetteer.Gazetteer`` (the default, offline): recognises the province, city and district in
  the address text from China's administrative divisions (``core/data/gazetteer.tsv``) and answers the
  district's point (or the city's when no district is named), with that precision.
- ``core.geo.amap.Amap``: Amap's web-service geocoder (``/v3/geocode/geo``, with the optional ``sig``), which
  places the address itself. When it fails (down, slow, a refused key, no match) the gazetteer answers.

Points are GCJ-02, as Chinese web maps give and take them (field/navigation.py). Every place that creates
or edits a site calls ``locate`` through customers.services; a pin on the map overrides it (precision "pin").
"""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from core.geo.gazetteer import Gazetteer
from core.geo.location import APPROXIMATE, GeocodeFailed, Location, Precision, point

__all__ = ["APPROXIMATE", "GeocodeFailed", "Location", "Precision", "geocoder", "locate", "offline", "point"]

log = logging.getLogger("aftersales.geo")


class Geocoder(Protocol):
    name: str

    def geocode(self, address: str, *, city: str = "") -> Location | None:
        """The address's point, or None when it cannot be placed. ``city`` narrows the search (a hint).

        Raises GeocodeFailed when the provider could not answer at all.
        """
        ...


DEFAULTS: dict[str, Any] = {
    "BACKEND": "core.geo.gazetteer.Gazetteer",
    "AMAP_URL": "https://restapi.amap.com",
    "AMAP_KEY": "",
    "AMAP_PRIVATE_KEY": "",  # the key's private key when digital signatures are on: then every request has sig
    "TIMEOUT": 3.0,  # seconds
}


def config() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "GEOCODER", {})}


@cache
def _build(frozen: str) -> Geocoder:
    cfg = json.loads(frozen)
    return import_string(cfg["BACKEND"])(cfg)


def geocoder() -> Geocoder:
    """The configured geocoder (built once per configuration)."""
    return _build(json.dumps(config(), sort_keys=True, default=str))


def offline() -> Geocoder:
    return Gazetteer.shared()


def locate(address: str, *, city: str = "") -> Location | None:
    """Place an address: the configured geocoder, the offline gazetteer when that fails or finds nothing."""
    address = " ".join((address or "").split())
    if not address:
        return None
    provider = geocoder()
    if provider.name != "gazetteer":
        try:
            found = provider.geocode(address, city=city)
        except GeocodeFailed as failure:
            log.warning("geocoder %s failed, the gazetteer answers instead: %s", provider.name, failure)
        else:
            if found is not None:
                return found
    return offline().geocode(address, city=city)
