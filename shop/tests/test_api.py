"""The shop's API: offers only for the caller's units (another's product is a 404), an order with an
Idempotency-Key placed once, and the lists scoped to the caller."""

from __future__ import annotations

import pytest

from accounts.principal import principal_of
from shop import services
from shop.choices import LineKind
from shop.models import ShopOrder
from shop.tests.factories import snapshot

pytestmark = pytest.mark.django_db


def test_offers_for_my_unit_and_404_for_anothers(shop, api_as):
    client = api_as("customer")
    got = client.get("/api/v1/shop/offers", {"product_id": shop.product.pk})
    assert got.status_code == 200
    parts = [(o["id"], o["price"], o["in_stock"]) for o in got.json()["offers"] if o["kind"] == "part"]
    assert parts == [(shop.filter.pk, "39.00", True), (shop.membrane.pk, "299.00", True)]
    assert shop.big_filter.pk not in {o["id"] for o in got.json()["offers"] if o["kind"] == "part"}
    foreign = client.get("/api/v1/shop/offers", {"product_id": shop.other_product.pk})
    assert (foreign.status_code, foreign.json()["code"]) == (404, "not_found")
    rival = api_as("rival_dispatcher").get("/api/v1/shop/offers", {"product_id": shop.product.pk})
    assert rival.status_code == 404


def test_an_order_with_an_idempotency_key_is_placed_once(shop, api_as):
    client = api_as("customer")
    body = {"product_id": shop.product.pk, "items": [{"kind": "part", "id": shop.filter.pk, "quantity": 2}]}
    first = client.post("/api/v1/shop/orders", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/shop/orders", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["total"] == "78.00" and first.json()["status"] == "awaiting"
    assert ShopOrder.objects.count() == 1
    other = client.post("/api/v1/shop/orders", {**body, "items": [{"kind": "part", "id": shop.filter.pk}]},
                        content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422 and ShopOrder.objects.count() == 1


def test_an_order_for_anothers_unit_is_404_and_writes_nothing(shop, api_as):
    before = snapshot()
    body = {"product_id": shop.other_product.pk, "items": [{"kind": "part", "id": shop.filter.pk}]}
    got = api_as("customer").post("/api/v1/shop/orders", body, content_type="application/json")
    assert got.status_code == 404
    assert snapshot() == before


def test_the_lists_are_scoped(shop, api_as):
    mine = services.place_order(actor=principal_of(shop.customer.user), customer=shop.customer, product=shop.product,
                                items=[services.Item(LineKind.PART, shop.filter.pk, 1)])
    assert [o["id"] for o in api_as("customer").get("/api/v1/shop/orders").json()["items"]] == [mine.pk]
    assert api_as("other_customer").get("/api/v1/shop/orders").json()["items"] == []
    assert api_as("manager_a").get("/api/v1/shop/orders").json()["items"] == []
    assert [o["id"] for o in api_as("dispatcher").get("/api/v1/shop/orders").json()["items"]] == [mine.pk]
    assert api_as("other_customer").get(f"/api/v1/shop/orders/{mine.pk}").status_code == 404


def test_staff_fulfil_through_the_api(shop, api_as):
    order = services.place_order(actor=principal_of(shop.customer.user), customer=shop.customer,
                                 product=shop.product, items=[services.Item(LineKind.PART, shop.filter.pk, 1)])
    desk = api_as("dispatcher")
    refused = api_as("customer").post(f"/api/v1/shop/orders/{order.pk}/payments",
                                      {"method": "cash", "amount": "39.00"}, content_type="application/json")
    assert refused.status_code == 403
    paid = desk.post(f"/api/v1/shop/orders/{order.pk}/payments", {"method": "cash", "amount": "39.00"},
                     content_type="application/json")
    assert paid.json()["status"] == "paid"
    shipped = desk.post(f"/api/v1/shop/orders/{order.pk}/fulfil", {"action": "ship", "waybill": "SF100200300"},
                        content_type="application/json")
    assert (shipped.json()["status"], shipped.json()["waybill"]) == ("fulfilling", "SF100200300")
    wrong = desk.post(f"/api/v1/shop/orders/{order.pk}/fulfil", {"action": "installed"},
                      content_type="application/json")
    assert wrong.status_code == 409
