"""The phone's API over real HTTP: every write once per Idempotency-Key, other people's jobs are 404, refusals
are 4xx JSON with a code and change nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import race, token_client
from core.models import IdempotencyRecord
from field.models import Visit
from field.tests.setup import VAN_FILTERS, dispatched_job, on_site, photo, prepare_field, signature_png
from field.tests.test_services import everything
from network.models import Technician
from parts.tests.helpers import level
from workorders.choices import Status
from workorders.models import AttachmentKind, WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db

BASE = "/api/v1/field/jobs/"


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return prepare_field(world)


def post(client, order, action, body=None, key="k", **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(f"{BASE}{order.pk}/{action}", data=json.dumps(body or {}), content_type="application/json",
                       **headers, **extra)


def upload(client, order, action, files, fields, key):
    return client.post(f"{BASE}{order.pk}/{action}", data={**fields, **files}, HTTP_IDEMPOTENCY_KEY=key)


def test_a_retried_step_is_applied_once(w):
    order = dispatched_job(w)
    client = token_client(w.tech_a.user)
    assert post(client, order, "accept", key="a-1").status_code == 200
    body = {"latitude": 30.2701, "longitude": 120.1502, "accuracy": 12.5, "at": None}
    first = post(client, order, "depart", body, key="d-1")
    assert first.status_code == 200
    assert first.json() == {"order_id": order.pk, "action": "depart", "status": Status.EN_ROUTE,
                            "version": first.json()["version"], "attachment_id": None, "consumption_id": None}
    again = post(client, order, "depart", body, key="d-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert WorkOrderEvent.objects.filter(work_order=order, action="depart").count() == 1
    technician = Technician.objects.get(pk=w.tech_a.pk)
    assert (technician.last_latitude, technician.last_longitude) == (Decimal("30.270100"), Decimal("120.150200"))
    # The same key with another body is a mistake, not a retry.
    clash = post(client, order, "depart", {**body, "latitude": 31.0}, key="d-1")
    assert clash.status_code == 422 and clash.json()["code"] == "idempotency_key_reused"


def test_every_write_needs_an_idempotency_key(w):
    order = dispatched_job(w)
    client = token_client(w.tech_a.user)
    before = everything(order)
    response = post(client, order, "accept", key=None)
    assert response.status_code == 422
    assert response.json()["field"] == "Idempotency-Key"
    assert everything(order) == before


def test_parts_retried_with_the_same_key_leave_the_van_once(w):
    order = on_site(w, dispatched_job(w))
    client = token_client(w.tech_a.user)
    body = {"lines": [{"part_id": w.filter.pk, "quantity": 3}]}
    for _ in range(3):
        response = post(client, order, "parts", body, key="parts-1")
        assert response.status_code == 200, response.content
    assert level(w.van_a, w.filter)[0] == VAN_FILTERS - 3
    too_many = post(client, order, "parts", {"lines": [{"part_id": w.filter.pk, "quantity": 99}]}, key="parts-2")
    assert too_many.status_code == 409 and too_many.json()["code"] == "insufficient_stock"
    assert level(w.van_a, w.filter)[0] == VAN_FILTERS - 3
    foreign = post(client, order, "parts", {"lines": [{"part_id": 987654, "quantity": 1}]}, key="parts-3")
    assert foreign.status_code == 422 and foreign.json()["field"] == "lines"


def test_photos_and_signature_over_multipart(w):
    order = on_site(w, dispatched_job(w))
    client = token_client(w.tech_a.user)
    shot = SimpleUploadedFile("p.jpg", photo(), content_type="image/jpeg")
    response = upload(client, order, "photos", {"photo": shot}, {"requirement": "before"}, "photo-1")
    assert response.status_code == 200, response.content
    attachment_id = response.json()["attachment_id"]
    again = upload(client, order, "photos", {"photo": SimpleUploadedFile("p.jpg", photo(), content_type="image/jpeg")},
                   {"requirement": "before"}, "photo-1")
    assert again.json()["attachment_id"] == attachment_id
    assert order.attachments.filter(kind=AttachmentKind.PHOTO).count() == 1
    # The file is handed out only through the attachment route, to those who see the order.
    assert client.get(f"/api/v1/workorders/attachments/{attachment_id}").status_code == 200
    assert token_client(w.tech_a2.user).get(f"/api/v1/workorders/attachments/{attachment_id}").status_code == 404

    bad = upload(client, order, "photos", {"photo": SimpleUploadedFile("x.jpg", b"not an image")},
                 {"requirement": "before"}, "photo-2")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_image"
    blank = upload(client, order, "signature", {"signature": SimpleUploadedFile("s.png", signature_png(ink=False))},
                   {"signer": "王"}, "sig-0")
    assert blank.status_code == 422 and blank.json()["code"] == "invalid_signature"
    signed = upload(client, order, "signature", {"signature": SimpleUploadedFile("s.png", signature_png())},
                    {"signer": "王女士"}, "sig-1")
    assert signed.status_code == 200
    assert Visit.objects.get(work_order=order).signature.kind == AttachmentKind.SIGNATURE


def test_someone_elses_job_is_not_found_and_untouched(w):
    order = dispatched_job(w)
    before = everything(order)
    for user in (w.tech_a2.user, w.tech_b.user, w.dispatcher, w.manager_a, w.customer.user):
        client = token_client(user)
        assert client.get(f"{BASE}{order.pk}").status_code == 404
        for action in ("accept", "complete"):
            response = post(client, order, action, {}, key=f"probe-{user.pk}-{action}")
            assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert client.get(BASE.rstrip("/")).json() == []
    assert everything(order) == before
    assert not IdempotencyRecord.objects.exists()


def test_the_job_state_is_what_the_phone_works_from(w):
    order = on_site(w, dispatched_job(w))
    state = token_client(w.tech_a.user).get(f"{BASE}{order.pk}").json()
    assert state["status"] == Status.ON_SITE
    assert [c["kind"] for c in state["checklist"]] == ["check", "yes_no", "number", "text"]
    assert [(p["code"], p["required"]) for p in state["photos"]] == [("before", True), ("after", True),
                                                                   ("serial", False)]
    assert {v["code"]: v["available"] for v in state["van"]} == {"booster-pump": 3, "pp-cotton": 10}
    assert state["steps"]["arrive"] == {"from": ["en_route"], "to": "on_site"}
    sheet = state["price_sheet"]["symptoms"]["no-water"]
    assert sheet["parts"]["pp-cotton"]["customer_pays"] == "39.00" and not sheet["parts"]["pp-cotton"]["covered"]
    assert sheet["parts"]["booster-pump"]["covered"]
    assert [m["code"] for m in state["missing"]] == ["checklist", "photos", "signature"]


def test_the_whole_job_over_the_api(w):
    order = dispatched_job(w)
    client = token_client(w.tech_a.user)
    items = w.items
    steps = [
        ("accept", {}), ("depart", {}), ("arrive", {"latitude": 30.2801, "longitude": 120.1301}),
        ("checklist", {"answers": [{"item_id": items.tick.pk, "value": "done"}, {"item_id": items.leak.pk,
                                                                               "value": "yes"},
                                   {"item_id": items.pressure.pk, "value": "0.3"}]}),
        ("diagnosis", {"fault_code": "E1", "symptom_code": "no-water", "note": "滤芯堵塞"}),
        ("parts", {"lines": [{"part_id": w.filter.pk, "quantity": 1}]}),
        ("payment", {"method": "cash", "amount": "39.00", "reference": ""}),
    ]
    for n, (action, body) in enumerate(steps):
        response = post(client, order, action, body, key=f"step-{n}")
        assert response.status_code == 200, (action, response.content)
    for code in ("before", "after"):
        upload(client, order, "photos", {"photo": SimpleUploadedFile("p.jpg", photo())}, {"requirement": code},
               f"photo-{code}")
    upload(client, order, "signature", {"signature": SimpleUploadedFile("s.png", signature_png())}, {}, "sig")
    done = post(client, order, "complete", {"shown_total": "39.00"}, key="done")
    assert done.status_code == 200 and done.json()["status"] == Status.COMPLETED
    replay = post(client, order, "complete", {"shown_total": "39.00"}, key="done")
    assert replay.json() == done.json()
    again = post(client, order, "complete", {"shown_total": "39.00"}, key="done-again")
    assert again.status_code == 409 and again.json()["code"] == "job_finished"
    change = post(client, order, "payment", {"method": "cash", "amount": "0.00"}, key="cheaper")
    assert change.status_code == 409 and change.json()["code"] == "job_finished"
    visit = Visit.objects.get(work_order=order)
    assert (visit.charge_total, visit.payment_amount, visit.checkin_distance_m) == (Decimal("39.00"),
                                                                                   Decimal("39.00"), 15)
    state = client.get(f"{BASE}{order.pk}").json()
    assert state["completed"] and state["charge"]["total"] == "39.00"


@pytest.mark.django_db(transaction=True)
def test_concurrent_completions_complete_once(world, settings, tmp_path):
    """Ten retries of the completion at once, each with its own key (say, two phones): exactly one wins."""
    settings.MEDIA_ROOT = tmp_path / "media"
    w = prepare_field(world)
    order = on_site(w, dispatched_job(w))
    from field.tests.setup import ready_to_complete

    ready_to_complete(w, order)
    clients = [token_client(w.tech_a.user) for _ in range(10)]
    results = race(lambda n: post(clients[n], order, "complete", {}, key=f"c-{n}").status_code, 10)
    assert results.count(200) == 1, results
    assert set(results) <= {200, 409}
    assert WorkOrderEvent.objects.filter(work_order=order, action="complete").count() == 1
    assert WorkOrder.objects.get(pk=order.pk).status == Status.COMPLETED
    assert Visit.objects.filter(work_order=order, completed_at__isnull=False).count() == 1
