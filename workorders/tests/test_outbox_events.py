"""The order's steps in the outbox (workorders/events.py): each timeline step others act on is recorded as an
``order.*`` event in the same transaction, carrying what a message needs; the SLA watch's alerts reach the
dispatchers through the outbox's in-app sink."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone, translation

from accounts.principal import principal_of
from conftest import build_world
from core import outbox
from core.models import Delivery, DeliveryStatus, OutboxEvent
from feedback.services import rate_order
from notifications.models import Notification
from portal import tracking
from portal.selectors import customer_timeline
from workorders import events, services, workflow
from workorders.choices import Channel, Status, WorkOrderType
from workorders.models import WorkOrder
from workorders.sla_watch import sweep
from workorders.tests.factories import make_order

LIFE = ["order.created", "order.outlet_assigned", "order.assigned", "order.accepted", "order.en_route",
        "order.arrived", "order.completed", "order.closed"]


def told(order) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(work_order_id=order.pk).order_by("pk"))


@pytest.fixture
def sink():
    """A sink that takes every order event and keeps (kind, data)."""
    got: list[tuple[str, dict]] = []
    before = dict(outbox.sinks._by_name)
    outbox.sinks.register(outbox.Sink(name="test_messages", deliver=lambda e: got.append((e.kind, e.data))))
    yield got
    outbox.sinks._by_name.clear()
    outbox.sinks._by_name.update(before)


@pytest.mark.django_db
def test_a_repair_from_opening_to_closing_records_each_step_once_with_its_number(world):
    order = make_order(world, status=Status.CLOSED)

    rows = told(order)
    assert [e.kind for e in rows] == LIFE
    assert {(e.brand_id, e.subject_type, e.subject_id) for e in rows} == {(world.brand.pk, "workorder", order.pk)}
    assert all(e.data["number"] == order.number for e in rows)
    created, outlet, assigned, accepted, en_route, arrived, completed, closed = (e.data for e in rows)
    assert created == {"number": order.number, "type": "repair", "channel": "hotline", "priority": "normal",
                       "slot_start": None, "slot_end": None}
    assert outlet["outlet"] == world.outlet_a.name
    assert (assigned["technician"], accepted["technician"], en_route["technician"], arrived["technician"],
            completed["technician"]) == (world.tech_a.name,) * 5
    assert (en_route["from_status"], en_route["to_status"], en_route["actor_role"]) == (
        "accepted", "en_route", "technician")
    assert "eta" in en_route and closed["to_status"] == "closed"
    # Each step carries the window and the link its message gives, as they were at the step
    link = f"http://127.0.0.1:8000/portal/acme/orders/{order.pk}/"
    assert {(e["slot_start"], e["slot_end"], e["link"]) for e in (outlet, assigned, en_route, closed)} == {
        (None, None, link)}


@pytest.mark.django_db
def test_a_step_carries_the_booked_window_and_the_technician_as_they_were_then(world, settings):
    settings.SITE_URL = "https://service.example.com"
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    order = make_order(world, status=Status.ASSIGNED, slot_start=start, slot_end=start + dt.timedelta(hours=2))
    dispatcher = principal_of(world.dispatcher)
    workflow.transition(order, "dispatch", actor=dispatcher, technician=world.tech_a2)

    assigned = told(order)[-1].data
    assert (assigned["technician"], assigned["slot_start"], assigned["slot_end"]) == (
        world.tech_a2.name, start.isoformat(), (start + dt.timedelta(hours=2)).isoformat())
    assert assigned["link"] == f"https://service.example.com/portal/acme/orders/{order.pk}/"


@pytest.mark.django_db
def test_a_step_nobody_sees_keeps_its_reason_out_of_the_event(world):
    order = make_order(world, status=Status.ACCEPTED)
    workflow.transition(order, "recall", actor=principal_of(world.dispatcher), reason="技师请假 internal")
    recalled = told(order)[-1]
    assert recalled.kind == "order.recalled"
    assert recalled.data["customer_visible"] is False and "reason" not in recalled.data


@pytest.mark.django_db
def test_the_en_route_eta_is_the_one_the_tracking_page_shows(world):
    site = world.product.site
    site.latitude, site.longitude = Decimal("30.274000"), Decimal("120.155000")
    site.save()
    tech = world.tech_a
    tech.home_latitude, tech.home_longitude = Decimal("30.310000"), Decimal("120.100000")
    tech.save()

    order = make_order(world, status=Status.EN_ROUTE)

    eta = told(order)[-1].data["eta"]
    shown = tracking.arrival(WorkOrder.objects.get(pk=order.pk), customer_timeline(world.customer.user, order))
    assert shown is not None and dt.datetime.fromisoformat(eta) == shown


@pytest.mark.django_db
def test_without_coordinates_the_en_route_event_says_the_eta_is_unknown(world):
    site = world.product.site
    site.latitude = site.longitude = None
    site.save()
    order = make_order(world, status=Status.EN_ROUTE)
    assert told(order)[-1].data["eta"] is None


@pytest.mark.django_db
def test_rating_and_rebooking_are_recorded(world):
    order = make_order(world, status=Status.COMPLETED)
    rate_order(order=order, actor=principal_of(world.customer.user), score=2, comment="没修好")
    before = ["2026-12-07T01:00:00+00:00", "2026-12-07T03:00:00+00:00"]
    after = ["2026-12-08T01:00:00+00:00", "2026-12-08T03:00:00+00:00"]
    with transaction.atomic():
        events.rescheduled(order=order, actor=principal_of(world.customer.user), before=before, after=after,
                           at=timezone.now())

    rated, moved = told(order)[-2:]
    assert (rated.kind, rated.data) == ("order.rated", {"number": order.number, "score": 2, "comment": "没修好"})
    assert (moved.kind, moved.data) == ("order.moved", {
        "number": order.number, "slot_start": after[0], "slot_end": after[1], "previous": before,
        "actor_role": "customer", "link": f"http://127.0.0.1:8000/portal/acme/orders/{order.pk}/"})


@pytest.mark.django_db
def test_a_change_that_rolls_back_takes_its_events_with_it(world):
    dispatcher = principal_of(world.dispatcher)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.create_work_order(actor=dispatcher, customer=world.customer, product=world.product,
                                   type=WorkOrderType.REPAIR, channel=Channel.HOTLINE, symptom="漏水")
        raise RuntimeError("the intake failed after the order")
    assert OutboxEvent.objects.count() == 0 and WorkOrder.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_sink_gets_the_new_order_after_its_commit_with_its_number(sink):
    # Committed for real: on PostgreSQL the order, its event and the outbox's rows are one statement.
    world = build_world()
    order = services.create_work_order(
        actor=principal_of(world.dispatcher), customer=world.customer, product=world.product,
        type=WorkOrderType.REPAIR, channel=Channel.HOTLINE, symptom="漏水",
        slot_start=timezone.now() + dt.timedelta(days=1), slot_end=timezone.now() + dt.timedelta(days=1, hours=2))

    assert [kind for kind, _ in sink] == ["order.created"]
    data = sink[0][1]
    assert data["number"] == order.number and data["slot_start"] == order.slot_start.isoformat()
    delivery = Delivery.objects.get(event__work_order_id=order.pk, sink="test_messages")
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)


@pytest.mark.django_db(transaction=True)
def test_a_failing_sink_does_not_stop_the_sla_watch_nor_the_dispatchers_inbox():
    world = build_world()
    order = make_order(world, status=Status.ACCEPTED)
    before = dict(outbox.sinks._by_name)

    def broken(event):
        raise ConnectionError("SMS gateway down")

    outbox.sinks.register(outbox.Sink(name="sms", kinds=frozenset({"sla.alert"}), deliver=broken))
    try:
        assert sweep(now=order.onsite_due + dt.timedelta(minutes=1)) == {"onsite_breached": 1}
    finally:
        outbox.sinks._by_name.clear()
        outbox.sinks._by_name.update(before)

    assert WorkOrder.objects.get(pk=order.pk).onsite_alert == "breached"
    assert list(Notification.objects.values_list("recipient_id", "key")) == [
        (world.dispatcher.pk, f"sla:{order.pk}:onsite:breached")]
    alert = OutboxEvent.objects.get(kind="sla.alert")
    assert alert.data == {"number": order.number, "clock": "onsite", "state": "breached",
                          "due": order.onsite_due.isoformat()}
    assert dict(Delivery.objects.filter(event=alert).values_list("sink", "status")) == {
        "in_app": DeliveryStatus.DELIVERED, "sms": DeliveryStatus.PENDING}


def _windows(order) -> list[tuple[str, str | None, object]]:
    return [(e.kind, e.data["slot_start"], e.data["previous"]) for e in told(order)
            if e.kind in ("order.booked", "order.moved")]


@pytest.mark.django_db
def test_every_way_the_window_changes_records_one_event_with_it(world, api_as):
    order = make_order(world, status=Status.ASSIGNED)
    desk = principal_of(world.dispatcher)
    friday = ["2027-01-08T01:00:00+00:00", "2027-01-08T03:00:00+00:00"]
    saturday = ["2027-01-09T06:00:00+00:00", "2027-01-09T08:00:00+00:00"]

    # The desk's edit: a first window is a booking, another window a move, a change of something else nothing
    order = services.update_work_order(order=order, actor=desk, changes={
        "slot_start": dt.datetime.fromisoformat(friday[0]), "slot_end": dt.datetime.fromisoformat(friday[1])})
    order = services.update_work_order(order=order, actor=desk, changes={"priority": "high", "symptom": "漏水"})
    assert _windows(order) == [("order.booked", friday[0], None)]
    # The API's PATCH (the same service), in another zone: the same instant is no change, a new one a move
    answer = api_as("dispatcher").patch(f"/api/v1/workorders/{order.pk}", {
        "slot_start": "2027-01-08T09:00:00+08:00", "slot_end": "2027-01-08T11:00:00+08:00"},
        content_type="application/json")
    assert answer.status_code == 200, answer.content
    answer = api_as("dispatcher").patch(f"/api/v1/workorders/{order.pk}", {
        "slot_start": "2027-01-09T14:00:00+08:00", "slot_end": "2027-01-09T16:00:00+08:00"},
        content_type="application/json")
    assert answer.status_code == 200, answer.content
    order.refresh_from_db()
    assert _windows(order)[1:] == [("order.moved", saturday[0], friday)]
    # Taken back: a move to no window
    order = services.update_work_order(order=order, actor=desk, changes={"slot_start": None, "slot_end": None})
    assert _windows(order)[2:] == [("order.moved", None, saturday)]
    # The customer's timeline says each once: booked, moved, moved (each window as the messages write it)
    shown = [e for e in customer_timeline(world.customer.user, order) if e.kind == "rescheduled"]
    with translation.override("zh-hans"):
        assert [str(tracking.event_text(e)) for e in shown] == [
            "已预约上门：1月8日 09:00–11:00", "预约已改到 1月9日 14:00–16:00", "预约时间已修改"]


@pytest.mark.django_db
def test_a_window_change_that_rolls_back_takes_its_event_with_it(world):
    order = make_order(world, status=Status.ASSIGNED)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.update_work_order(order=order, actor=principal_of(world.dispatcher), changes={
            "slot_start": dt.datetime(2027, 1, 8, 1, 0, tzinfo=dt.UTC),
            "slot_end": dt.datetime(2027, 1, 8, 3, 0, tzinfo=dt.UTC)})
        raise RuntimeError("the caller failed after the edit")
    assert _windows(order) == []
    assert WorkOrder.objects.get(pk=order.pk).slot_start is None
