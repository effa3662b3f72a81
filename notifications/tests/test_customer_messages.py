"""Customer messages: one per event per channel, opt-out, quiet hours, failing providers, retries."""

from __future__ import annotations

import datetime as dt
import json
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from accounts.principal import principal_of
from core import outbox
from core.models import Delivery, OutboxEvent
from integrations.tests.factories import OFFICIAL_ID, cdata, post_wechat
from notifications import customer_messages
from notifications.choices import MessageStatus
from notifications.models import CustomerMessage, CustomerPreference
from notifications.tests.messaging import OPENID, Event
from workorders import events, services, workflow
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
NIGHT = dt.datetime(2026, 12, 7, 22, 30, tzinfo=SHANGHAI)


def rows(event):
    return {m.channel: m for m in CustomerMessage.objects.filter(event_id=event.pk)}


@pytest.fixture
def order(world):
    return make_order(world, status=Status.DISPATCHED)


def test_an_event_is_one_message_per_channel_sent_once_however_often_it_is_delivered(world, providers, order):
    event = Event("order.assigned", world.brand.pk, order.pk)

    customer_messages.deliver(event, now=DAY)
    customer_messages.deliver(event, now=DAY)

    sent = rows(event)
    assert {c: m.status for c, m in sent.items()} == {"sms": "sent", "wechat": "sent", "email": "sent"}
    assert len(providers.sms.sent) == len(providers.wechat.sent) == len(providers.smtp.messages) == 1
    sms = providers.sms.sent[0]
    assert sms["PhoneNumbers"] == "13900000001" and sms["SignName"] == "Acme"
    assert sms["TemplateCode"] == "SMS_460003"
    assert sent["sms"].provider_id == "900619746936^0"
    assert sent["sms"].text == f"【Acme】tech_a师傅将为您处理服务单 {order.number}。"
    assert providers.wechat.sent[0]["touser"] == OPENID
    assert sent["wechat"].provider_id == str(providers.wechat.sent[0]["msgid"])
    mail = providers.smtp.messages[0]
    assert mail["To"] == "customer@example.com" and order.number in mail["Subject"]


def test_a_customer_who_opted_out_of_a_channel_gets_nothing_on_it(world, providers, order):
    CustomerPreference.objects.create(customer=world.customer, sms=False)
    event = Event("order.assigned", world.brand.pk, order.pk)

    customer_messages.deliver(event, now=DAY)
    customer_messages.send_due(now=DAY + dt.timedelta(days=2))

    assert rows(event)["sms"].status == MessageStatus.SUPPRESSED
    assert providers.sms.sent == []
    assert rows(event)["wechat"].status == rows(event)["email"].status == MessageStatus.SENT


def test_a_customer_who_opts_out_while_a_message_waits_gets_nothing(world, providers, order):
    booked = Event("order.booked", world.brand.pk, order.pk)
    customer_messages.deliver(booked, now=NIGHT)  # the SMS waits for the morning
    assert rows(booked)["sms"].status == MessageStatus.DEFERRED

    CustomerPreference.objects.create(customer=world.customer, sms=False)
    customer_messages.send_due(now=dt.datetime(2026, 12, 8, 8, 0, tzinfo=SHANGHAI))

    assert rows(booked)["sms"].status == MessageStatus.SUPPRESSED
    assert rows(booked)["sms"].next_attempt_at is None
    assert providers.sms.sent == []


def test_quiet_hours_defer_sms_to_eight_except_for_the_technician_on_the_way(world, providers, order):
    booked = Event("order.booked", world.brand.pk, order.pk)
    on_the_way = Event("order.en_route", world.brand.pk, order.pk, data={"eta": "2026-12-07T14:50:00Z"})

    customer_messages.deliver(booked, now=NIGHT)
    customer_messages.deliver(on_the_way, now=NIGHT)

    deferred = rows(booked)["sms"]
    assert deferred.status == MessageStatus.DEFERRED
    assert deferred.next_attempt_at == dt.datetime(2026, 12, 8, 8, 0, tzinfo=SHANGHAI)
    assert rows(booked)["wechat"].status == MessageStatus.SENT  # quiet hours hold for SMS only
    assert rows(on_the_way)["sms"].status == MessageStatus.SENT
    assert "22:50" in rows(on_the_way)["sms"].text
    assert [m["TemplateCode"] for m in providers.sms.sent] == ["SMS_460004"]

    assert customer_messages.send_due(now=dt.datetime(2026, 12, 8, 7, 59, tzinfo=SHANGHAI)) == 0
    morning = dt.datetime(2026, 12, 8, 8, 0, tzinfo=SHANGHAI)
    assert customer_messages.send_due(now=morning) == 1
    assert customer_messages.send_due(now=morning) == 0
    assert rows(booked)["sms"].status == MessageStatus.SENT
    assert len(providers.sms.sent) == 2


def test_a_held_sms_names_the_technician_of_its_event_not_the_one_who_has_the_job_by_morning(world, providers):
    # Given an order dispatched to tech_a late in the evening, and its messages not yet written (the outbox's
    # worker is behind, as it is after a restart): the order.assigned event is in the outbox
    order = make_order(world, status=Status.ASSIGNED)
    dispatcher = principal_of(world.dispatcher)
    order = workflow.transition(order, "dispatch", actor=dispatcher, technician=world.tech_a, now=NIGHT)
    # When the outlet gives the job to tech_a2 before the SMS may go out (08:00)
    order = workflow.transition(order, "recall", actor=dispatcher, reason="tech_a is ill", now=NIGHT)
    order = workflow.transition(order, "dispatch", actor=dispatcher, technician=world.tech_a2, now=NIGHT)
    assert WorkOrder.objects.get(pk=order.pk).technician == world.tech_a2
    first, second = OutboxEvent.objects.filter(kind="order.assigned", work_order_id=order.pk).order_by("pk")
    for event in (first, second):  # the sink, as the outbox hands it the events that night
        customer_messages.deliver(event, now=NIGHT + dt.timedelta(minutes=5))
    assert rows(first)["sms"].status == rows(second)["sms"].status == MessageStatus.DEFERRED
    assert customer_messages.send_due(now=dt.datetime(2026, 12, 8, 8, 0, tzinfo=SHANGHAI)) == 2

    # Then the first SMS (sent at 08:00) names tech_a, whom the event was about, and the new assignment is a
    # message of its own naming tech_a2; WeChat and e-mail, sent at once, say the same
    assert rows(first)["sms"].text == f"【Acme】tech_a师傅将为您处理服务单 {order.number}。"
    assert rows(second)["sms"].text == f"【Acme】tech_a2师傅将为您处理服务单 {order.number}。"
    assert [json.loads(m["TemplateParam"])["technician"] for m in providers.sms.sent] == ["tech_a师傅", "tech_a2师傅"]
    assert rows(first)["wechat"].text == rows(first)["email"].text == f"tech_a师傅将为您处理服务单 {order.number}。"


def test_a_booking_message_tells_the_window_of_its_event_after_the_window_moved_again(world, providers):
    order = make_order(world, status=Status.ASSIGNED)
    monday = ["2026-12-14T01:00:00+00:00", "2026-12-14T03:00:00+00:00"]  # 09:00–11:00 in Shanghai
    with transaction.atomic():
        events.rescheduled(order=order, actor=principal_of(world.customer.user), before=[None, None], after=monday,
                           at=NIGHT)
    # The desk moves the visit to Tuesday afternoon before the night's SMS may go out
    tuesday = {"slot_start": dt.datetime(2026, 12, 15, 14, 0, tzinfo=SHANGHAI),
               "slot_end": dt.datetime(2026, 12, 15, 16, 0, tzinfo=SHANGHAI)}
    services.update_work_order(order=order, actor=principal_of(world.dispatcher), changes=tuesday)
    # (the desk's change is an event, and a message, of its own: the first one still tells Monday)
    booked = OutboxEvent.objects.filter(kind="order.booked", work_order_id=order.pk).order_by("pk").first()

    customer_messages.deliver(booked, now=NIGHT + dt.timedelta(minutes=5))
    customer_messages.send_due(now=dt.datetime(2026, 12, 8, 8, 0, tzinfo=SHANGHAI))

    assert rows(booked)["sms"].status == MessageStatus.SENT
    assert rows(booked)["sms"].text == f"【Acme】您的服务单 {order.number} 已预约上门时间：12月14日 09:00–11:00。"


@pytest.mark.parametrize(("code", "retried"), [("isv.AMOUNT_NOT_ENOUGH", True), ("isv.BUSINESS_LIMIT_CONTROL", True),
                                               ("isv.MOBILE_NUMBER_ILLEGAL", False)])
def test_a_failing_gateway_fails_the_message_not_the_order_and_it_is_retried(world, providers, order, code, retried):
    providers.sms.fail_with = code
    before = (order.status, order.version)
    event = Event("order.assigned", world.brand.pk, order.pk)

    customer_messages.deliver(event, now=DAY)

    failed = rows(event)["sms"]
    assert (failed.status, failed.error_code, failed.attempts) == (MessageStatus.FAILED, code, 1)
    order.refresh_from_db()
    assert (order.status, order.version) == before
    providers.sms.fail_with = ""
    later = DAY + dt.timedelta(minutes=2)
    assert customer_messages.send_due(now=later) == (1 if retried else 0)
    assert rows(event)["sms"].status == (MessageStatus.SENT if retried else MessageStatus.FAILED)
    assert failed.next_attempt_at == (DAY + dt.timedelta(minutes=1) if retried else None)


def test_an_unreachable_gateway_is_retried_with_backoff_until_it_gives_up(world, providers, order, settings):
    settings.ALIYUN_SMS = {**settings.ALIYUN_SMS, "URL": "http://127.0.0.1:9"}  # nothing listens there
    event = Event("order.assigned", world.brand.pk, order.pk)
    customer_messages.deliver(event, now=DAY)
    when = DAY
    for _attempt in range(customer_messages.MAX_ATTEMPTS - 1):
        when = rows(event)["sms"].next_attempt_at
        assert customer_messages.send_due(now=when) == 1
    message = rows(event)["sms"]
    assert (message.status, message.error_code, message.attempts) == ("failed", "unreachable", 6)
    assert message.next_attempt_at is None


def test_the_wechat_token_is_fetched_once_and_refreshed_when_wechat_says_it_expired(world, providers, order):
    for kind in ("order.assigned", "order.arrived"):
        customer_messages.deliver(Event(kind, world.brand.pk, order.pk), now=DAY)
    assert providers.wechat.token_requests == 1

    providers.wechat.expire_all()
    event = Event("order.completed", world.brand.pk, order.pk)
    customer_messages.deliver(event, now=DAY)

    assert rows(event)["wechat"].status == MessageStatus.SENT
    assert providers.wechat.token_requests == 2
    assert len(providers.wechat.sent) == 3


def test_a_user_who_unfollowed_the_account_fails_the_wechat_message_for_good(world, providers, order):
    providers.wechat.fail_with = (43004, "require subscribe")
    event = Event("order.assigned", world.brand.pk, order.pk)
    customer_messages.deliver(event, now=DAY)
    message = rows(event)["wechat"]
    assert (message.status, message.error_code, message.next_attempt_at) == ("failed", "43004", None)


def test_a_refused_mail_is_failed_and_retried(world, providers, order):
    providers.smtp.refuse_with = "451 4.3.0 Try again later"
    event = Event("order.assigned", world.brand.pk, order.pk)
    customer_messages.deliver(event, now=DAY)
    assert rows(event)["email"].status == MessageStatus.FAILED
    providers.smtp.refuse_with = ""
    customer_messages.send_due(now=DAY + dt.timedelta(minutes=1))
    assert rows(event)["email"].status == MessageStatus.SENT
    assert len(providers.smtp.messages) == 1


def test_two_senders_at_once_send_each_due_message_once(world, providers, order, transactional_db):
    # The order's own steps were told on their commits (workorders/events.py); this test's six come after.
    CustomerMessage.objects.all().delete()
    providers.sms.sent.clear()
    events = [Event("order.booked", world.brand.pk, order.pk) for _ in range(6)]
    for event in events:
        customer_messages.record(event, now=NIGHT)
    morning = dt.datetime(2026, 12, 8, 8, 0, tzinfo=SHANGHAI)
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        customer_messages.send_due(now=morning)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(providers.sms.sent) == 6
    assert CustomerMessage.objects.filter(channel="sms", status="sent").count() == 6


def test_events_that_do_not_concern_the_customer_write_nothing(world, providers, order):
    customer_messages.deliver(Event("sla.alert", world.brand.pk, order.pk), now=DAY)
    assert not CustomerMessage.objects.exists()


def test_an_event_recorded_in_the_outbox_reaches_the_customer_once(world, providers, order,
                                                                    django_capture_on_commit_callbacks):
    # The order's own steps (recorded by make_order in this uncommitted test) are told first, and forgotten.
    outbox.deliver_due()
    providers.wechat.sent.clear()
    providers.smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox.record("order.arrived", brand_id=world.brand.pk, work_order_id=order.pk,
                      subject=("workorder", order.pk), data={"number": order.number})
    outbox.deliver_due(now=timezone.now() + dt.timedelta(hours=1))

    event = OutboxEvent.objects.get(kind="order.arrived")
    sent = rows(event)
    quiet = customer_messages.quiet_until(event.created_at) is not None
    assert sent["sms"].status == (MessageStatus.DEFERRED if quiet else MessageStatus.SENT)
    assert sent["wechat"].status == sent["email"].status == MessageStatus.SENT
    assert len(providers.wechat.sent) == len(providers.smtp.messages) == 1
    assert Delivery.objects.get(event=event, sink="customer_messages").status == "delivered"


def test_wechat_reports_a_template_message_delivered_or_blocked(world, providers, order):
    customer_messages.deliver(Event("order.assigned", world.brand.pk, order.pk), now=DAY)
    customer_messages.deliver(Event("order.arrived", world.brand.pk, order.pk), now=DAY)
    first, second = CustomerMessage.objects.filter(channel="wechat").order_by("pk")

    def finished(message, status, at):
        body = (f"<xml><ToUserName>{cdata(OFFICIAL_ID)}</ToUserName><FromUserName>{cdata(OPENID)}</FromUserName>"
                f"<CreateTime>{at}</CreateTime><MsgType>{cdata('event')}</MsgType>"
                f"<Event>{cdata('TEMPLATESENDJOBFINISH')}</Event><MsgID>{message.provider_id}</MsgID>"
                f"<Status>{cdata(status)}</Status></xml>").encode()
        return post_wechat("acme", body)

    # In the same second: two reports about two messages, not a retry of one.
    assert finished(first, "success", 1796601600).status_code == 200
    assert finished(second, "failed:user block", 1796601600).status_code == 200

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.delivered_at.timestamp()) == (MessageStatus.DELIVERED, 1796601600)
    assert (second.status, second.error_code) == (MessageStatus.FAILED, "failed:user block")


def test_an_smtp_connection_gives_up_on_a_stalled_server_within_ten_seconds():
    assert get_connection("django.core.mail.backends.smtp.EmailBackend").timeout == 10


def test_the_desk_booking_then_moving_the_visit_tells_the_customer_each_once_per_channel(world, providers):
    # Given an order taken without a window, its customer reading Chinese
    order = make_order(world, status=Status.ASSIGNED)
    desk = principal_of(world.dispatcher)
    friday = {"slot_start": dt.datetime(2027, 1, 8, 9, 0, tzinfo=SHANGHAI),
              "slot_end": dt.datetime(2027, 1, 8, 11, 0, tzinfo=SHANGHAI)}
    saturday = {"slot_start": dt.datetime(2027, 1, 9, 14, 0, tzinfo=SHANGHAI),
                "slot_end": dt.datetime(2027, 1, 9, 16, 0, tzinfo=SHANGHAI)}

    # When the desk books a window in the order's edit, then moves it, then changes only the priority
    order = services.update_work_order(order=order, actor=desk, changes=dict(friday))
    order = services.update_work_order(order=order, actor=desk, changes=dict(saturday))
    services.update_work_order(order=order, actor=desk, changes={"priority": "high"})
    told = list(OutboxEvent.objects.filter(work_order_id=order.pk, kind__in=("order.booked", "order.moved"))
                .order_by("pk"))
    for event in told:
        customer_messages.deliver(event, now=DAY)
        customer_messages.deliver(event, now=DAY)  # the outbox may hand it over twice

    # Then the customer was told of the booking and of the move, once per channel each, in Chinese
    booked, moved = told
    assert (booked.kind, moved.kind) == ("order.booked", "order.moved")
    assert rows(booked)["sms"].text == f"【Acme】您的服务单 {order.number} 已预约上门时间：1月8日 09:00–11:00。"
    assert rows(moved)["sms"].text == f"【Acme】您的服务单 {order.number} 上门时间已改到：1月9日 14:00–16:00。"
    assert rows(moved)["wechat"].text == rows(moved)["email"].text == (
        f"您的服务单 {order.number} 上门时间已改到：1月9日 14:00–16:00。")
    assert [m["TemplateCode"] for m in providers.sms.sent] == ["SMS_460002", "SMS_460011"]
    assert len(providers.wechat.sent) == len(providers.smtp.messages) == 2
    assert CustomerMessage.objects.filter(work_order=order).count() == 6
    # The WeChat template's last line says what the customer can do about an order still to come
    assert {m["data"]["remark"]["value"] for m in providers.wechat.sent} == {"还在等？回复“催单”，我们会尽快催促处理。"}


def test_a_customer_reading_english_is_told_the_visit_moved_in_english(world, providers):
    CustomerPreference.objects.create(customer=world.customer, language="en")
    order = make_order(world, status=Status.ASSIGNED)
    desk = principal_of(world.dispatcher)
    order = services.update_work_order(order=order, actor=desk, changes={
        "slot_start": dt.datetime(2027, 1, 8, 9, 0, tzinfo=SHANGHAI),
        "slot_end": dt.datetime(2027, 1, 8, 11, 0, tzinfo=SHANGHAI)})
    services.update_work_order(order=order, actor=desk, changes={"slot_start": None, "slot_end": None})
    moved = OutboxEvent.objects.get(kind="order.moved", work_order_id=order.pk)

    customer_messages.deliver(moved, now=DAY)

    assert rows(moved)["email"].text == (
        f"Your service visit {order.number} has been moved to a time we will confirm with you.")
    assert rows(moved)["sms"].template == "SMS_460111"
    assert providers.wechat.sent[0]["data"]["remark"]["value"] == (
        "Waiting too long? Reply 催单 (urge) and we will hurry it along.")
