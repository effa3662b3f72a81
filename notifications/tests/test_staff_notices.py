"""Staff notices follow each person's preferences (GET/PUT /api/v1/me/notification-preferences): in the console,
by e-mail through the real SMTP stand-in, once per event, the opt-out read again before an e-mail goes; and an
urge reaches each responsible dispatcher once, through the one in-app sink."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from accounts.choices import Role
from accounts.principal import principal_of
from complaints import services as complaint_services
from complaints.watch import sweep as watch_ladder
from conftest import _member
from core import outbox
from core.models import Delivery, DeliveryStatus, OutboxEvent
from core.smtp_standin import SmtpStandIn
from notifications.choices import MessageStatus
from notifications.models import Notification, StaffEmail
from notifications.tasks import notify_sla_alert
from workorders import urges
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.sla_watch import sweep as watch_sla
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db

MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def smtp(settings):
    server = SmtpStandIn().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://service.example.com"
    yield server
    server.stop()


@pytest.fixture
def people(world):
    """Everyone who may be told has an address on their account."""
    world.outlet_dispatcher = _member(world.outlet_a, Role.OUTLET_DISPATCHER, "outlet_dispatcher_a")
    for user in (world.dispatcher, world.outlet_dispatcher, world.manager_a):
        user.email = f"{user.username}@acme.example"
        user.save(update_fields=["email"])
    return world


def choose(client, **choices):
    answer = client.put("/api/v1/me/notification-preferences", json.dumps(choices), content_type="application/json")
    assert answer.status_code == 200, answer.content
    return answer.json()


def mails_to(server, user) -> list:
    return [m for m in server.messages if m["To"] == user.email]


def deliver_everything(at: dt.datetime | None = None) -> None:
    """The outbox's worker, some time after the events (a retry's backoff has passed by then)."""
    outbox.deliver_due(now=at or timezone.now() + HOUR)


def redeliver(kind: str) -> None:
    """The outbox hands the in-app sink the same event again (an admin's "retry now", a worker that died)."""
    delivery = Delivery.objects.get(event__kind=kind, sink="in_app")
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, next_attempt_at=timezone.now())
    deliver_everything()


def breach(world) -> WorkOrder:
    order = make_order(world, status=Status.ACCEPTED)
    assert watch_sla(now=order.onsite_due + MIN) == {"onsite_breached": 1}
    return order


def test_who_turned_email_on_gets_each_sla_alert_once_by_email_and_the_others_in_the_console_only(
        people, smtp, api_as):
    # Given the brand's dispatcher turned e-mail on, in English; the outlet's dispatcher left the defaults
    assert choose(api_as("dispatcher"), email=True, language="en")["email"] is True

    # When an order's on-site deadline is missed and the outbox delivers the alert, and then again
    order = breach(people)
    deliver_everything()
    redeliver("sla.alert")

    # Then both read it in the console, and only the brand's dispatcher by e-mail, once
    key = f"sla:{order.pk}:onsite:breached"
    assert set(Notification.objects.filter(key=key).values_list("recipient_id", flat=True)) == {
        people.dispatcher.pk, people.outlet_dispatcher.pk}
    [mail] = mails_to(smtp, people.dispatcher)
    assert mails_to(smtp, people.outlet_dispatcher) == []
    assert mail["Subject"].strip() == f"Acme: On-site deadline missed ({order.number})"
    body = mail.get_content()
    assert "No technician was on site by the deadline" in body
    assert f"Open it in the console: https://service.example.com/console/orders/{order.pk}/" in body
    sent = StaffEmail.objects.get(recipient=people.dispatcher)
    assert (sent.key, sent.status, sent.attempts, sent.language) == (key, MessageStatus.SENT, 1, "en")
    assert mail["Message-ID"] == sent.provider_id


def test_who_turned_the_console_off_gets_the_alert_by_email_only_in_their_language(people, smtp, api_as):
    choose(api_as("dispatcher"), in_app=False, email=True)

    order = breach(people)
    deliver_everything()

    assert not Notification.objects.filter(recipient=people.dispatcher).exists()
    assert Notification.objects.filter(recipient=people.outlet_dispatcher).count() == 1
    [mail] = mails_to(smtp, people.dispatcher)
    assert mail["Subject"].strip() == f"Acme：上门已超时（{order.number}）"
    assert "在控制台中查看：" in mail.get_content()


def test_nobody_who_left_email_off_is_mailed(people, smtp):
    breach(people)
    deliver_everything()
    assert smtp.messages == [] and not StaffEmail.objects.exists()
    assert Notification.objects.count() == 2


def test_a_refused_mail_is_retried_by_the_outbox_and_sent_once(people, smtp, api_as):
    choose(api_as("dispatcher"), email=True)
    smtp.refuse_with = "451 4.3.0 Try again later"
    breach(people)
    deliver_everything()

    waiting = StaffEmail.objects.get(recipient=people.dispatcher)
    assert (waiting.status, waiting.error_code) == (MessageStatus.FAILED, "SMTPRecipientsRefused")
    in_app = Delivery.objects.get(event__kind="sla.alert", sink="in_app")
    assert in_app.status == DeliveryStatus.PENDING and "still to send" in in_app.last_error
    assert Notification.objects.filter(recipient=people.dispatcher).count() == 1  # the console did not wait

    smtp.refuse_with = ""
    deliver_everything(at=timezone.now() + 2 * HOUR)
    deliver_everything(at=timezone.now() + 3 * HOUR)

    assert len(mails_to(smtp, people.dispatcher)) == 1
    sent = StaffEmail.objects.get(recipient=people.dispatcher)
    assert (sent.status, sent.attempts) == (MessageStatus.SENT, 2)
    assert Delivery.objects.get(pk=in_app.pk).status == DeliveryStatus.DELIVERED
    assert Notification.objects.filter(recipient=people.dispatcher).count() == 1


def test_who_turns_email_off_while_the_mail_waits_for_a_retry_is_not_mailed(people, smtp, api_as):
    client = api_as("dispatcher")
    choose(client, email=True)
    smtp.refuse_with = "451 4.3.0 Try again later"
    breach(people)
    deliver_everything()
    assert StaffEmail.objects.get(recipient=people.dispatcher).status == MessageStatus.FAILED

    choose(client, email=False)
    smtp.refuse_with = ""
    deliver_everything(at=timezone.now() + 2 * HOUR)

    assert smtp.messages == []
    suppressed = StaffEmail.objects.get(recipient=people.dispatcher)
    assert (suppressed.status, suppressed.next_attempt_at) == (MessageStatus.SUPPRESSED, None)
    assert Delivery.objects.get(event__kind="sla.alert", sink="in_app").status == DeliveryStatus.DELIVERED


def test_a_mail_the_server_refuses_for_good_is_not_retried(people, smtp, api_as):
    choose(api_as("dispatcher"), email=True)
    smtp.refuse_with = "550 5.1.1 No such mailbox"
    breach(people)
    deliver_everything()

    refused = StaffEmail.objects.get(recipient=people.dispatcher)
    assert (refused.status, refused.next_attempt_at) == (MessageStatus.FAILED, None)
    assert Delivery.objects.get(event__kind="sla.alert", sink="in_app").status == DeliveryStatus.DELIVERED


def test_a_complaint_escalated_to_the_outlet_manager_reaches_them_by_email_once(people, smtp, api_as):
    choose(api_as("manager_a"), email=True)
    t0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # a Monday, 10:00 in Shanghai
    complaint = complaint_services.open_complaint(
        actor=principal_of(people.hotline), customer=people.customer, order=make_order(people, status=Status.COMPLETED),
        category="no_show", description="一直没人上门", severity="high", opened_at=t0)

    assert watch_ladder(now=t0 + 3 * HOUR) == {"escalated": 1}
    deliver_everything()
    Delivery.objects.filter(event__kind="complaint.escalated").update(status=DeliveryStatus.PENDING)
    deliver_everything()

    # The outlet's manager heard once that it was received (complaint.opened), and once that it reached them
    mails = {m["Subject"].strip(): m for m in mails_to(smtp, people.manager_a)}
    assert len(mails_to(smtp, people.manager_a)) == 2
    assert set(mails) == {f"Acme：投诉已受理（{complaint.number}）", f"Acme：投诉已升级到您（{complaint.number}）"}
    mail = mails[f"Acme：投诉已升级到您（{complaint.number}）"]
    assert f"https://service.example.com/console/complaints/{complaint.pk}/" in mail.get_content()
    assert Notification.objects.filter(recipient=people.manager_a, kind="complaint_escalated").count() == 1


def test_one_urge_tells_each_responsible_dispatcher_once(people, smtp, api_as, django_capture_on_commit_callbacks):
    # Given a late order, and the brand's dispatcher who wants e-mail too
    choose(api_as("dispatcher"), email=True)
    order = make_order(people, status=Status.DISPATCHED)
    WorkOrder.objects.filter(pk=order.pk).update(slot_start=None, slot_end=None,
                                                 onsite_due=timezone.now() - HOUR)
    # When the customer urges it and the outbox delivers the urge (and once more)
    with django_capture_on_commit_callbacks(execute=True):
        urge = urges.urge_order(order=WorkOrder.objects.get(pk=order.pk), actor=principal_of(people.customer.user),
                                channel="portal")
    redeliver("order.urged")

    # Then one sink tells the staff of it (the other tells the customer), and each dispatcher who answers for the
    # order has one notice of it; the one who wants e-mail has one e-mail
    event = OutboxEvent.objects.get(kind="order.urged")
    assert set(Delivery.objects.filter(event=event).values_list("sink", flat=True)) == {"in_app", "customer_messages"}
    told = list(Notification.objects.filter(kind="urge").values_list("recipient_id", "key"))
    assert sorted(told) == sorted([(people.dispatcher.pk, f"urge:{urge.pk}"),
                                   (people.outlet_dispatcher.pk, f"urge:{urge.pk}")])
    [mail] = mails_to(smtp, people.dispatcher)
    assert mail["Subject"].strip() == f"Acme：客户催单（{order.number}）"
    assert mails_to(smtp, people.outlet_dispatcher) == []


def test_the_old_sla_task_does_not_fail_on_a_refused_mail_and_the_outbox_sends_it_once_later(people, smtp, api_as):
    # Given a dispatcher who asked for e-mail, a mail server that refuses for now, and an order past its deadline
    choose(api_as("dispatcher"), email=True)
    smtp.refuse_with = "451 4.3.0 Try again later"
    order = make_order(people, status=Status.ACCEPTED)

    # When a task an older release queued for the alert runs, and the outbox delivers what it recorded
    assert notify_sla_alert.call(order.pk, "onsite", "breached") == 2  # no exception: it names two dispatchers
    deliver_everything()

    # Then the console has it at once and the e-mail waits for the outbox's retry
    key = f"sla:{order.pk}:onsite:breached"
    assert Notification.objects.filter(key=key).count() == 2
    assert StaffEmail.objects.get(recipient=people.dispatcher).status == MessageStatus.FAILED
    in_app = Delivery.objects.get(event__kind="sla.alert", sink="in_app")
    assert in_app.status == DeliveryStatus.PENDING

    # When the server is back, the retry sends it; the task run again (a redelivered task) tells nobody twice
    smtp.refuse_with = ""
    deliver_everything(at=timezone.now() + 2 * HOUR)
    assert notify_sla_alert.call(order.pk, "onsite", "breached") == 2
    deliver_everything(at=timezone.now() + 3 * HOUR)
    assert len(mails_to(smtp, people.dispatcher)) == 1
    assert Notification.objects.filter(key=key).count() == 2
    assert Delivery.objects.get(pk=in_app.pk).status == DeliveryStatus.DELIVERED
    assert notify_sla_alert.call(order.pk, "nonsense", "breached") == 0  # not a clock: nothing recorded
    assert OutboxEvent.objects.filter(kind="sla.alert", work_order_id=order.pk).count() == 2
