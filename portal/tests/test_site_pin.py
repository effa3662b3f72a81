"""The customer marks where their home is, from the product page (customers.services.pin_site)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def as_customer(world, customer=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login((customer or world.customer).user)
    return client


def test_the_customer_pins_their_home_from_the_product_page(world):
    client = as_customer(world)
    page = client.get(f"/portal/acme/products/{world.product.pk}/").content.decode()
    assert 'class="site-pin"' in page and "Drag the pin or tap where your home is" in page
    resp = client.post(f"/portal/acme/products/{world.product.pk}/site-pin/",
                       {"latitude": "30.281000", "longitude": "120.133000"})
    assert (resp.status_code, resp["Location"]) == (302, f"/portal/acme/products/{world.product.pk}/")
    site = world.product.site
    site.refresh_from_db()
    assert (site.latitude, site.longitude, site.geo_precision, site.geo_source) == (
        Decimal("30.281000"), Decimal("120.133000"), "pin", "pin")
    assert "Thank you: we will come to the place you marked." in client.get(resp["Location"]).content.decode()


def test_another_customers_product_is_not_found_and_nothing_changes(world):
    site = world.other_product.site
    site.refresh_from_db()
    before = (site.latitude, site.longitude, site.geo_precision)
    resp = as_customer(world).post(f"/portal/acme/products/{world.other_product.pk}/site-pin/",
                                   {"latitude": "30", "longitude": "120"})
    assert resp.status_code == 404
    site.refresh_from_db()
    assert (site.latitude, site.longitude, site.geo_precision) == before


def test_a_point_off_the_map_is_refused_with_a_message(world):
    client = as_customer(world)
    resp = client.post(f"/portal/acme/products/{world.product.pk}/site-pin/", {"latitude": "x", "longitude": "1"},
                       follow=True)
    assert "Choose a point on the map." in resp.content.decode()
    world.product.site.refresh_from_db()
    assert world.product.site.geo_precision == ""
