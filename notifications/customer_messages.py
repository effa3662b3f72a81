"""Customer messages: the outbox sink that turns a customer-facing event into one message per channel, and
the sender that hands each to its provider.

- ``deliver(event)`` is the sink (registered in notifications/hooks.py): it writes one ``CustomerMessage``
  per channel the customer has an address on (unique per event and channel, so a second delivery of the
  event adds nothing), then sends those that are due. A provider that fails marks its message failed with the
  provider's code and a time to retry; the sink itself does not fail, and the order is never touched.
- A customer who opted out of a channel gets a ``suppressed`` row on it and nothing sent.
- Quiet hours: no SMS between 21:00 and 08:00 local time (settings.TIME_ZONE, the brand's), except that
  the technician is on the way; such an SMS is ``deferred`` to 08:00 and sent by ``send_due`` then.
- ``send_due`` is the periodic job's body; two of it at once send each message once, because a sender first
  claims the message by moving its ``next_attempt_at`` forward with a compare-and-set.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Organisation
from customers.models import Customer
from notifications.channels import ChannelFailed, channels
from notifications.choices import PENDING, MessageStatus
from notifications.models import CustomerMessage, CustomerPreference
from notifications.texts import KINDS, REMINDER_KINDS, message_kind, words

__all__ = ["KINDS", "deliver", "record", "send", "send_due"]
from workorders.models import WorkOrder

logger = logging.getLogger("aftersales.notifications")

MAX_ATTEMPTS = 6
BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=15), dt.timedelta(hours=1),
           dt.timedelta(hours=3))
CLAIM = dt.timedelta(minutes=5)  # a sender that died mid-send leaves its message to be tried again after this
QUIET_FROM, QUIET_UNTIL = dt.time(21, 0), dt.time(8, 0)
SENT_IN_QUIET_HOURS = frozenset({"order.en_route"})  # the customer must open the door: it cannot wait


def quiet_until(now: dt.datetime) -> dt.datetime | None:
    """When the quiet hours that hold at ``now`` end (08:00 local), or None outside them."""
    local = timezone.localtime(now)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return None
    day = local.date() + dt.timedelta(days=1) if local.time() >= QUIET_FROM else local.date()
    return timezone.make_aware(dt.datetime.combine(day, QUIET_UNTIL), local.tzinfo)


def preference_of(customer: Customer) -> CustomerPreference:
    """The customer's choices; the defaults (every channel, Chinese) when they never made any."""
    found = CustomerPreference.objects.filter(customer=customer).first()
    return found or CustomerPreference(customer=customer)


def _customer_of(event, order: WorkOrder | None) -> Customer | None:
    if order is not None:
        return order.customer
    customer_id = (event.data or {}).get("customer_id")
    return Customer.objects.filter(pk=customer_id).first() if customer_id else None


def record(event, *, now: dt.datetime | None = None) -> list[CustomerMessage]:
    """The messages of one event, one per channel, written once however often the event is delivered.

    Their words come from the event's data (notifications/texts.py): a message recorded or sent after the order
    moved on still tells what was true at the event."""
    if event.kind not in KINDS:
        return []
    now = now or timezone.now()
    order = (WorkOrder.objects.select_related("brand", "technician", "customer").filter(pk=event.work_order_id)
             .first() if event.work_order_id else None)
    customer = _customer_of(event, order)
    if customer is None:
        return []
    preference = preference_of(customer)
    language = preference.language
    data: dict[str, Any] = dict(event.data or {})
    quiet = quiet_until(now)
    brand = order.brand if order else Organisation.objects.filter(pk=event.brand_id).first()
    kind = message_kind(event.kind, data)
    said = words(kind, language=language, order=order, data=data, brand=brand)
    rows = []
    for channel in channels.all():
        address = channel.address(customer, event.brand_id)
        if not address:
            continue
        if not preference.allows(channel.name) or (event.kind in REMINDER_KINDS and not preference.reminders):
            status, due = MessageStatus.SUPPRESSED, None
        elif channel.name == "sms" and quiet and kind not in SENT_IN_QUIET_HOURS:
            status, due = MessageStatus.DEFERRED, quiet
        else:
            status, due = MessageStatus.QUEUED, now
        # An SMS starts with the brand's signature, as the gateway prints its SignName.
        text = f"【{said.brand}】{said.text}" if channel.name == "sms" and said.brand else said.text
        rows.append(CustomerMessage(
            event_id=event.pk, kind=kind, channel=channel.name, brand_id=event.brand_id,
            work_order=order, customer=customer, address=address, language=language, subject=said.subject,
            text=text, template=channel.template(kind, language), params=said.params, status=status,
            next_attempt_at=due, created_at=now))
    CustomerMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return list(CustomerMessage.objects.filter(event_id=event.pk).order_by("pk"))


def _claim(pk: int, now: dt.datetime) -> bool:
    return bool(CustomerMessage.objects.filter(pk=pk, status__in=PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=now + CLAIM, attempts=F("attempts") + 1))


def send(pk: int, *, now: dt.datetime | None = None) -> str | None:
    """Send one message if it is due and nobody else is sending it; returns its new status (None: not ours)."""
    now = now or timezone.now()
    if not _claim(pk, now):
        return None
    message = CustomerMessage.objects.select_related("customer").get(pk=pk)
    preference = preference_of(message.customer)
    if not preference.allows(message.channel) or (message.kind in REMINDER_KINDS and not preference.reminders):
        # opted out while it waited
        CustomerMessage.objects.filter(pk=pk).update(status=MessageStatus.SUPPRESSED, next_attempt_at=None)
        return MessageStatus.SUPPRESSED
    channel = channels.get(message.channel)
    try:
        if channel is None:
            raise ChannelFailed(f"the {message.channel} channel is not installed", code="no_channel", permanent=True)
        provider_id = channel.send(message)
    except Exception as error:  # noqa: BLE001 (whatever the provider did, the message is failed, never the order)
        failed = error if isinstance(error, ChannelFailed) else ChannelFailed(repr(error), code="error")
        if not isinstance(error, ChannelFailed):
            logger.exception("customer message %s: the %s channel failed", pk, message.channel)
        retry = not failed.permanent and message.attempts < MAX_ATTEMPTS
        backoff = BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
        CustomerMessage.objects.filter(pk=pk).update(
            status=MessageStatus.FAILED, error_code=failed.code[:64], error_detail=str(failed)[:300],
            next_attempt_at=now + backoff if retry else None)
        return MessageStatus.FAILED
    CustomerMessage.objects.filter(pk=pk).update(
        status=MessageStatus.SENT, provider_id=provider_id[:120], sent_at=timezone.now(), next_attempt_at=None,
        error_code="", error_detail="")
    return MessageStatus.SENT


def deliver(event, *, now: dt.datetime | None = None) -> None:
    """The outbox sink: record the event's messages, then send the ones due now (outside any transaction, so a
    slow provider holds no lock)."""
    now = now or timezone.now()
    with transaction.atomic():
        messages = record(event, now=now)
    for message in messages:
        if message.status in PENDING and message.next_attempt_at and message.next_attempt_at <= now:
            send(message.pk, now=now)


def send_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Send every message whose time has come (deferred past quiet hours, failed and due a retry)."""
    now = now or timezone.now()
    due = list(CustomerMessage.objects.filter(status__in=PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    return sum(1 for pk in due if send(pk, now=now) is not None)


def mark_delivered(*, channel: str, provider_id: str, brand_id: int, at: dt.datetime | None = None) -> int:
    """The provider reported the brand's message delivered (a WeChat TEMPLATESENDJOBFINISH with status success)."""
    return CustomerMessage.objects.filter(brand_id=brand_id, channel=channel, provider_id=provider_id,
                                          status=MessageStatus.SENT).update(
        status=MessageStatus.DELIVERED, delivered_at=at or timezone.now())


def mark_undelivered(*, channel: str, provider_id: str, brand_id: int, code: str) -> int:
    """The provider reported the brand's message not delivered (the user blocked it, a system failure)."""
    return CustomerMessage.objects.filter(brand_id=brand_id, channel=channel, provider_id=provider_id,
                                          status=MessageStatus.SENT).update(
        status=MessageStatus.FAILED, error_code=code[:64])

