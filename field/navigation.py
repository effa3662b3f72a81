"""Links that open the technician's map app with directions to the site. Plain data, no database.

Chinese map apps work in GCJ-02 coordinates, which is what the sites' coordinates are kept in (they are
picked on those maps), so Baidu is told ``coord_type=gcj02``. Each link is the app's documented URI:
Amap's web URI (it hands over to the app when installed, else shows the web map), Baidu's and Tencent's
app schemes, Apple Maps (an https link iOS opens in the app), and ``geo:`` for any other Android map.
Without coordinates, each app is asked to search for the address instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote, urlencode

from django.utils.translation import gettext_lazy as _

SOURCE = "aftersales"


@dataclass(frozen=True)
class MapLink:
    key: str
    label: object
    url: str


def _q(params: dict) -> str:
    return urlencode(params, quote_via=quote, safe=",:|")


def map_links(*, name: str, address: str, latitude: Decimal | None, longitude: Decimal | None) -> list[MapLink]:
    label = (name or address or "").strip()[:60]
    if latitude is not None and longitude is not None:
        lat, lon = f"{Decimal(latitude):f}", f"{Decimal(longitude):f}"
        links = [
            ("amap", _("Amap"), "https://uri.amap.com/navigation?" + _q(
                {"to": f"{lon},{lat},{label}", "mode": "car", "coordinate": "gaode", "callnative": 1,
                 "src": SOURCE})),
            ("baidu", _("Baidu Maps"), "baidumap://map/direction?" + _q(
                {"destination": f"latlng:{lat},{lon}|name:{label}", "coord_type": "gcj02", "mode": "driving",
                 "src": SOURCE})),
            ("tencent", _("Tencent Maps"), "qqmap://map/routeplan?" + _q(
                {"type": "drive", "to": label, "tocoord": f"{lat},{lon}", "referer": SOURCE})),
            ("apple", _("Apple Maps"), "https://maps.apple.com/?" + _q(
                {"daddr": f"{lat},{lon}", "q": label, "dirflg": "d"})),
            ("geo", _("Other map app"), f"geo:{lat},{lon}?" + _q({"q": f"{lat},{lon}({label})"})),
        ]
    else:
        where = (address or name or "").strip()
        links = [
            ("amap", _("Amap"), "https://uri.amap.com/search?" + _q(
                {"keyword": where, "callnative": 1, "src": SOURCE})),
            ("baidu", _("Baidu Maps"), "baidumap://map/geocoder?" + _q({"address": where, "src": SOURCE})),
            ("tencent", _("Tencent Maps"), "qqmap://map/search?" + _q({"keyword": where, "referer": SOURCE})),
            ("apple", _("Apple Maps"), "https://maps.apple.com/?" + _q({"daddr": where, "dirflg": "d"})),
            ("geo", _("Other map app"), "geo:0,0?" + _q({"q": where})),
        ]
    return [MapLink(key, label_, url) for key, label_, url in links]
