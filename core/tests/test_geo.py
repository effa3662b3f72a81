"""Geocoding: the offline gazetteer's reading of addresses, and Amap's web service over real HTTP.

The Amap tests run core.geo.amap against core.geo.amap_standin on loopback, which checks the key and the
signature the way Amap does and answers in Amap's documented shape; nothing of ours is replaced.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from core import geo
from core.geo import Location, Precision
from core.geo.amap import Amap, sign
from core.geo.amap_standin import AmapStandIn
from core.geo.gazetteer import Gazetteer

WEST_LAKE_DISTRICT = (Decimal("30.259463"), Decimal("120.130194"))
HANGZHOU_CITY = (Decimal("30.246920"), Decimal("120.209789"))


@pytest.fixture
def gazetteer():
    return Gazetteer.shared()


def test_an_address_naming_city_and_district_is_placed_at_the_district_centre(gazetteer):
    found = gazetteer.geocode("浙江省杭州市西湖区文三路 90 号")
    assert found == Location(latitude=WEST_LAKE_DISTRICT[0], longitude=WEST_LAKE_DISTRICT[1],
                             precision=Precision.DISTRICT, source="gazetteer", province="浙江省", city="杭州市",
                             district="西湖区", adcode="330106")
    assert found.approximate is True


def test_short_province_and_city_names_and_municipalities_are_recognised(gazetteer):
    beijing = gazetteer.geocode("北京朝阳区建国路 88 号")
    assert (beijing.province, beijing.city, beijing.district, beijing.adcode) == (
        "北京市", "北京市", "朝阳区", "110105")
    enshi = gazetteer.geocode("湖北恩施巴东县信陵镇")
    assert (enshi.city, enshi.district) == ("恩施土家族苗族自治州", "巴东县")


def test_the_longest_name_wins_so_a_district_inside_another_name_is_not_misread(gazetteer):
    found = gazetteer.geocode("东西湖区吴家山街道")
    assert (found.city, found.district, found.adcode) == ("武汉市", "东西湖区", "420112")


def test_an_ambiguous_district_needs_the_city_or_the_hint(gazetteer):
    # 西湖区 is Hangzhou's and Nanchang's; 朝阳区 Beijing's and Changchun's.
    assert gazetteer.geocode("西湖区文三路 90 号") is None
    hinted = gazetteer.geocode("西湖区文三路 90 号", city="浙江 杭州")
    assert (hinted.city, hinted.district, hinted.precision) == ("杭州市", "西湖区", Precision.DISTRICT)
    nanchang = gazetteer.geocode("西湖区孺子路", city="江西 南昌")
    assert (nanchang.city, nanchang.adcode) == ("南昌市", "360103")


def test_without_a_district_the_city_centre_answers_and_a_road_name_is_not_taken_for_a_district(gazetteer):
    # 余杭塘路 is a road in 西湖区, not 余杭区: district short names are never matched.
    found = gazetteer.geocode("杭州市余杭塘路 88 号")
    assert (found.latitude, found.longitude) == HANGZHOU_CITY
    assert (found.precision, found.district, found.adcode) == (Precision.CITY, "", "330100")
    assert gazetteer.geocode("文三路 90 号", city="杭州").precision == Precision.CITY


def test_an_address_naming_no_place_and_no_hint_has_no_location(gazetteer):
    assert gazetteer.geocode("文三路 90 号") is None
    assert gazetteer.geocode("浙江省") is None  # a province is too coarse to price a visit by


def test_the_address_wins_over_a_hint_that_contradicts_it(gazetteer):
    found = gazetteer.geocode("上海市徐汇区虹漕路 461 号", city="浙江 杭州")
    assert (found.city, found.district) == ("上海市", "徐汇区")


def test_divisions_created_after_the_older_data_have_a_point(gazetteer):
    found = gazetteer.geocode("杭州市临平区南苑街道")
    assert (found.district, found.adcode, found.precision) == ("临平区", "330113", Precision.DISTRICT)
    assert Decimal("30.3") < found.latitude < Decimal("30.6") and Decimal("120.1") < found.longitude < Decimal("120.4")


# --- Amap ----------------------------------------------------------------------------------------------------

DOOR = "杭州市西湖区文三路 90 号"
DOOR_POINT = (120.131566, 30.278432)


@pytest.fixture
def amap():
    server = AmapStandIn(key="test-key", private_key="private-123",
                         book={DOOR: (*DOOR_POINT, "门牌号"), "杭州市文三路": (120.14, 30.277, "道路")}).start()
    yield server
    server.stop()


def _amap(server, **extra):
    return Amap({"AMAP_URL": server.url, "AMAP_KEY": "test-key", "AMAP_PRIVATE_KEY": "private-123", "TIMEOUT": 2,
                 **extra})


def test_the_signature_is_the_md5_of_the_sorted_pairs_and_the_private_key():
    params = {"output": "JSON", "key": "k1", "address": "杭州市西湖区文三路 90 号"}
    expected = hashlib.md5("address=杭州市西湖区文三路 90 号&key=k1&output=JSON".encode() + b"secret").hexdigest()
    assert sign(params, "secret") == expected


def test_amap_places_the_door_with_a_signed_request(amap):
    found = _amap(amap).geocode(DOOR, city="杭州")
    assert found == Location(latitude=Decimal("30.278432"), longitude=Decimal("120.131566"),
                             precision=Precision.EXACT, source="amap", province="浙江省", city="杭州市",
                             district="西湖区", adcode="330106")
    request = amap.log[-1].query
    assert {k: request[k] for k in ("key", "address", "city", "output")} == {
        "key": "test-key", "address": DOOR, "city": "杭州", "output": "JSON"}
    assert request["sig"] == sign({"key": "test-key", "address": DOOR, "city": "杭州", "output": "JSON"},
                                  "private-123")


def test_a_road_level_answer_is_a_street_precision(amap):
    assert _amap(amap).geocode("杭州市文三路").precision == Precision.STREET


def test_a_wrong_private_key_is_refused_by_amap_and_reported_as_a_failure(amap):
    with pytest.raises(geo.GeocodeFailed, match="INVALID_USER_SIGNATURE"):
        _amap(amap, AMAP_PRIVATE_KEY="wrong").geocode(DOOR)


def test_an_unknown_address_is_no_answer_not_a_failure(amap):
    assert _amap(amap).geocode("某地某路") is None


@pytest.mark.parametrize("mode", ["error", "garbage"])
def test_a_broken_server_is_a_failure(amap, mode):
    amap.mode = mode
    with pytest.raises(geo.GeocodeFailed):
        _amap(amap).geocode(DOOR)


def test_locate_asks_the_configured_provider_and_falls_back_to_the_gazetteer(amap, settings):
    settings.GEOCODER = {"BACKEND": "core.geo.amap.Amap", "AMAP_URL": amap.url, "AMAP_KEY": "test-key",
                         "AMAP_PRIVATE_KEY": "private-123", "TIMEOUT": 2}
    assert geo.locate(DOOR).source == "amap"
    # Not in Amap's book: the gazetteer's district centre.
    other = geo.locate("杭州市西湖区天目山路 1 号")
    assert (other.source, other.precision, other.adcode) == ("gazetteer", Precision.DISTRICT, "330106")
    amap.mode = "error"
    failed = geo.locate(DOOR)
    assert (failed.source, failed.precision, failed.latitude) == ("gazetteer", Precision.DISTRICT,
                                                                  WEST_LAKE_DISTRICT[0])


def test_locate_with_an_unreachable_provider_falls_back_in_time(settings):
    settings.GEOCODER = {"BACKEND": "core.geo.amap.Amap", "AMAP_URL": "http://127.0.0.1:9", "AMAP_KEY": "k",
                         "TIMEOUT": 1}
    assert geo.locate(DOOR).source == "gazetteer"
    assert geo.locate("   ") is None
