"""The outbox in the admin: read-only, the brand's own events only, and "retry now" for a dead delivery."""

from __future__ import annotations

import pytest
from django.test import Client

from core import outbox
from core.models import Delivery, DeliveryStatus, OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_sink():
    calls: list[int] = []

    def deliver(event: OutboxEvent) -> None:
        calls.append(event.pk)
        if len(calls) <= outbox.MAX_ATTEMPTS:
            raise TimeoutError("gateway timed out")

    others = list(outbox.sinks)  # the apps' own sinks (customer messages take order.booked) stand aside
    for sink in others:
        outbox.sinks.unregister(sink.name)
    outbox.sinks.register(outbox.Sink(name="sms", deliver=deliver))
    yield calls
    outbox.sinks.unregister("sms")
    for sink in others:
        outbox.sinks.register(sink)


@pytest.fixture
def brand_admin(world):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.admin)
    return client


def test_the_brand_sees_its_own_events_and_edits_nothing(world, brand_admin, failing_sink):
    ours = outbox.record("order.booked", brand_id=world.brand.pk, data={"number": "WO-OURS"})
    theirs = outbox.record("order.booked", brand_id=world.other_brand.pk, data={"number": "WO-THEIRS"})
    outbox.deliver_due()
    delivery = Delivery.objects.get(event=ours)

    listing = brand_admin.get("/admin/core/outboxevent/").content.decode()
    assert f"/admin/core/outboxevent/{ours.pk}/change/" in listing
    assert f"/admin/core/outboxevent/{theirs.pk}/change/" not in listing
    assert brand_admin.get(f"/admin/core/outboxevent/{theirs.pk}/change/").status_code == 302  # not found
    page = brand_admin.get(f"/admin/core/outboxevent/{ours.pk}/change/").content.decode()
    assert "WO-OURS" in page and "sms" in page
    attempts = brand_admin.get(f"/admin/core/delivery/{delivery.pk}/change/").content.decode()
    assert "TimeoutError: gateway timed out" in attempts
    assert brand_admin.get("/admin/core/deliveryattempt/").status_code == 200
    assert Delivery.objects.get(event=theirs).pk not in {
        d.pk for d in brand_admin.get("/admin/core/delivery/").context["cl"].result_list}

    brand_admin.post(f"/admin/core/delivery/{delivery.pk}/change/", {"status": "delivered"})
    brand_admin.post(f"/admin/core/outboxevent/{ours.pk}/delete/", {"post": "yes"})
    assert OutboxEvent.objects.filter(pk=ours.pk).exists()
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.PENDING


def test_retry_now_brings_a_dead_delivery_back_for_one_more_try(world, brand_admin, failing_sink):
    event = outbox.record("order.booked", brand_id=world.brand.pk)
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver_due(now=Delivery.objects.get().next_attempt_at)
    assert Delivery.objects.get().status == DeliveryStatus.DEAD

    response = brand_admin.post("/admin/core/delivery/", {
        "action": "retry_now", "_selected_action": [Delivery.objects.get().pk]}, follow=True)

    assert "1 delivery will be tried again now." in response.content.decode()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, outbox.MAX_ATTEMPTS - 1)
    outbox.deliver_due()
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED
    assert failing_sink == [event.pk] * (outbox.MAX_ATTEMPTS + 1)


def test_the_rival_brand_cannot_retry_our_delivery(world, failing_sink):
    outbox.record("order.booked", brand_id=world.brand.pk)
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver_due(now=Delivery.objects.get().next_attempt_at)
    world.rival_dispatcher.is_staff = world.rival_dispatcher.is_superuser = True
    world.rival_dispatcher.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.rival_dispatcher)

    client.post("/admin/core/delivery/", {"action": "retry_now", "_selected_action": [Delivery.objects.get().pk]})

    assert Delivery.objects.get().status == DeliveryStatus.DEAD
