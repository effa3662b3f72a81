"""Sites through the API: located on creation, located again on a new address, pinned by hand."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def send(client, method, url, body):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_a_site_created_through_the_api_is_located_and_says_how(world, api_as):
    client = api_as("dispatcher")
    resp = send(client, "post", f"/api/v1/customers/{world.customer.pk}/sites",
                {"name": "店", "address": "滨江区江南大道 88 号", "region_id": world.region.pk})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert {k: body[k] for k in ("latitude", "longitude", "geo_precision", "geo_source", "geo_adcode")} == {
        "latitude": 30.208847, "longitude": 120.211623, "geo_precision": "district", "geo_source": "gazetteer",
        "geo_adcode": "330108"}

    moved = send(client, "patch", f"/api/v1/customers/sites/{body['id']}", {"address": "上海市徐汇区虹漕路 461 号"})
    assert moved.status_code == 200, moved.content
    assert (moved.json()["geo_adcode"], moved.json()["geo_precision"]) == ("310104", "district")

    pinned = send(client, "post", f"/api/v1/customers/sites/{body['id']}/pin", {"latitude": 31.17, "longitude": 121.43})
    assert pinned.status_code == 200, pinned.content
    assert {k: pinned.json()[k] for k in ("latitude", "longitude", "geo_precision", "geo_source")} == {
        "latitude": 31.17, "longitude": 121.43, "geo_precision": "pin", "geo_source": "pin"}


def test_a_customer_pins_their_own_site_but_not_anothers_and_outsiders_may_not(world, api_as):
    own, other = world.product.site, world.other_product.site
    assert send(api_as("customer"), "post", f"/api/v1/customers/sites/{own.pk}/pin",
                {"latitude": 30.1, "longitude": 120.1}).status_code == 200
    assert send(api_as("customer"), "post", f"/api/v1/customers/sites/{other.pk}/pin",
                {"latitude": 30.1, "longitude": 120.1}).status_code == 404
    assert send(api_as("analyst"), "post", f"/api/v1/customers/sites/{own.pk}/pin",
                {"latitude": 30.2, "longitude": 120.2}).status_code == 403
    assert send(api_as("dispatcher"), "post", f"/api/v1/customers/sites/{own.pk}/pin",
                {"latitude": 91, "longitude": 120.2}).status_code == 422
    own.refresh_from_db()
    assert (str(own.latitude), str(own.longitude), own.geo_precision) == ("30.100000", "120.100000", "pin")
