"""What a signed alert does: mapping per model with a category fallback, folding into an open order,
readings, redeliveries, and bad input refused with a code and nothing stored."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from integrations.models import DeviceAlert, RejectedRequest, UsageReading
from integrations.tests.factories import iot_world, post_alert
from workorders.choices import EventKind, Status
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    world.iot = iot_world(world)
    return world


def send(w, **payload):
    body = {"alert_id": "a-1", "serial": "SN-A-0001"}
    body.update(payload)
    return post_alert(body, secret=w.iot.raw, brand="acme")


def stored():
    return (DeviceAlert.objects.count(), UsageReading.objects.count(), WorkOrder.objects.count(),
            WorkOrderEvent.objects.count())


def test_a_mapped_fault_opens_an_iot_order_as_the_system(w):
    resp = send(w, fault_code="E01", message="inlet 0.05 MPa", readings={"litres_filtered": 1234.5})
    assert resp.status_code == 201
    order = WorkOrder.objects.get()
    assert (order.channel, order.type, order.priority, order.status) == ("iot", "repair", "high", Status.NEW)
    assert order.customer == w.customer and order.product == w.product and order.created_by is None
    assert order.symptom == "进水压力低（E01）：inlet 0.05 MPa"
    created, alert_event = order.events.order_by("pk")
    assert created.kind == EventKind.CREATED and created.actor_role == "system" and created.data == {"channel": "iot"}
    assert alert_event.kind == EventKind.ALERT and alert_event.actor is None and alert_event.actor_role == "system"
    assert alert_event.data["alert_id"] == "a-1" and alert_event.data["fault_code"] == "E01"
    assert resp.json() == {
        "alert_id": "a-1", "outcome": "order_created", "work_order": {"id": order.pk, "number": order.number},
        "fault": {"code": "E01", "meaning": "进水压力低", "service_type": "repair", "priority": "high"},
        "readings_stored": 1, "received_at": resp.json()["received_at"],
    }
    alert = DeviceAlert.objects.get()
    assert alert.work_order == order and alert.mapping == w.iot.by_model and alert.outcome == "order_created"


def test_the_model_mapping_wins_over_the_category_fallback(w, world):
    from catalog.tests.factories import ProductModelFactory
    from customers.tests.factories import InstalledProductFactory

    # Same category, another model without its own E01: the category's mapping applies.
    other_model = ProductModelFactory(category=world.category, code="RO-900")
    InstalledProductFactory(customer=world.customer, brand=world.brand, product_model=other_model, serial="SN-FB-1")
    assert send(w, fault_code="e01").status_code == 201  # codes compare without case
    assert send(w, alert_id="a-2", serial="SN-FB-1", fault_code="E01").status_code == 201
    by_model, by_category = WorkOrder.objects.order_by("pk")
    assert (by_model.type, by_model.priority) == ("repair", "high")
    assert (by_category.type, by_category.priority) == ("inspection", "low")
    assert DeviceAlert.objects.get(alert_id="a-2").mapping == w.iot.fallback


def test_a_category_only_code_applies_to_every_model_of_it(w):
    resp = send(w, fault_code="F10")
    assert resp.status_code == 201
    assert WorkOrder.objects.get().type == "maintenance"


def test_a_mapping_with_a_symptom_passes_it_to_intake(w):
    assert send(w, fault_code="E02").status_code == 201
    order = WorkOrder.objects.get()
    assert order.priority == "urgent"
    assert order.reported_symptom == w.iot.leak_symptom  # the intake priced the order with the mapped symptom
    assert DeviceAlert.objects.get().mapping.symptom == w.iot.leak_symptom


def test_an_unknown_fault_code_is_stored_and_answered_without_an_order(w):
    resp = send(w, fault_code="Z99", message="?", readings={"running_hours": 10})
    assert resp.status_code == 202
    assert resp.json()["outcome"] == "unmapped_fault" and resp.json()["work_order"] is None
    assert resp.json()["fault"] is None
    assert WorkOrder.objects.count() == 0
    alert = DeviceAlert.objects.get()
    assert (alert.fault_code, alert.outcome, alert.work_order) == ("Z99", "unmapped_fault", None)
    assert UsageReading.objects.get().value == Decimal("10.000")


def test_an_inactive_mapping_is_unknown(w):
    w.iot.by_model.is_active = False
    w.iot.by_model.save()
    w.iot.fallback.is_active = False
    w.iot.fallback.save()
    assert send(w, fault_code="E01").json()["outcome"] == "unmapped_fault"


def test_readings_alone_are_stored_per_product_and_metric(w):
    at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    resp = send(w, readings={"litres_filtered": "1500.250", "filter_life_pct": 37, "tds_out_ppm": 8.5},
                occurred_at=at.isoformat())
    assert resp.status_code == 202 and resp.json()["outcome"] == "readings_stored"
    rows = {r.metric: r for r in UsageReading.objects.filter(product=w.product)}
    assert {m: r.value for m, r in rows.items()} == {
        "litres_filtered": Decimal("1500.250"), "filter_life_pct": Decimal("37"), "tds_out_ppm": Decimal("8.5")}
    assert all(r.read_at == at and r.brand_id == w.brand.pk for r in rows.values())
    assert WorkOrder.objects.count() == 0


def test_an_alert_for_a_product_with_an_open_order_goes_on_its_timeline(w, world):
    order = make_order(world, status=Status.ACCEPTED)
    events_before = order.events.count()
    resp = send(w, fault_code="E02", message="water on the floor")
    assert resp.status_code == 200
    assert resp.json()["outcome"] == "added_to_order"
    assert resp.json()["work_order"] == {"id": order.pk, "number": order.number}
    assert WorkOrder.objects.count() == 1
    order.refresh_from_db()
    assert order.events.count() == events_before + 1
    event = order.events.order_by("-pk").first()
    assert event.kind == EventKind.ALERT and event.data["fault_code"] == "E02"
    assert event.data["message"] == "water on the floor" and event.actor_role == "system"
    assert order.status == Status.ACCEPTED  # the alert does not move the order


def test_a_closed_order_does_not_absorb_alerts(w, world):
    make_order(world, status=Status.CLOSED)
    assert send(w, fault_code="E01").status_code == 201
    assert WorkOrder.objects.filter(status=Status.NEW, channel="iot").count() == 1


def test_the_second_alert_folds_into_the_order_the_first_opened(w):
    assert send(w, fault_code="E01").status_code == 201
    assert send(w, alert_id="a-2", fault_code="E02").status_code == 200
    order = WorkOrder.objects.get()
    assert [e.kind for e in order.events.order_by("pk")] == ["created", "alert", "alert"]


def test_a_redelivery_creates_nothing_and_answers_as_the_first_time(w):
    first = send(w, fault_code="E01", readings={"litres_filtered": 10})
    before = stored()
    again = send(w, fault_code="E01", readings={"litres_filtered": 10})
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert stored() == before
    # Even a redelivery whose body differs: the alert id was already handled.
    changed = send(w, fault_code="E02", readings={"litres_filtered": 99})
    assert changed.json() == first.json() and stored() == before


def test_the_same_alert_id_in_another_brand_is_another_alert(w):
    assert send(w, fault_code="E01").status_code == 201
    rival = post_alert({"alert_id": "a-1", "serial": "RIVAL-0001", "fault_code": "E01"}, secret=w.iot.rival_raw,
                       brand="rival")
    assert rival.status_code == 201
    assert rival.json()["work_order"]["id"] != WorkOrder.objects.filter(brand=w.brand).get().pk
    assert DeviceAlert.objects.filter(alert_id="a-1").count() == 2


def test_the_serial_is_looked_up_within_the_brand_ignoring_case_and_spaces(w):
    resp = send(w, serial="  sn-a-0001 ", fault_code="E01")
    assert resp.status_code == 201
    assert DeviceAlert.objects.get().product == w.product


def test_a_brand_secret_cannot_reach_another_brands_product(w):
    before = stored()
    resp = send(w, serial="RIVAL-0001", fault_code="E01")
    assert resp.status_code == 422 and resp.json()["code"] == "unknown_serial"
    assert stored() == before


@pytest.mark.parametrize("payload, status, code", [
    (b"{not json", 400, "malformed_json"),
    (b"\xff\xfe", 400, "malformed_json"),
    (b"[1, 2]", 400, "malformed_json"),
    (b'{"alert_id": "x", "serial": "SN-A-0001", "readings": {"litres_filtered": NaN}}', 400, "malformed_json"),
    (b"[" * 5000 + b"]" * 5000, 400, "malformed_json"),
    ({"serial": "SN-A-0001", "fault_code": "E01"}, 422, "validation_error"),
    ({"alert_id": 17, "serial": "SN-A-0001", "fault_code": "E01"}, 422, "validation_error"),
    ({"alert_id": "a b", "serial": "SN-A-0001", "fault_code": "E01"}, 422, "validation_error"),
    ({"alert_id": "a-1", "serial": "SN-A-0001", "fault_code": ["E01"]}, 422, "validation_error"),
    ({"alert_id": "a-1", "serial": "SN-A-0001", "readings": {"litres_filtered": "lots"}}, 422, "validation_error"),
    ({"alert_id": "a-1", "serial": "SN-A-0001", "readings": {"volume": 3}}, 422, "validation_error"),
    ({"alert_id": "a-1", "serial": "SN-A-0001", "readings": [1, 2]}, 422, "validation_error"),
    ({"alert_id": "a-1", "serial": "SN-A-0001", "readings": {"litres_filtered": 1.23456}}, 422, "validation_error"),
    ({"alert_id": "a-1", "serial": "SN-A-0001", "fault_code": "E01", "occurred_at": "2025-01-01T08:00:00"}, 422,
     "validation_error"),
    ({"alert_id": "a-1", "serial": "SN-A-0001", "fault_code": "E01", "message": "x" * 501}, 422,
     "validation_error"),
    ({"alert_id": "a-1", "serial": "SN-A-0001"}, 422, "empty_alert"),
    ({"alert_id": "a-1", "serial": "NOPE-404", "fault_code": "E01"}, 422, "unknown_serial"),
    ({"alert_id": "a-1", "serial": "SN-A-0001", "readings": {"filter_life_pct": 101}}, 422, "out_of_range"),
    ({"alert_id": "a-1", "serial": "SN-A-0001", "readings": {"filter_life_pct": 50, "running_hours": -1}}, 422,
     "out_of_range"),
    ({"alert_id": "a-1", "serial": "SN-A-0001", "fault_code": "E01", "occurred_at": "2099-01-01T00:00:00Z"}, 422,
     "out_of_range"),
    ({"alert_id": "a-1", "serial": "SN-A-0001", "fault_code": "E01", "occurred_at": "2020-01-01T00:00:00Z"}, 422,
     "out_of_range"),
])
def test_bad_input_is_a_4xx_with_a_code_and_stores_nothing(w, payload, status, code):
    before = stored()
    resp = post_alert(payload, secret=w.iot.raw, brand="acme")
    assert resp.status_code == status, resp.content
    assert resp.json()["code"] == code
    assert stored() == before
    # Authenticated refusals are kept for the brand admin: a device sending nonsense is worth knowing about.
    assert RejectedRequest.objects.get(brand=w.brand).code == code


def test_an_out_of_range_reading_names_its_field(w):
    resp = send(w, readings={"filter_life_pct": 150})
    assert resp.json()["field"] == "readings.filter_life_pct"
    assert resp.json()["detail"] == {"min": "0", "max": "100"}


def test_an_oversized_body_is_413_before_any_check(w):
    before = stored()
    payload = {"alert_id": "big", "serial": "SN-A-0001", "fault_code": "E01", "pad": "x" * 20_000}
    resp = post_alert(payload, secret=w.iot.raw, brand="acme")
    assert resp.status_code == 413 and resp.json()["code"] == "too_large"
    assert stored() == before


def test_an_order_the_intake_refuses_leaves_no_alert_behind(w, world):
    # The customer's site belongs to someone else: create_work_order refuses; the alert must roll back too.
    from customers.tests.factories import SiteFactory

    foreign_site = SiteFactory(customer=world.other_customer)
    type(w.product).objects.filter(pk=w.product.pk).update(site=foreign_site)
    before = stored()
    resp = send(w, fault_code="E01", readings={"litres_filtered": 5})
    assert resp.status_code == 422 and resp.json()["code"] == "invalid"
    assert stored() == before


def test_body_bytes_are_what_is_signed_not_a_reencoding(w):
    # Spacing, key order and unicode escapes are the device's own: the signature covers those bytes.
    raw = b'{ "serial":"SN-A-0001",  "alert_id":"a-raw", "fault_code":"E01", "message":"\\u8fdb\\u6c34" }'
    resp = post_alert(raw, secret=w.iot.raw, brand="acme")
    assert resp.status_code == 201
    assert DeviceAlert.objects.get().message == "进水"
    assert json.loads(raw)["message"] == "进水"
