"""The history's deliveries: ``seed_messages(brand, sinks=..., now=...)`` (the demo's last phase).

While the demo loads, the outbox delivers nothing (demo/builder.py holds its sinks): the events happened in the
past, and delivering them at load time would stamp every notice and message with the hour of the load, print
every email in the terminal and, at night, leave every SMS waiting for 08:00, when ``make run``'s job would send
them all at once. Here each event the load recorded reaches each sink that takes it, as of the event's own time:

- the customer's messages are made by the real ``customer_messages.record`` at the event's time and settled as the
  provider would have reported them: SMS and WeChat delivered a few seconds later, email sent; an SMS that fell in
  the quiet hours waited for 08:00 as it would have (and still waits, when 08:00 has not come yet: the periodic
  job sends it then);
- the staff's notices (SLA alerts, urges, the complaint ladder's rungs) are the sink's own, dated when the event
  happened;
- surveys are not sent here: demo/callbacks.py sends each at its order's completion.

The demo customer's latest finished repair also gets the events a whole repair records (created, booked,
assigned, on the way with the ETA, arrived, completed, the survey) that its history lacks, written as outbox
history (as demo/orders.py writes timelines), so its messages read as the whole sequence, on SMS and on WeChat.
Nothing is sent anywhere: the demo never calls a provider (``make run`` points the live server at local
stand-ins of the SMS gateway and the WeChat API: demo/providers.py).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from accounts.models import Organisation
from core import outbox
from core.models import OutboxEvent
from notifications import customer_messages
from notifications.choices import MessageStatus
from notifications.models import CustomerMessage, Notification
from workorders.choices import Status
from workorders.models import WorkOrder, WorkOrderEvent

# (event kind, the timeline action it follows, minutes after that step)
REPAIR = [
    ("order.created", None, 0), ("order.booked", None, 1), ("order.assigned", "dispatch", 0),
    ("order.en_route", "depart", 0), ("order.arrived", "arrive", 0), ("order.completed", "complete", 0),
    ("survey.sent", "complete", 30),
]
SENT_AFTER = dt.timedelta(seconds=3)
DELIVERED_AFTER = dt.timedelta(seconds=5)
REPORTED = frozenset({"sms", "wechat"})  # the providers that report delivery; email ends at sent
MESSAGES = "customer_messages"
# Sinks whose part the demo plays elsewhere: the surveys go out at each completion (demo/callbacks.py).
PLAYED_ELSEWHERE = frozenset({"feedback.survey"})


def _when(order: WorkOrder, action: str | None, minutes: int) -> dt.datetime | None:
    if action is None:
        base = order.created_at
    else:
        step = WorkOrderEvent.objects.filter(work_order=order, action=action).order_by("-created_at").first()
        base = step.created_at if step else None
    return base + dt.timedelta(minutes=minutes) if base else None


def _settle(event: OutboxEvent, *, now: dt.datetime, provider_id) -> int:
    """The event's messages, made at its time and settled as the provider reported them; how many were."""
    settled = 0
    for message in customer_messages.record(event, now=event.created_at):
        if message.status == MessageStatus.SUPPRESSED:
            continue
        sent = message.next_attempt_at if message.status == MessageStatus.DEFERRED else event.created_at
        if sent is None or sent > now:
            continue  # quiet hours that have not ended yet: the periodic job sends it at 08:00
        sent += SENT_AFTER
        reported = message.channel in REPORTED
        CustomerMessage.objects.filter(pk=message.pk).update(
            status=MessageStatus.DELIVERED if reported else MessageStatus.SENT, provider_id=provider_id(message),
            attempts=1, next_attempt_at=None, sent_at=sent, delivered_at=sent + DELIVERED_AFTER if reported else None)
        settled += 1
    return settled


def _repair(brand: Organisation, *, now: dt.datetime) -> None:
    # The latest finished service (a repair when the random history gives the customer one; any type will do).
    finished = WorkOrder.objects.filter(brand=brand, customer__user__username="customer",
                                        status__in=(Status.COMPLETED, Status.CLOSED), completed_at__lte=now)
    order = ((finished.filter(type="repair") if finished.filter(type="repair").exists() else finished)
             .select_related("technician").order_by("-completed_at").first())
    if order is None or CustomerMessage.objects.filter(work_order=order).exists():
        return
    recorded = set(OutboxEvent.objects.filter(work_order_id=order.pk).values_list("kind", flat=True))
    for n, (kind, action, minutes) in enumerate(REPAIR):
        at = _when(order, action, minutes)
        if at is None or kind in recorded:  # its survey went out for real (demo/callbacks.py): told once
            continue
        data = {"number": order.number}
        if kind == "order.en_route":
            data["eta"] = (at + dt.timedelta(minutes=25)).isoformat()
        if kind == "survey.sent":
            data["url"] = f"{settings.SITE_URL.rstrip('/')}/portal/{brand.code}/orders/{order.pk}/#rate"
        event = OutboxEvent.objects.create(kind=kind, brand_id=brand.pk, work_order_id=order.pk,
                                           subject_type="workorder", subject_id=order.pk, data=data, created_at=at)
        _settle(event, now=now, provider_id=lambda m, n=n: (f"9006{order.pk:06d}{n:02d}^0" if m.channel == "sms"
                                                            else str(2002283320 + order.pk * 10 + n)))


def _provider_id(message: CustomerMessage) -> str:
    """What each provider would have answered: Aliyun's BizId, WeChat's msgid, our own Message-ID for email."""
    if message.channel == "sms":
        return f"9007{message.pk:010d}^0"
    if message.channel == "email":
        return f"<message-{message.pk}@{settings.EMAIL_MESSAGE_DOMAIN}>"
    return str(2002300000 + message.pk)


def _notices(sink: outbox.Sink, event: OutboxEvent) -> None:
    """The sink's own delivery, its notices dated when the event happened."""
    newest = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sink.deliver(event)
    Notification.objects.filter(pk__gt=newest).update(created_at=event.created_at)


@transaction.atomic
def seed_messages(brand: Organisation, *, sinks: list[outbox.Sink], now: dt.datetime) -> dict[str, int]:
    _repair(brand, now=now)
    told = set(CustomerMessage.objects.filter(brand_id=brand.pk).values_list("event_id", flat=True))
    for event in OutboxEvent.objects.filter(brand_id=brand.pk).order_by("created_at", "pk"):
        for sink in sinks:
            if not sink.wants(event.kind) or sink.name in PLAYED_ELSEWHERE:
                continue
            if sink.name == MESSAGES:
                if event.pk not in told:
                    _settle(event, now=now, provider_id=_provider_id)
            else:
                _notices(sink, event)
    return {"customer_messages": CustomerMessage.objects.filter(brand=brand).count(),
            "notifications": Notification.objects.filter(brand=brand).count()}
