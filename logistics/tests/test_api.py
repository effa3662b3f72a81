"""Mail-in repair over the API: the bench's steps as the centre's desk takes them, the customer's view and answer,
and who may see or do what (another outlet's desk, another customer, an order that is not mail-in: 404)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import token_client
from customers.tests.factories import InstalledProductFactory
from logistics.choices import Hop
from logistics.models import MailIn
from logistics.tests.setup import book, collected_and_arrived, prepare_mail_in
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return prepare_mail_in(world)


def url(case: MailIn, step: str) -> str:
    return f"/api/v1/workorders/{case.work_order_id}/{step}"


def post(client, path: str, body: dict | None = None):
    return client.post(path, data=body or {}, content_type="application/json")


def test_the_bench_walks_an_out_of_warranty_unit_and_the_customer_approves(w):
    old = InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model, serial="SN-OLD-2",
                                  purchase_date=dt.date(2020, 1, 5), install_date=dt.date(2020, 1, 10))
    case = collected_and_arrived(w, book(w, product=old))
    desk, customer = token_client(w.bench), token_client(w.customer.user)

    got = post(desk, url(case, "receive"), {"serial": "SN-OLD-2", "condition": "完好", "accessories": ["电源线"]})
    assert got.status_code == 200 and got.json()["hop"] == "received" and got.json()["serial_matches"] is True
    got = post(desk, url(case, "diagnose"), {"finding": "增压泵损坏", "parts": [{"code": "booster-pump"}]})
    assert got.json()["hop"] == "diagnosed"
    refused = post(desk, url(case, "repair"), {"parts": [{"code": "booster-pump", "quantity": 1}]})
    assert refused.status_code == 409 and refused.json()["code"] == "illegal_transition"
    got = post(desk, url(case, "quote"))
    assert (got.json()["hop"], got.json()["quote_total"]) == ("quoted", "350.00")

    assert post(token_client(w.other_customer.user), url(case, "quote/approve")).status_code == 404
    got = post(customer, url(case, "quote/approve"))
    assert (got.status_code, got.json()["hop"], got.json()["charge_total"]) == (200, "approved", "350.00")
    again = post(customer, url(case, "quote/decline"))
    assert again.status_code == 409

    got = post(desk, url(case, "repair"), {"parts": [{"code": "booster-pump", "quantity": 1}]})
    assert got.json()["hop"] == "repaired"
    early = post(desk, url(case, "ship"))
    assert early.status_code == 409
    got = post(desk, url(case, "qc"), {"checks": {"powers_on": True}})
    assert got.json()["hop"] == "repaired"  # not every point ticked: failed, still at the bench
    got = post(desk, url(case, "qc"), {"checks": {p: True for p in (
        "powers_on", "fault_gone", "no_leak", "clean", "accessories_packed", "serial_checked")}})
    assert got.json()["hop"] == "qc_passed"
    shipped = post(desk, url(case, "ship"))
    assert shipped.status_code == 201 and shipped.json()["direction"] == "outbound"
    got = post(desk, url(case, "waybill"), {"direction": "outbound", "waybill": "SF2000000000009"})
    assert got.status_code == 200 and got.json()["waybill"] == "SF2000000000009"

    case.refresh_from_db()
    assert case.hop == Hop.SHIPPED and case.charge_total == Decimal("350.00")
    parcels = customer.get(url(case, "shipments")).json()
    assert {p["courier"] for p in parcels} == {"manual"}
    assert [(p["direction"], p["waybill"]) for p in parcels] == [("inbound", "SF1000000000001"),
                                                                ("outbound", "SF2000000000009")]
    assert [e["stage"] for e in parcels[0]["route"]] == ["collected", "delivered"]


def test_the_customer_sees_their_hops_but_not_the_benchs_own_notes(w):
    case = collected_and_arrived(w, book(w))
    desk = token_client(w.bench)
    post(desk, url(case, "receive"), {"serial": "SN-A-0001"})
    post(desk, url(case, "diagnose"), {"finding": "进水阀卡滞"})
    post(desk, url(case, "repair"), {"note": "清洗"})
    post(desk, url(case, "qc"), {"checks": {"powers_on": True}, "note": "仍有渗水"})  # failed: the bench's note

    seen_by_customer = token_client(w.customer.user).get(url(case, "mail-in")).json()
    seen_by_desk = desk.get(url(case, "mail-in")).json()
    assert [s["hop"] for s in seen_by_customer["steps"]] == [
        "pickup_booked", "collected", "arrived", "received", "diagnosed", "repaired"]
    assert [s["hop"] for s in seen_by_desk["steps"]][-1] == "repaired"
    assert len(seen_by_desk["steps"]) == len(seen_by_customer["steps"]) + 1
    assert seen_by_customer["steps"][1]["label"] and seen_by_customer["hop_label"]


def test_outsiders_get_404_and_change_nothing(w):
    case = collected_and_arrived(w, book(w))
    for outsider in (w.manager_a, w.other_customer.user, w.rival_dispatcher):
        client = token_client(outsider)
        assert client.get(url(case, "mail-in")).status_code == 404
        got = post(client, url(case, "receive"), {"serial": "SN-A-0001"})
        assert got.status_code == 404 and got.json()["code"] == "not_found"
    case.refresh_from_db()
    assert case.hop == Hop.ARRIVED
    # The brand's dispatcher sees the case but may not work the bench.
    dispatcher = token_client(w.dispatcher)
    assert dispatcher.get(url(case, "mail-in")).status_code == 200
    assert post(dispatcher, url(case, "receive"), {"serial": "SN-A-0001"}).status_code == 403


def test_an_order_that_is_not_mail_in_has_no_case(w):
    visit = make_order(w)
    got = token_client(w.dispatcher).get(f"/api/v1/workorders/{visit.pk}/mail-in")
    assert got.status_code == 404 and got.json()["code"] == "not_found"


def test_booking_through_the_requests_api_with_a_pickup_window(w):
    client = token_client(w.customer.user)
    preview = client.get(f"/api/v1/workorders/intake/products/{w.product.pk}", {"service_type": "mail_in"}).json()
    window = preview["slots"][1]
    assert window["outlet_id"] == w.centre.pk
    got = post(client, "/api/v1/requests", {"service_type": "mail_in", "product_id": w.product.pk,
                                             "description": "不制水", "slot_start": window["start"],
                                             "slot_end": window["end"]})
    assert got.status_code == 201, got.json()
    order = got.json()
    assert (order["type"], order["status"], order["slot_start"]) == ("mail_in", "assigned", window["start"])
    case = client.get(f"/api/v1/workorders/{order['id']}/mail-in").json()
    assert case["hop"] == "pickup_booked" and case["pickup_start"] == window["start"]
