"""Map links and positions: plain functions, no database."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from core.errors import InvalidInput
from field.geo import position
from field.navigation import map_links


def test_links_to_every_map_app_with_coordinates():
    links = {link.key: link.url for link in map_links(name="张女士家", address="西湖区文三路 1 号",
                                                       latitude=Decimal("30.280000"), longitude=Decimal("120.130000"))}
    assert list(links) == ["amap", "baidu", "tencent", "apple", "geo"]
    amap = parse_qs(urlsplit(links["amap"]).query)
    assert links["amap"].startswith("https://uri.amap.com/navigation?")
    assert amap["to"] == ["120.130000,30.280000,张女士家"] and amap["callnative"] == ["1"]  # Amap: lon first
    baidu = parse_qs(urlsplit(links["baidu"]).query)
    assert baidu["destination"] == ["latlng:30.280000,120.130000|name:张女士家"]
    assert baidu["coord_type"] == ["gcj02"] and baidu["src"] == ["aftersales"]
    tencent = parse_qs(urlsplit(links["tencent"]).query)
    assert tencent["tocoord"] == ["30.280000,120.130000"] and tencent["type"] == ["drive"]
    assert parse_qs(urlsplit(links["apple"]).query)["daddr"] == ["30.280000,120.130000"]
    assert links["geo"].startswith("geo:30.280000,120.130000?q=")


def test_links_search_the_address_without_coordinates():
    links = {link.key: link.url for link in map_links(name="", address="杭州市西湖区文三路 1 号", latitude=None,
                                                       longitude=None)}
    assert parse_qs(urlsplit(links["amap"]).query)["keyword"] == ["杭州市西湖区文三路 1 号"]
    assert parse_qs(urlsplit(links["baidu"]).query)["address"] == ["杭州市西湖区文三路 1 号"]
    assert links["geo"].startswith("geo:0,0?q=")


@pytest.mark.parametrize("lat, lon, field", [(91, 0, "latitude"), (0, 181, "longitude"), ("x", 0, "latitude"),
                                             (float("nan"), 0, "latitude"), (True, 0, "latitude")])
def test_a_position_off_the_earth_is_refused(lat, lon, field):
    with pytest.raises(InvalidInput) as refused:
        position(lat, lon)
    assert refused.value.field == field


def test_no_position_is_no_position():
    assert position(None, None) is None
    where = position(30.1234567, 120.7654321, 12.2)
    assert (where.latitude, where.longitude, where.accuracy_m) == (Decimal("30.123457"), Decimal("120.765432"), 13)
