"""GET/POST /api/v1/complaints, GET /api/v1/complaints/{id}, POST /api/v1/complaints/{id}/transitions."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.principal import principal_of
from complaints import services, workflow
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
    assert (body["view"], body["status"], body["channel"], body["number"]) == (
        "customer", "received", "api", f"TS{body['id']:06d}")
    assert body["work_order_number"] == done.number and body["work_order_id"] == done.pk
    # The customer's shape: the outlet, technician and ladder are the desk's business
    assert not {"customer_id", "outlet_id", "technician_id", "escalation_level", "responsible"} & set(body)
    assert [e["action"] for e in body["events"]] == ["open"]
    assert body["actions"] == []  # nothing for the customer to do until it is resolved
    listed = me.get("/api/v1/complaints").json()
    assert [(c["id"], c["view"]) for c in listed["items"]] == [(body["id"], "customer")] and listed["count"] == 1
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


def test_the_document_shows_the_staff_shape_and_the_customers(client):
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    both = {"propertyName": "view", "mapping": {"staff": "#/components/schemas/ComplaintDetail",
                                                "customer": "#/components/schemas/CustomerComplaintDetail"}}
    for path, method, status in [("/api/v1/complaints/{complaint_id}", "get", "200"),
                                 ("/api/v1/complaints", "post", "201"),
                                 ("/api/v1/complaints/{complaint_id}/transitions", "post", "200")]:
        schema = document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
        assert schema["discriminator"] == both, path
    items = schemas["ComplaintPage"]["properties"]["items"]["items"]
    assert items["discriminator"]["mapping"] == {"staff": "#/components/schemas/ComplaintOut",
                                                 "customer": "#/components/schemas/CustomerComplaintOut"}
    staff_only = {"appeal_statement", "arbitration", "responsible", "outlet_id", "technician_id", "escalation_level"}
    assert staff_only <= set(schemas["ComplaintDetail"]["properties"])
    assert not staff_only & set(schemas["CustomerComplaintDetail"]["properties"])
    assert {"note", "actor_role"} <= set(schemas["ComplaintEventOut"]["required"])
    assert "actor_role" not in schemas["CustomerComplaintEventOut"]["properties"]


APPEAL = "客户自己改的时间，不是师傅迟到"
DECISION = "录音显示客户改过时间，驳回投诉"
OUTLET_NOTE = "网点内部：师傅上周已被警告过"
ESCALATION_NOTE = "区域经理请跟进"


@pytest.fixture
def arbitrated(world, done):
    """A complaint worked through every hand to the arbiter, each leaving words for staff only."""
    complaint = services.open_complaint(actor=principal_of(world.customer.user), customer=world.customer,
                                        order=done, category="no_show", description="师傅迟到两小时")
    steps = [(world.manager_a, "acknowledge", OUTLET_NOTE, {}),
             (world.dispatcher, "escalate", ESCALATION_NOTE, {}),
             (world.dispatcher, "resolve", "属实，向您致歉并赔偿 80 元",
              {"outcome": "upheld", "remedies": ("apology", "compensation"), "compensation": "80.00",
               "responsible": "technician"}),
             (world.manager_a, "appeal", APPEAL, {}),
             (world.admin, "arbitrate", DECISION, {"outcome": "upheld"})]
    for user, action, note, verdict in steps:
        complaint = workflow.transition(complaint, action, actor=principal_of(user), note=note,
                                        verdict=workflow.Verdict(**verdict))
    return complaint


STAFF_WORDS = (APPEAL, DECISION, OUTLET_NOTE, ESCALATION_NOTE)


def test_a_customer_reading_an_appealed_complaint_never_sees_the_statement_or_the_notes(world, api_as, arbitrated):
    me = api_as("customer")
    detail = me.get(f"/api/v1/complaints/{arbitrated.pk}")
    listed = me.get("/api/v1/complaints")
    assert detail.status_code == listed.status_code == 200
    for text in (detail.content.decode(), listed.content.decode()):
        assert not [words for words in STAFF_WORDS if words in text]
        assert "technician" not in text and "outlet" not in text and "level" not in text  # who, and the rung
    body = detail.json()
    assert body["view"] == "customer"
    # What is theirs: status, their words, the verdict and remedy offered to them, and when
    assert (body["status"], body["description"], body["outcome"], body["remedies"], body["compensation"]) == (
        "arbitrated", "师傅迟到两小时", "upheld", ["apology", "compensation"], "80.00")
    assert body["resolution"] == "属实，向您致歉并赔偿 80 元" and body["resolved_at"] and body["opened_at"]
    assert [(e["action"], e["to_status"], e["note"]) for e in body["events"]] == [
        ("open", "received", ""), ("acknowledge", "acknowledged", ""), ("escalate", "escalated", ""),
        ("resolve", "resolved", "属实，向您致歉并赔偿 80 元"), ("appeal", "appealed", ""),
        ("arbitrate", "arbitrated", "")]
    assert listed.json()["items"][0]["view"] == "customer"


def test_staff_read_the_whole_of_it(world, api_as, arbitrated):
    for persona in ("dispatcher", "manager_a"):
        body = api_as(persona).get(f"/api/v1/complaints/{arbitrated.pk}").json()
        assert body["view"] == "staff"
        assert (body["appeal_statement"], body["arbitration"], body["responsible"], body["outlet_id"]) == (
            APPEAL, DECISION, "technician", world.outlet_a.pk)
        assert [e["note"] for e in body["events"]][1:3] == [OUTLET_NOTE, ESCALATION_NOTE]
        assert api_as(persona).get("/api/v1/complaints").json()["items"][0]["view"] == "staff"
