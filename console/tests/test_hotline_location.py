"""A site typed at the hotline is located, priced from its district, and its pin can be corrected (real HTTP)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from accounts.principal import principal_of
from customers.models import Customer
from customers.services import register_product
from workorders.tests.factories import make_order
from workorders.tests.intake_setup import prepare_intake

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return prepare_intake(world)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def new_caller(w, address: str) -> Customer:
    resp = client_for(w.hotline).post("/console/hotline/callers/new/", {
        "new-name": "王小明", "new-phone": "137 0000 1234", "new-kind": "household", "new-segment": "value",
        "new-site_name": "家", "new-address": address, "new-region": w.region.pk, "new-contact_name": "",
        "new-contact_phone": ""}, **HX)
    assert resp.status_code == 200, resp.content.decode()
    return Customer.objects.get(name="王小明")


def estimate_of(w, customer) -> str:
    site = customer.sites.get()
    unit = register_product(actor=principal_of(w.hotline), customer=customer, serial="SN-NEW-1",
                            product_model=w.model, site=site, purchase_date=None, install_date=None)
    resp = client_for(w.hotline).get(f"/console/hotline/callers/{customer.pk}/preview/",
                                     {"request-product": unit.pk, "request-service_type": "repair"}, **HX)
    assert resp.status_code == 200
    return resp.content.decode()


def test_a_new_callers_address_is_located_at_its_district_and_the_call_out_priced_approximately(w):
    customer = new_caller(w, "西湖区文三路 100 号")
    site = customer.sites.get()
    # The region (杭州) decides which 西湖区.
    assert (site.latitude, site.longitude, site.geo_precision, site.geo_adcode) == (
        Decimal("30.259463"), Decimal("120.130194"), "district", "330106")
    body = estimate_of(w, customer)
    assert "Call-out fee, about" in body and "(the address is located only roughly)" in body
    assert 'id="callout-approximate"' in body and "to be confirmed" not in body


def test_an_address_naming_no_district_in_an_unknown_city_is_to_be_confirmed_until_pinned(w):
    w.region.name = "Region X"  # a region the gazetteer does not know: nothing places the address
    w.region.save()
    customer = new_caller(w, "文三路 100 号")
    site = customer.sites.get()
    assert (site.latitude, site.geo_precision) == (None, "")
    body = estimate_of(w, customer)
    assert "Call-out fee: to be confirmed (the address has not been located yet)" in body
    assert 'id="callout-to-confirm"' in body and "plus the call-out fee, to be confirmed" in body

    panel = client_for(w.hotline).get(f"/console/hotline/callers/{customer.pk}/", **EN).content.decode()
    assert "not located" in panel and "Pin the location on the map" in panel

    resp = client_for(w.hotline).post(f"/console/hotline/callers/{customer.pk}/sites/{site.pk}/pin/",
                                      {"latitude": "30.279000", "longitude": "120.130000"}, **HX)
    assert resp.status_code == 200
    assert 'id="site-pinned"' in resp.content.decode()
    site.refresh_from_db()
    assert (site.latitude, site.longitude, site.geo_precision, site.geo_source) == (
        Decimal("30.279000"), Decimal("120.130000"), "pin", "pin")
    body = estimate_of_existing(w, customer)
    assert "Call-out fee, " in body and "to be confirmed" not in body and "roughly" not in body


def estimate_of_existing(w, customer) -> str:
    unit = customer.products.get()
    return client_for(w.hotline).get(f"/console/hotline/callers/{customer.pk}/preview/",
                                     {"request-product": unit.pk, "request-service_type": "repair"},
                                     **HX).content.decode()


def test_a_pin_refused_changes_nothing_and_another_customers_site_is_not_found(w):
    site = w.product.site
    site.refresh_from_db()
    before = (site.latitude, site.longitude, site.geo_precision)
    agent = client_for(w.hotline)
    resp = agent.post(f"/console/hotline/callers/{w.customer.pk}/sites/{site.pk}/pin/",
                      {"latitude": "95", "longitude": "120"}, **HX)
    assert resp.status_code == 422 and "Choose a point on the map." in resp.content.decode()
    other = w.other_product.site
    assert agent.post(f"/console/hotline/callers/{w.customer.pk}/sites/{other.pk}/pin/",
                      {"latitude": "30", "longitude": "120"}, **HX).status_code == 404
    site.refresh_from_db()
    assert (site.latitude, site.longitude, site.geo_precision) == before


def test_the_order_page_shows_the_sites_location_and_lets_the_desk_pin_it_but_not_an_outlet(w):
    order = make_order(w)
    desk = client_for(w.dispatcher)
    page = desk.get(f"/console/orders/{order.pk}/", **EN).content.decode()
    assert 'class="site-pin"' in page and "Correct the location on the map" in page
    resp = desk.post(f"/console/orders/{order.pk}/site-pin/", {"latitude": "30.2901", "longitude": "120.1402"})
    assert resp.status_code == 302 and resp["Location"] == f"/console/orders/{order.pk}/"
    order.site.refresh_from_db()
    assert (order.site.latitude, order.site.geo_precision) == (Decimal("30.290100"), "pin")

    order.outlet = w.outlet_a
    order.save(update_fields=["outlet"])
    manager = client_for(w.manager_a)
    page = manager.get(f"/console/orders/{order.pk}/", **EN).content.decode()
    assert 'class="site-location"' in page and 'class="site-pin"' not in page
    assert manager.post(f"/console/orders/{order.pk}/site-pin/",
                        {"latitude": "30", "longitude": "120"}).status_code == 403
    order.site.refresh_from_db()
    assert order.site.latitude == Decimal("30.290100")
