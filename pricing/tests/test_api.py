"""Extended warranty over HTTP: offers, selling (hotline), a unit's warranties, and the verdict in the products API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from pricing.models import ExtendedWarranty
from pricing.tests.factories import ExtensionTermFactory, PriceListFactory, TermPriceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_sale(world):
    """A +12 months purifier term priced 199.00 for everyone today; RO-500 installed 11 months ago (in warranty)."""
    today = timezone.localdate()
    price_list = PriceListFactory(brand=world.brand, valid_from=today - dt.timedelta(days=400))
    term = ExtensionTermFactory(brand=world.brand, category=world.category, name="净水器延保一年",
                                name_en="Purifier +1 year", months=12)
    TermPriceFactory(term=term, price_list=price_list, amount="199.00")
    installed = today - dt.timedelta(days=330)
    world.product.purchase_date = world.product.install_date = installed
    world.product.save()
    return term


def sell(client, product_id, body, **headers):
    return client.post(f"/api/v1/products/{product_id}/warranties", data=json.dumps(body),
                       content_type="application/json", headers=headers)


def test_offers_then_the_hotline_sells_and_the_unit_lists_it(world, api_as, on_sale):
    hotline = api_as("hotline")
    offers = hotline.get("/api/v1/warranty/offers", {"product_id": world.product.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert offers.status_code == 200
    (offer,) = offers.json()
    starts = world.product.warranty_end + dt.timedelta(days=1)
    assert (offer["term"]["id"], offer["price"], offer["starts_on"]) == (on_sale.pk, "199.00", starts.isoformat())

    resp = sell(hotline, world.product.pk, {"term_id": on_sale.pk}, **{"Idempotency-Key": "k-1"})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (body["price"], body["sold_via"], body["status"], body["starts_on"]) == (
        "199.00", "hotline", "active", starts.isoformat())
    again = sell(hotline, world.product.pk, {"term_id": on_sale.pk}, **{"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert ExtendedWarranty.objects.count() == 1

    listed = api_as("customer").get(f"/api/v1/products/{world.product.pk}/warranties")
    assert [w["id"] for w in listed.json()] == [body["id"]]
    assert hotline.get("/api/v1/warranty/offers", {"product_id": world.product.pk}).json() == []


def test_a_second_sale_is_refused_with_its_code_and_changes_nothing(world, api_as, on_sale):
    hotline = api_as("hotline")
    assert sell(hotline, world.product.pk, {"term_id": on_sale.pk}).status_code == 201
    other = ExtensionTermFactory(brand=world.brand, category=world.category, months=24)
    resp = sell(hotline, world.product.pk, {"term_id": other.pk, "price": "299.00"})
    assert (resp.status_code, resp.json()["code"]) == (409, "extended_warranty_overlap")
    assert ExtendedWarranty.objects.count() == 1


def test_a_term_that_does_not_fit_is_422_with_its_reason(world, api_as, on_sale):
    world.product.purchase_date = world.product.install_date = timezone.localdate() - dt.timedelta(days=800)
    world.product.save()
    resp = sell(api_as("hotline"), world.product.pk, {"term_id": on_sale.pk})
    assert (resp.status_code, resp.json()["code"], resp.json()["detail"]["reason"]) == (
        422, "term_does_not_fit", "warranty_ended")
    assert ExtendedWarranty.objects.count() == 0


@pytest.mark.parametrize("persona", ["other_customer", "tech_a", "manager_b", "rival_dispatcher"])
def test_another_partys_unit_is_404_everywhere(world, api_as, on_sale, persona):
    client = api_as(persona)
    for resp in (client.get("/api/v1/warranty/offers", {"product_id": world.product.pk}),
                 client.get(f"/api/v1/products/{world.product.pk}/warranties"),
                 sell(client, world.product.pk, {"term_id": on_sale.pk})):
        assert (resp.status_code, resp.json()["code"]) == (404, "not_found")
    assert ExtendedWarranty.objects.count() == 0


def test_another_brands_term_is_404(world, api_as, on_sale):
    rival_term = ExtensionTermFactory(brand=world.other_brand)
    resp = sell(api_as("hotline"), world.product.pk, {"term_id": rival_term.pk, "price": "1.00"})
    assert (resp.status_code, resp.json()["code"]) == (404, "not_found")
    assert ExtendedWarranty.objects.count() == 0


def test_the_products_api_shows_the_verdict_of_the_extension_without_a_special_case(world, api_as, on_sale):
    assert sell(api_as("hotline"), world.product.pk, {"term_id": on_sale.pk}).status_code == 201
    # The base warranty ended: move the unit's dates back a year.
    world.product.purchase_date = world.product.install_date = timezone.localdate() - dt.timedelta(days=400)
    world.product.save()
    ExtendedWarranty.objects.update(starts_on=world.product.warranty_end + dt.timedelta(days=1))
    resp = api_as("customer").get(f"/api/v1/customers/products/{world.product.pk}", HTTP_ACCEPT_LANGUAGE="en")
    warranty = resp.json()["warranty"]
    ends = ExtendedWarranty.objects.get().ends_on
    assert warranty == {"covered": True, "code": "extended_warranty", "until": ends.isoformat(),
                        "reason": f"Covered by extended warranty until {ends.isoformat()}"}
