"""``{% site_pin site action %}``: where a site is, and a picker to pin it by hand (core/site_pin.html, js/pin.js).

The picker needs nothing from the internet: without ``MAP_TILE_URL`` it draws a kilometre grid around the
site's point (or its service region's centre while it has none), where the pin is dragged or the
coordinates typed (a location the customer shares from their phone); with tiles configured the grid lies
over them.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from core.geo import APPROXIMATE, Precision

register = template.Library()


@register.simple_tag
def site_location(site) -> dict[str, Any]:
    """Whether the site has a point, and how good it is, for core/site_location.html."""
    located = site.latitude is not None and site.longitude is not None
    return {"located": located, "approximate": located and site.geo_precision in APPROXIMATE,
            "precision": Precision(site.geo_precision).label if site.geo_precision in Precision.values else ""}


@register.inclusion_tag("core/site_pin.html", takes_context=True)
def site_pin(context, site, action: str, target: str = "", next_url: str = "",
             customer: bool = False) -> dict[str, Any]:
    """``customer``: worded for the customer (the portal), not for staff."""
    located = site.latitude is not None and site.longitude is not None
    region = site.region if site.region_id else None
    if located:
        centre = (site.latitude, site.longitude)
    elif region is not None:
        centre = (region.latitude, region.longitude)
    else:
        centre = None
    return {
        "site": site, "action": action, "target": target, "next_url": next_url, "located": located,
        "customer": customer,
        "precision": Precision(site.geo_precision).label if site.geo_precision in Precision.values else "",
        "approximate": located and site.geo_precision in APPROXIMATE,
        "centre": centre, "tile_url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION,
        "csrf_token": context.get("csrf_token", ""),
    }
