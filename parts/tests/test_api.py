"""The parts API over real HTTP (Django test client, bearer tokens): scoping, bad input, the whole flow."""

from __future__ import annotations

import json

import pytest

from conftest import token_client
from parts.choices import RequestStatus
from parts.models import DefectiveReturn, PartRequest
from parts.tests.factories import access_probes
from parts.tests.helpers import assert_consistent, level, snapshot
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def client_of(w, persona):
    obj = getattr(w, persona)
    return token_client(getattr(obj, "user", obj) if not hasattr(obj, "username") else obj)


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def scene(world):
    w = world
    w.order_a = make_order(w, status=Status.ON_SITE)
    w.order_b = make_order(w, status=Status.DISPATCHED, customer=w.other_customer, product=w.other_product,
                           outlet=w.outlet_b, technician=w.tech_b)
    from accounts.principal import principal_of
    from workorders import services as order_services

    w.rival_order = order_services.create_work_order(actor=principal_of(w.rival_dispatcher),
                                                     customer=w.rival_customer, type="repair", channel="hotline")
    w.probes = access_probes(w, w.order_a, w.order_b, w.rival_order)
    return w


def ids(response) -> set[int]:
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return {item["id"] for item in items}


def test_each_party_lists_only_its_warehouses(scene):
    w = scene
    expect = {
        "dispatcher": {w.central.pk, w.store_a.pk, w.store_b.pk, w.van_a.pk, w.van_a2.pk, w.van_b.pk},
        "clerk": {w.central.pk, w.store_a.pk, w.store_b.pk, w.van_a.pk, w.van_a2.pk, w.van_b.pk},
        "manager_a": {w.store_a.pk, w.van_a.pk, w.van_a2.pk},
        "desk_a": {w.store_a.pk, w.van_a.pk, w.van_a2.pk},
        "manager_b": {w.store_b.pk, w.van_b.pk},
        "tech_a": {w.store_a.pk, w.van_a.pk},
        "tech_b": {w.store_b.pk, w.van_b.pk},
        "customer": set(),
        "rival_dispatcher": {w.rival_central.pk, w.rival_store.pk, w.rival_van.pk},
    }
    for persona, expected in expect.items():
        response = client_of(w, persona).get("/api/v1/parts/warehouses")
        assert response.status_code == 200, persona
        assert ids(response) == expected, persona
    vans = client_of(w, "manager_a").get("/api/v1/parts/warehouses", {"kind": "van"})
    assert ids(vans) == {w.van_a.pk, w.van_a2.pk}


FOREIGN = {  # persona → the warehouses of other parties it must not reach: another outlet, another van, another brand
    "manager_a": ("store_b", "van_b", "rival_central", "central"),
    "desk_a": ("store_b", "van_b", "rival_store", "central"),
    "manager_b": ("store_a", "van_a", "rival_van"),
    "tech_a": ("van_a2", "van_b", "store_b", "central", "rival_store"),
    "tech_b": ("van_a", "store_a", "central"),
    "clerk": ("rival_central", "rival_store", "rival_van"),
    "dispatcher": ("rival_central", "rival_van"),
    "customer": ("store_a", "van_a", "central"),
    "rival_dispatcher": ("central", "store_a", "van_a"),
}


@pytest.mark.parametrize("persona", sorted(FOREIGN))
def test_foreign_warehouses_are_404_and_untouched(scene, persona):
    w = scene
    client = client_of(w, persona)
    for name in FOREIGN[persona]:
        wh = getattr(w, name).pk
        before = snapshot()
        for method, url, body in (
            ("GET", f"/api/v1/parts/warehouses/{wh}", None),
            ("GET", f"/api/v1/parts/warehouses/{wh}/stock", None),
            ("GET", f"/api/v1/parts/warehouses/{wh}/moves", None),
            ("POST", f"/api/v1/parts/warehouses/{wh}/receipts", {"part_id": w.pump.pk, "quantity": 1}),
            ("POST", f"/api/v1/parts/warehouses/{wh}/transfers",
             {"to_warehouse_id": w.van_a.pk, "lines": [{"part_id": w.pump.pk, "quantity": 1}]}),
            ("POST", f"/api/v1/parts/warehouses/{wh}/adjustments",
             {"part_id": w.pump.pk, "delta": -1, "reason": "probe"}),
        ):
            response = client.generic(method, url, data=json.dumps(body or {}), content_type="application/json")
            assert response.status_code == 404, (persona, name, method, url, response.content)
            assert response.json()["code"] == "not_found"
        assert snapshot() == before


@pytest.mark.parametrize("persona", ["manager_a", "clerk", "desk_a"])
def test_a_transfer_into_another_partys_warehouse_is_refused_on_the_field(scene, persona):
    w = scene
    client = client_of(w, persona)
    targets = {"manager_a": ("store_b", "van_b", "central"), "desk_a": ("van_b", "rival_van"),
               "clerk": ("rival_store", "rival_van")}[persona]
    for name in targets:
        before = snapshot()
        response = post(client, f"/api/v1/parts/warehouses/{w.store_a.pk}/transfers",
                        {"to_warehouse_id": getattr(w, name).pk, "lines": [{"part_id": w.pump.pk, "quantity": 1}]})
        assert response.status_code == 422, (persona, name, response.content)
        assert response.json()["code"] == "invalid" and response.json()["field"] == "to_warehouse_id"
        assert snapshot() == before


def test_bad_input_is_a_4xx_with_a_code_and_changes_nothing(scene):
    w = scene
    clerk = client_of(w, "clerk")
    url = f"/api/v1/parts/warehouses/{w.store_a.pk}"
    cases = [
        (f"{url}/receipts", {"part_id": 999_999, "quantity": 1}, 422, "invalid", "part_id"),
        (f"{url}/receipts", {"part_id": w.rival_part.pk, "quantity": 1}, 422, "invalid", "part_id"),
        (f"{url}/receipts", {"part_id": w.pump.pk, "quantity": 0}, 422, "invalid", "quantity"),
        (f"{url}/receipts", {"part_id": w.pump.pk, "quantity": -5}, 422, "invalid", "quantity"),
        (f"{url}/receipts", {"part_id": w.pump.pk, "quantity": "lots"}, 422, "validation_error", None),
        (f"{url}/receipts", {"part_id": w.pump.pk}, 422, "validation_error", None),
        (f"{url}/transfers", {"to_warehouse_id": w.van_a2.pk, "lines": [{"part_id": w.pump.pk, "quantity": 500}]},
         409, "insufficient_stock", "quantity"),
        (f"{url}/transfers", {"to_warehouse_id": w.van_a2.pk, "lines": [{"part_id": w.pump.pk, "quantity": 0}]},
         422, "invalid", "lines"),
        (f"{url}/transfers", {"to_warehouse_id": w.van_a2.pk, "lines": []}, 422, "invalid", "lines"),
        (f"{url}/transfers", {"to_warehouse_id": 999_999, "lines": [{"part_id": w.pump.pk, "quantity": 1}]},
         422, "invalid", "to_warehouse_id"),
        (f"{url}/adjustments", {"part_id": w.pump.pk, "delta": -100, "reason": "count"}, 409, "insufficient_stock",
         "quantity"),
        (f"{url}/adjustments", {"part_id": w.pump.pk, "delta": 0, "reason": "count"}, 422, "invalid", "delta"),
        (f"{url}/adjustments", {"part_id": w.pump.pk, "delta": 2, "reason": ""}, 422, "invalid", "reason"),
        (f"{url}/adjustments", {"part_id": w.pump.pk, "delta": 2, "reason": "x", "condition": "shiny"}, 422,
         "validation_error", None),
    ]
    for url_, body, status, code, field in cases:
        before = snapshot()
        response = post(clerk, url_, body)
        assert response.status_code == status, (url_, body, response.content)
        assert response.json()["code"] == code, (body, response.json())
        if field:
            assert response.json()["field"] == field, (body, response.json())
        assert snapshot() == before
    refused = post(clerk, f"{url}/transfers", {"to_warehouse_id": w.van_a2.pk,
                                               "lines": [{"part_id": w.pump.pk, "quantity": 500}]}).json()
    assert refused["detail"] == {"part_id": w.pump.pk, "warehouse_id": w.store_a.pk, "requested": 500,
                                 "available": 19}


def test_a_role_that_keeps_no_stock_hears_403(scene):
    w = scene
    before = snapshot()
    response = post(client_of(w, "tech_a"), f"/api/v1/parts/warehouses/{w.store_a.pk}/receipts",
                    {"part_id": w.pump.pk, "quantity": 1})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert snapshot() == before


def test_stock_and_moves_read_as_the_ledger_says(scene):
    w = scene
    response = client_of(w, "manager_a").get(f"/api/v1/parts/warehouses/{w.store_a.pk}/stock")
    assert response.status_code == 200
    rows = {r["part_code"]: r for r in response.json()["items"]}
    assert {k: (r["on_hand"], r["reserved"], r["available"], r["defective"]) for k, r in rows.items()} == {
        "booster-pump": (20, 1, 19, 0), "pp-cotton": (30, 0, 30, 0), "purifier-pcb": (5, 0, 5, 0)}
    moves = client_of(w, "manager_a").get(f"/api/v1/parts/warehouses/{w.store_a.pk}/moves",
                                          {"part_id": w.pump.pk, "page_size": 2}).json()
    assert moves["count"] == 3 and len(moves["items"]) == 2
    assert moves["items"][0]["kind"] == "reserve"
    # A technician reads the store's levels (to ask for parts), not its ledger of others' transfers.
    tech = client_of(w, "tech_a")
    assert tech.get(f"/api/v1/parts/warehouses/{w.store_a.pk}/stock").status_code == 200
    assert tech.get(f"/api/v1/parts/warehouses/{w.store_a.pk}/moves").json()["count"] == 0
    assert tech.get(f"/api/v1/parts/warehouses/{w.van_a.pk}/moves").json()["count"] == 3
    in_van = tech.get(f"/api/v1/parts/warehouses/{w.van_a.pk}/stock", {"in_stock_only": True}).json()["items"]
    assert {r["part_code"]: r["available"] for r in in_van} == {"booster-pump": 5, "pp-cotton": 10}


def test_request_transfer_and_arrival_over_http(scene):
    w = scene
    tech, desk = client_of(w, "tech_a"), client_of(w, "desk_a")
    created = post(tech, f"/api/v1/parts/orders/{w.order_a.pk}/requests",
                   {"lines": [{"part_id": w.board.pk, "quantity": 2}, {"part_id": w.filter.pk, "quantity": 3}],
                    "note": "主板烧了"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["note"], body["work_order_number"]) == ("open", "主板烧了", w.order_a.number)
    assert [(x["part_code"], x["quantity"]) for x in body["lines"]] == [("purifier-pcb", 2), ("pp-cotton", 3)]
    open_at_a = desk.get("/api/v1/parts/requests", {"status": "open"}).json()
    assert body["id"] in {r["id"] for r in open_at_a}
    assert body["id"] not in {r["id"] for r in client_of(w, "manager_b").get("/api/v1/parts/requests").json()}
    stale = post(desk, f"/api/v1/parts/requests/{body['id']}/transfer", {"version": body["version"] + 5})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    done = post(desk, f"/api/v1/parts/requests/{body['id']}/transfer", {"version": body["version"]})
    assert done.status_code == 200 and done.json()["status"] == "transferred"
    again = post(desk, f"/api/v1/parts/requests/{body['id']}/transfer", {})
    assert again.status_code == 409 and again.json()["code"] == "already_decided"
    arrived = tech.get("/api/v1/parts/requests", {"status": "transferred", "order_id": w.order_a.pk}).json()
    assert [r["id"] for r in arrived] == [body["id"]]
    assert level(w.van_a, w.board) == (2, 0, 0)
    assert_consistent()


def test_request_refused_with_a_reason_and_bad_requests(scene):
    w = scene
    tech = client_of(w, "tech_a")
    before = snapshot()
    for body, status, code in (
        ({"lines": [{"part_id": w.board.pk, "quantity": 6}]}, 409, "insufficient_stock"),
        ({"lines": [{"part_id": w.rival_part.pk, "quantity": 1}]}, 422, "invalid"),
        ({"lines": [{"part_id": w.board.pk, "quantity": 0}]}, 422, "invalid"),
        ({"lines": [{"part_id": w.board.pk, "quantity": 1, "extra": 1}]}, 422, "validation_error"),
    ):
        response = post(tech, f"/api/v1/parts/orders/{w.order_a.pk}/requests", body)
        assert (response.status_code, response.json()["code"]) == (status, code), response.content
    # Another technician's order does not exist for tech_a2.
    response = post(client_of(w, "tech_a2"), f"/api/v1/parts/orders/{w.order_a.pk}/requests",
                    {"lines": [{"part_id": w.board.pk, "quantity": 1}]})
    assert response.status_code == 404
    assert snapshot() == before
    request_id = w.probes["tech_b"]["request_id"]  # tech_a's open request on order_a
    manager = client_of(w, "manager_a")
    no_reason = post(manager, f"/api/v1/parts/requests/{request_id}/refuse", {"reason": ""})
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    assert snapshot() == before
    refused = post(manager, f"/api/v1/parts/requests/{request_id}/refuse", {"reason": "总部已直发"})
    assert refused.status_code == 200
    assert (refused.json()["status"], refused.json()["decision_reason"]) == ("refused", "总部已直发")
    assert level(w.store_a, w.pump) == (20, 0, 0)


def test_consumption_over_http_once_per_key(scene):
    w = scene
    tech = client_of(w, "tech_a")
    url = f"/api/v1/parts/orders/{w.order_a.pk}/consumptions"
    body = {"lines": [{"part_id": w.pump.pk, "quantity": 2}, {"part_id": w.filter.pk, "quantity": 1}]}
    before = snapshot()
    missing = post(tech, url, body)
    assert missing.status_code == 422 and missing.json()["field"] == "Idempotency-Key"
    too_many = post(tech, url, {"lines": [{"part_id": w.pump.pk, "quantity": 50}]}, HTTP_IDEMPOTENCY_KEY="k0")
    assert too_many.status_code == 409 and too_many.json()["code"] == "insufficient_stock"
    assert snapshot() == before
    first = post(tech, url, body, HTTP_IDEMPOTENCY_KEY="sync-0001")
    assert first.status_code == 201, first.content
    assert first.json()["replayed"] is False
    assert sorted((x["part_code"], x["quantity"]) for x in first.json()["lines"]) == [("booster-pump", 2),
                                                                                     ("pp-cotton", 1)]
    assert [(d["part_code"], d["quantity"]) for d in first.json()["defective"]] == [("booster-pump", 2)]
    retry = post(tech, url, body, HTTP_IDEMPOTENCY_KEY="sync-0001")
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"] and retry.json()["replayed"]
    reused = post(tech, url, {"lines": [{"part_id": w.pump.pk, "quantity": 1}]}, HTTP_IDEMPOTENCY_KEY="sync-0001")
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    assert level(w.van_a, w.pump) == (3, 0, 0)  # 6, one used by the probe, two now
    used = client_of(w, "manager_a").get(url).json()
    assert sorted((m["part_code"], m["quantity"]) for m in used) == [("booster-pump", 1), ("booster-pump", 2),
                                                                     ("pp-cotton", 1)]
    for persona in ("tech_a2", "tech_b", "manager_b", "other_customer"):
        response = post(client_of(w, persona), url, body, HTTP_IDEMPOTENCY_KEY="sync-x")
        assert response.status_code == 404, persona
    for persona in ("manager_a", "customer"):  # they see the order, but use no parts on it
        response = post(client_of(w, persona), url, body, HTTP_IDEMPOTENCY_KEY="sync-y")
        assert response.status_code == 403 and response.json()["code"] == "forbidden", persona


def test_defective_owed_and_received_over_http(scene):
    w = scene
    manager = client_of(w, "manager_a")
    owed = manager.get("/api/v1/parts/defective").json()
    mine = w.probes["tech_b"]["defective_id"]  # tech_a's owed pump from order_a
    assert {d["id"] for d in owed["items"]} == {mine}
    assert owed["by_technician"] == [{"technician_id": w.tech_a.pk, "technician": "tech_a", "lines": 1, "units": 1}]
    assert client_of(w, "tech_a2").get("/api/v1/parts/defective").json() == {"items": [], "by_technician": []}
    assert post(client_of(w, "manager_b"), f"/api/v1/parts/defective/{mine}/receive", {}).status_code == 404
    assert post(client_of(w, "tech_a"), f"/api/v1/parts/defective/{mine}/receive", {}).status_code == 403
    done = post(manager, f"/api/v1/parts/defective/{mine}/receive", {})
    assert done.status_code == 200 and done.json()["status"] == "received"
    again = post(manager, f"/api/v1/parts/defective/{mine}/receive", {})
    assert again.status_code == 409 and again.json()["code"] == "already_decided"
    assert level(w.store_a, w.pump) == (20, 1, 1)
    assert manager.get("/api/v1/parts/defective").json()["items"] == []
    received = manager.get("/api/v1/parts/defective", {"status": "received"}).json()["items"]
    assert [d["id"] for d in received] == [mine]
    assert DefectiveReturn.objects.filter(status="owed").count() == 2  # outlet B's and the rival's
    assert PartRequest.objects.filter(status=RequestStatus.OPEN).count() == 3
