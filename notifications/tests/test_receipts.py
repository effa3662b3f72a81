"""SMS delivery receipts: the periodic job asks the Aliyun stand-in (QuerySendDetails over loopback HTTP) about the
text messages it took and writes delivered / failed on them, for the order's timeline and the API."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test import Client
from django.utils import timezone

from conftest import race
from core.periodic import periodic_tasks
from notifications import customer_messages, receipts
from notifications.choices import MessageStatus
from notifications.models import CustomerMessage
from notifications.tasks import collect_sms_receipts
from notifications.tests.messaging import Event
from workorders.choices import Status
from workorders.tests.factories import make_order

from .test_customer_messages import DAY

PHONE = "13900000001"  # the world's customer


@pytest.fixture
def order(world):
    return make_order(world, status=Status.DISPATCHED)


def sms_of(event) -> CustomerMessage:
    return CustomerMessage.objects.get(event_id=event.pk, channel="sms")


def queries(providers) -> list[dict[str, str]]:
    return [r.query for r in providers.sms.log if r.query.get("Action") == "QuerySendDetails"]


def test_a_text_message_is_waiting_then_delivered_on_the_timeline_and_in_the_api(world, providers, order, api_as):
    providers.sms.deliver_after = 0.5
    event = Event("order.assigned", world.brand.pk, order.pk)
    customer_messages.deliver(event, now=DAY)
    sent = sms_of(event)
    now = timezone.now()

    assert receipts.collect(now=now) == {"waiting": 1}
    assert receipts.collect(now=now) == {}  # asked a moment ago: not again before its time
    waiting = sms_of(event)
    assert (waiting.status, waiting.receipt_due_at) == (MessageStatus.SENT, now + receipts.FIRST_WAIT)
    assert queries(providers)[-1]["BizId"] == sent.provider_id

    time.sleep(0.6)
    assert receipts.collect(now=now + receipts.FIRST_WAIT) == {"delivered": 1}

    delivered = sms_of(event)
    assert delivered.status == MessageStatus.DELIVERED
    assert abs(delivered.delivered_at - sent.sent_at) < dt.timedelta(seconds=2)
    assert len(queries(providers)) == 2
    answer = api_as("dispatcher").get(f"/api/v1/workorders/{order.pk}/messages").json()
    sms = next(m for m in answer if m["channel"] == "sms")
    assert (sms["status"], sms["error_code"]) == ("delivered", "")
    assert sms["delivered_at"] == delivered.delivered_at.isoformat().replace("+00:00", "Z")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.manager_a)
    html = client.get(f"/console/orders/{order.pk}/").content.decode()
    assert 'data-channel="sms" data-status="delivered"' in html
    assert f"Delivered at <time datetime=\"{timezone.localtime(delivered.delivered_at).isoformat()}\">" in html


def test_a_text_message_to_an_unreachable_number_fails_with_the_carriers_code_and_is_not_sent_again(
        world, providers, order, api_as):
    providers.sms.deliver_after = 0
    providers.sms.unreachable[PHONE] = "MK:0001"
    event = Event("order.assigned", world.brand.pk, order.pk)
    customer_messages.deliver(event, now=DAY)

    assert receipts.collect() == {"failed": 1}

    failed = sms_of(event)
    assert (failed.status, failed.error_code, failed.next_attempt_at) == (MessageStatus.FAILED, "MK:0001", None)
    assert customer_messages.send_due(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert len(providers.sms.sent) == 1
    assert receipts.collect(now=timezone.now() + dt.timedelta(days=1)) == {}
    sms = next(m for m in api_as("customer").get(f"/api/v1/workorders/{order.pk}/messages").json()
               if m["channel"] == "sms")
    assert (sms["status"], sms["status_label"], sms["error_code"]) == ("failed", "未送达", "MK:0001")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.manager_a)
    html = client.get(f"/console/orders/{order.pk}/").content.decode()
    assert 'data-channel="sms" data-status="failed"' in html
    assert '<span class="badge message-failed">未送达</span>' in html
    assert "送达回执: <code>MK:0001</code>" in html


def test_a_gateway_that_cannot_answer_leaves_the_message_sent_and_it_is_asked_again(world, providers, order,
                                                                                   settings):
    providers.sms.deliver_after = 0
    event = Event("order.assigned", world.brand.pk, order.pk)
    customer_messages.deliver(event, now=DAY)
    settings.ALIYUN_SMS = {**settings.ALIYUN_SMS, "ACCESS_KEY_SECRET": "rotated"}
    now = timezone.now()

    assert receipts.collect(now=now) == {"error": 1}
    assert sms_of(event).status == MessageStatus.SENT

    settings.ALIYUN_SMS = {**settings.ALIYUN_SMS, "ACCESS_KEY_SECRET": "sms-secret"}
    assert receipts.collect(now=now + receipts.FIRST_WAIT) == {"delivered": 1}


def test_only_text_messages_the_gateway_took_within_its_window_are_asked_about(world, providers, order):
    providers.sms.deliver_after = 0
    customer_messages.deliver(Event("order.assigned", world.brand.pk, order.pk), now=DAY)
    customer_messages.deliver(Event("order.arrived", world.brand.pk, order.pk), now=DAY)
    old, recent = CustomerMessage.objects.filter(channel="sms").order_by("pk")
    CustomerMessage.objects.filter(pk=old.pk).update(sent_at=timezone.now() - dt.timedelta(days=29, hours=1))

    assert receipts.collect() == {"delivered": 1}  # the recent one; WeChat and email have their own reports

    assert [q["BizId"] for q in queries(providers)] == [recent.provider_id]
    assert CustomerMessage.objects.get(pk=old.pk).status == MessageStatus.SENT


def test_a_backend_without_receipts_is_not_asked(world, providers, order, settings):
    customer_messages.deliver(Event("order.assigned", world.brand.pk, order.pk), now=DAY)
    settings.SMS_BACKEND = "core.sms.LogBackend"
    assert receipts.collect() == {}
    assert queries(providers) == []


def test_the_periodic_job_collects_and_two_at_once_ask_about_each_message_once(world, providers, order,
                                                                               transactional_db):
    assert collect_sms_receipts in periodic_tasks()
    providers.sms.deliver_after = 0
    CustomerMessage.objects.all().delete()
    for kind in ("order.assigned", "order.en_route", "order.arrived", "order.completed"):
        customer_messages.deliver(Event(kind, world.brand.pk, order.pk), now=DAY)
    now = timezone.now()

    results = race(lambda i: receipts.collect(now=now), 2)

    assert sum(result.get("delivered", 0) for result in results) == 4, results  # each message by one of them
    assert len(queries(providers)) == 4
    assert CustomerMessage.objects.filter(channel="sms", status="delivered").count() == 4
    assert collect_sms_receipts.call() == {}
