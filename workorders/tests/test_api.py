import json

import pytest

from accounts.models import ApiToken
from conftest import token_client
from workorders.choices import Status
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
URL = "/api/v1/workorders"


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def order_body(world, **over):
    body = {"customer_id": world.customer.pk, "product_id": world.product.pk, "type": "repair",
            "symptom": "漏水 leaking under the sink", "priority": "high"}
    return body | over


def test_create_returns_numbered_order_with_created_event(world, api_as):
    resp = post(api_as("hotline"), URL, order_body(world))
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["number"].startswith("WO-") and len(data["number"]) == len("WO-202611-000001")
    assert (data["status"], data["channel"], data["site_id"]) == ("new", "hotline", world.product.site_id)
    assert data["allowed_actions"] == ["assign", "cancel"]
    order = WorkOrder.objects.get(pk=data["id"])
    assert list(order.events.values_list("kind", "to_status")) == [("created", "new")]
    assert order.response_due < order.onsite_due


def test_numbers_are_sequential(world, api_as):
    client = api_as("dispatcher")
    numbers = [post(client, URL, order_body(world)).json()["number"] for _ in range(3)]
    seqs = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert seqs == [seqs[0], seqs[0] + 1, seqs[0] + 2]


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"customer_id": 999999}, "customer_id"),
        ({"product_id": 999999}, "product_id"),
        ({"slot_start": "2026-12-01T10:00:00+08:00", "slot_end": "2026-12-01T09:00:00+08:00"}, "slot_end"),
        ({"slot_start": "2026-12-01T10:00:00+08:00"}, "slot_end"),
    ],
)
def test_bad_references_are_422_with_field_and_nothing_written(world, api_as, override, field):
    resp = post(api_as("dispatcher"), URL, order_body(world, **override))
    assert resp.status_code == 422, resp.content
    assert resp.json()["code"] == "invalid" and resp.json()["field"] == field
    assert WorkOrder.objects.count() == 0


def test_foreign_product_is_refused(world, api_as):
    resp = post(api_as("dispatcher"), URL, order_body(world, product_id=world.other_product.pk))
    assert resp.status_code == 422 and resp.json()["field"] == "product"
    assert WorkOrder.objects.count() == 0


@pytest.mark.parametrize(
    "override",
    [{"type": "teleport"}, {"priority": 5}, {"symptom": "x" * 2001}, {"customer_id": "abc"}, {"unknown": 1},
     {"slot_start": "tomorrow", "slot_end": "later"}],
)
def test_wrong_types_are_validation_errors(world, api_as, override):
    resp = post(api_as("dispatcher"), URL, order_body(world, **override))
    assert resp.status_code == 422
    assert resp.json()["code"] == "validation_error" and resp.json()["errors"]
    assert WorkOrder.objects.count() == 0


def test_malformed_json_is_a_400(world, api_as):
    resp = api_as("dispatcher").post(URL, data="{not json", content_type="application/json")
    assert resp.status_code == 400 and resp.json()["code"] == "bad_request"


def test_idempotency_key_replays_and_refuses_other_body(world, api_as):
    client = api_as("dispatcher")
    first = post(client, URL, order_body(world), **{"Idempotency-Key": "k-1"})
    again = post(client, URL, order_body(world), **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = post(client, URL, order_body(world, symptom="different"), **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert WorkOrder.objects.count() == 1


def test_unauthenticated_and_revoked_token_are_401(world, api_as):
    from django.test import Client

    resp = Client().get(URL)
    assert resp.status_code == 401 and resp.json()["code"] == "unauthorized"
    token, raw = ApiToken.issue(user=world.dispatcher, name="x")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(URL).status_code == 200
    assert client.delete(f"/api/v1/accounts/tokens/{token.pk}").status_code == 204
    assert client.get(URL).status_code == 401


def test_token_store_holds_only_a_hash(world):
    token, raw = ApiToken.issue(user=world.dispatcher, name="x")
    assert raw not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert token.last_four == raw[-4:]


def test_transition_endpoint_happy_and_illegal(world, api_as):
    order = make_order(world)
    client = api_as("dispatcher")
    url = f"{URL}/{order.pk}/transitions"
    resp = post(client, url, {"action": "assign", "outlet_id": world.outlet_a.pk, "version": order.version})
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "assigned" and resp.json()["outlet_id"] == world.outlet_a.pk
    illegal = post(client, url, {"action": "resume"})
    assert illegal.status_code == 409
    assert illegal.json()["code"] == "illegal_transition"
    assert illegal.json()["detail"]["from_status"] == "assigned"
    stale = post(client, url, {"action": "dispatch", "technician_id": world.tech_a.pk, "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert WorkOrder.objects.get(pk=order.pk).status == Status.ASSIGNED
    assert WorkOrderEvent.objects.filter(work_order=order).count() == 2


def test_if_match_mismatch_is_412(world, api_as):
    order = make_order(world, status=Status.ASSIGNED)
    client = api_as("dispatcher")
    detail = client.get(f"{URL}/{order.pk}")
    assert detail["ETag"] == f'"{order.version}"'
    resp = post(client, f"{URL}/{order.pk}/transitions", {"action": "dispatch", "technician_id": world.tech_a.pk},
                **{"If-Match": '"1"'})
    assert resp.status_code == 412 and resp.json()["code"] == "precondition_failed"
    ok = post(client, f"{URL}/{order.pk}/transitions", {"action": "dispatch", "technician_id": world.tech_a.pk},
              **{"If-Match": detail["ETag"]})
    assert ok.status_code == 200 and ok.json()["status"] == "dispatched"


def test_patch_edits_with_version_and_records_event(world, api_as):
    order = make_order(world)
    client = api_as("dispatcher")
    resp = client.patch(f"{URL}/{order.pk}", data=json.dumps({"priority": "urgent", "version": order.version}),
                        content_type="application/json")
    assert resp.status_code == 200 and resp.json()["priority"] == "urgent"
    stale = client.patch(f"{URL}/{order.pk}", data=json.dumps({"priority": "low", "version": order.version}),
                         content_type="application/json")
    assert stale.status_code == 409
    assert WorkOrder.objects.get(pk=order.pk).priority == "urgent"
    assert order.events.filter(kind="edited").count() == 1


def test_technician_cannot_create_orders(world, api_as):
    resp = post(api_as("tech_a"), URL, order_body(world))
    assert resp.status_code == 403 and resp.json()["code"] == "forbidden"


def test_list_filters_and_paging(world, api_as):
    make_order(world, status=Status.ASSIGNED)
    make_order(world, status=Status.ASSIGNED)
    closed = make_order(world, status=Status.CLOSED)
    make_order(world, customer=world.other_customer, product=world.other_product)
    client = api_as("dispatcher")
    page = client.get(URL, {"status": "assigned", "page_size": 1}).json()
    assert (page["count"], len(page["items"]), page["count_capped"]) == (2, 1, False)
    assert client.get(URL, {"q": closed.number}).json()["items"][0]["id"] == closed.pk
    assert client.get(URL, {"q": "139 0000 0001"}).json()["count"] == 3
    assert client.get(URL, {"q": "SN-B-0001"}).json()["count"] == 1
    assert client.get(URL, {"outlet": world.outlet_a.pk}).json()["count"] == 3
    bad = client.get(URL, {"created_from": "2026-11-10", "created_to": "2026-11-01"})
    assert bad.status_code == 422 and bad.json()["field"] == "created_to"
    assert client.get(URL, {"page_size": 1000}).status_code == 422
    assert client.get(URL, {"status": "nope"}).status_code == 422


def test_timeline_hides_internal_events_from_customer(world, api_as):
    order = make_order(world, status=Status.DISPATCHED)
    token_user = world.tech_a.user
    post(token_client(token_user), f"{URL}/{order.pk}/transitions", {"action": "decline", "reason": "sick"})
    staff = api_as("dispatcher").get(f"{URL}/{order.pk}/events").json()
    mine = api_as("customer").get(f"{URL}/{order.pk}/events").json()
    assert "decline" in [e["action"] for e in staff]
    assert "decline" not in [e["action"] for e in mine]
    assert len(mine) == len(staff) - 1


def test_openapi_document_is_served(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    assert "/api/v1/workorders/{order_id}/transitions" in paths
    assert client.get("/api/v1/docs").status_code == 200
