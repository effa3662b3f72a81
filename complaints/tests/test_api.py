"""GET/POST /api/v1/complaints, GET /api/v1/complaints/{id}, POST /api/v1/complaints/{id}/transitions."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.principal import principal_of
from complaints import services
from complaints.models import Complaint
from complaints.tests.factories import snapshot
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


@pytest.fixture
def done(world):
    return make_order(world, status=Status.COMPLETED)


def test_a_customer_complains_about_their_order_and_follows_it(world, api_as, done):
    me = api_as("customer")
    response = post(me, "/api/v1/complaints", {"work_order_id": done.pk, "category": "no_show", "severity": "high",
                                               "description": "师傅没来"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["channel"], body["customer_id"], body["outlet_id"], body["technician_id"]) == (
        "received", "api", world.customer.pk, world.outlet_a.pk, world.tech_a.pk)
    assert body["work_order_number"] == done.number and body["escalation_level"] == 0
    assert [e["action"] for e in body["events"]] == ["open"]
    assert body["actions"] == []  # nothing for the customer to do until it is resolved
    listed = me.get("/api/v1/complaints").json()
    assert [c["id"] for c in listed["items"]] == [body["id"]] and listed["count"] == 1
    assert me.get(f"/api/v1/complaints/{body['id']}").json()["description"] == "师傅没来"
    # The other customer sees nothing of it
    assert api_as("other_customer").get(f"/api/v1/complaints/{body['id']}").status_code == 404
    assert api_as("other_customer").get("/api/v1/complaints").json()["count"] == 0


def test_a_customer_neither_grades_their_complaint_nor_names_its_channel(world, api_as, done):
    me = api_as("customer")
    for channel in ("hotline", "urging", "callback", "portal"):
        response = post(me, "/api/v1/complaints", {"work_order_id": done.pk, "category": "no_show",
                                                   "severity": "critical", "channel": channel, "description": "x"})
        assert response.status_code == 201, response.json()
        assert (response.json()["channel"], response.json()["severity"]) == ("api", "normal")
    # The service holds the same line for any caller acting for a customer
    complaint = services.open_complaint(actor=principal_of(world.customer.user), customer=world.customer,
                                        category="other", description="x", severity="critical", channel="callback")
    assert (complaint.channel, complaint.severity) == ("portal", "normal")
    # Staff still grade and name the channel
    response = post(api_as("hotline"), "/api/v1/complaints", {"customer_id": world.customer.pk, "category": "other",
                                                              "severity": "high", "channel": "hotline",
                                                              "description": "x"})
    assert (response.json()["channel"], response.json()["severity"]) == ("hotline", "high")


def test_the_hotline_records_for_a_customer_and_foreign_ids_are_refused(world, api_as, done):
    desk = api_as("hotline")
    for body, field in [
        ({"category": "other", "description": "x"}, "customer_id"),
        ({"customer_id": world.rival_customer.pk, "category": "other", "description": "x"}, "customer_id"),
        ({"customer_id": world.other_customer.pk, "work_order_id": done.pk, "category": "other", "description": "x"},
         "order"),
        ({"customer_id": world.customer.pk, "category": "other", "description": "   "}, "description"),
    ]:
        response = post(desk, "/api/v1/complaints", body)
        assert response.status_code == 422, response.json()
        assert response.json()["code"] == "invalid" and response.json()["field"] == field
    response = post(desk, "/api/v1/complaints", {"customer_id": world.customer.pk, "category": "bad",
                                                 "description": "x"})
    assert response.status_code == 422 and response.json()["code"] == "validation_error"
    assert Complaint.objects.count() == 0
    response = post(desk, "/api/v1/complaints", {"customer_id": world.customer.pk, "work_order_id": done.pk,
                                                 "category": "overcharge", "channel": "hotline",
                                                 "description": "多收了上门费"})
    assert response.status_code == 201 and response.json()["channel"] == "hotline"
    # An outlet may not record complaints
    response = post(api_as("manager_a"), "/api/v1/complaints", {"customer_id": world.customer.pk,
                                                                "category": "other", "description": "x"})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_steps_over_the_api_with_their_refusals(world, api_as, done):
    complaint = services.open_complaint(actor=principal_of(world.hotline), customer=world.customer, order=done,
                                        category="quality", description="又漏水")
    path = f"/api/v1/complaints/{complaint.pk}/transitions"
    manager = api_as("manager_a")
    assert manager.get(f"/api/v1/complaints/{complaint.pk}").json()["actions"] == ["acknowledge", "investigate"]
    response = post(manager, path, {"action": "acknowledge", "note": "已联系"})
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"
    before = snapshot()
    for client, body, status, code in [
        (manager, {"action": "resolve", "note": "x", "outcome": "upheld"}, 403, "forbidden"),
        (manager, {"action": "acknowledge"}, 409, "illegal_transition"),
        (api_as("dispatcher"), {"action": "resolve", "note": " ", "outcome": "upheld", "responsible": "outlet"}, 422,
         "invalid"),
        (api_as("dispatcher"), {"action": "resolve", "note": "x", "outcome": "upheld", "responsible": "outlet",
                                "remedies": ["compensation"], "compensation": "abc"}, 422, "invalid"),
        (api_as("dispatcher"), {"action": "fly"}, 422, "validation_error"),
        (api_as("manager_b"), {"action": "investigate"}, 404, "not_found"),
    ]:
        response = post(client, path, body)
        assert (response.status_code, response.json()["code"]) == (status, code), (body, response.json())
    assert snapshot() == before
    response = post(api_as("dispatcher"), path, {
        "action": "resolve", "note": "属实，赔偿 80 元", "outcome": "upheld", "remedies": ["apology", "compensation"],
        "compensation": "80.00", "responsible": "technician"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["outcome"], body["compensation"], body["remedies"]) == (
        "resolved", "upheld", "80.00", ["apology", "compensation"])
    assert post(manager, path, {"action": "appeal", "note": "客户自己改的时间"}).json()["status"] == "appealed"
    body = post(api_as("admin"), path, {"action": "arbitrate", "note": "维持", "outcome": "upheld"}).json()
    assert (body["status"], body["appeal_statement"], body["arbitration"]) == ("arbitrated", "客户自己改的时间", "维持")
    assert [e["action"] for e in body["events"]] == ["open", "acknowledge", "resolve", "appeal", "arbitrate"]


def test_the_list_filters(world, api_as, done):
    hotline = principal_of(world.hotline)
    old = services.open_complaint(actor=hotline, customer=world.customer, order=done, category="damage",
                                  severity="critical", description="划坏橱柜",
                                  opened_at=dt.datetime(2026, 1, 5, 2, tzinfo=dt.UTC))
    services.open_complaint(actor=hotline, customer=world.customer, category="attitude", description="态度差")
    desk = api_as("dispatcher")

    def ids(**query):
        return [c["id"] for c in desk.get("/api/v1/complaints", query).json()["items"]]

    assert ids(severity="critical") == [old.pk] == ids(overdue="true") == ids(category="damage")
    assert ids(outlet_id=world.outlet_a.pk) == [old.pk]
    assert len(ids(status="received")) == 2 and ids(status="resolved") == []
    assert desk.get("/api/v1/complaints", {"status": "open"}).status_code == 422


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/complaints"])
    assert "get" in paths["/api/v1/complaints/{complaint_id}"]
    assert "409" in paths["/api/v1/complaints/{complaint_id}/transitions"]["post"]["responses"]
