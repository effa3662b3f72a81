"""The messages of a whole repair for the demo customer: ``seed_messages(brand, now=...)`` (the demo command).

The demo customer's latest finished repair gets its customer-facing events (created, booked, assigned, on the
way with the ETA, arrived, completed, the survey) written as outbox history with no deliveries due (as
demo/orders.py writes timelines), and each event's messages made by the real ``customer_messages.record`` at
the event's time: SMS and WeChat, in Chinese, sent and delivered as a provider would report them; an SMS that
fell in the quiet hours waits for 08:00 as it would have. Nothing is sent anywhere: the demo never calls a
provider (the live demo sends through the log backends: SMS to var/sms-outbox.log, email to the console).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from accounts.models import Organisation
from core.models import OutboxEvent
from notifications import customer_messages
from notifications.choices import MessageStatus
from notifications.models import CustomerMessage
from workorders.choices import Status
from workorders.models import WorkOrder, WorkOrderEvent

# (event kind, the timeline action it follows, minutes after that step)
REPAIR = [
    ("order.created", None, 0), ("order.booked", None, 1), ("order.assigned", "dispatch", 0),
    ("order.en_route", "depart", 0), ("order.arrived", "arrive", 0), ("order.completed", "complete", 0),
    ("survey.sent", "complete", 30),
]


def _when(order: WorkOrder, action: str | None, minutes: int) -> dt.datetime | None:
    if action is None:
        base = order.created_at
    else:
        step = WorkOrderEvent.objects.filter(work_order=order, action=action).order_by("-created_at").first()
        base = step.created_at if step else None
    return base + dt.timedelta(minutes=minutes) if base else None


@transaction.atomic
def seed_messages(brand: Organisation, *, now: dt.datetime) -> dict[str, int]:
    # The latest finished service (a repair when the random history gives the customer one; any type will do).
    finished = WorkOrder.objects.filter(brand=brand, customer__user__username="customer",
                                        status__in=(Status.COMPLETED, Status.CLOSED), completed_at__lte=now)
    order = ((finished.filter(type="repair") if finished.filter(type="repair").exists() else finished)
             .select_related("technician").order_by("-completed_at").first())
    if order is None or CustomerMessage.objects.filter(work_order=order).exists():
        return {"customer_messages": CustomerMessage.objects.filter(brand=brand).count()}
    for n, (kind, action, minutes) in enumerate(REPAIR):
        at = _when(order, action, minutes)
        if at is None:
            continue
        data = {"number": order.number}
        if kind == "order.en_route":
            data["eta"] = (at + dt.timedelta(minutes=25)).isoformat()
        if kind == "survey.sent":
            data["url"] = f"{settings.SITE_URL.rstrip('/')}/portal/{brand.code}/orders/{order.pk}/#rate"
        event = OutboxEvent.objects.create(kind=kind, brand_id=brand.pk, work_order_id=order.pk,
                                           subject_type="workorder", subject_id=order.pk, data=data, created_at=at)
        for message in customer_messages.record(event, now=at):
            if message.status == MessageStatus.SUPPRESSED:
                continue
            sent = (message.next_attempt_at if message.status == MessageStatus.DEFERRED else at) + \
                dt.timedelta(seconds=3)
            provider_id = (f"9006{order.pk:06d}{n:02d}^0" if message.channel == "sms"
                           else str(2002283320 + order.pk * 10 + n))
            CustomerMessage.objects.filter(pk=message.pk).update(
                status=MessageStatus.DELIVERED, provider_id=provider_id, attempts=1, next_attempt_at=None,
                sent_at=sent, delivered_at=sent + dt.timedelta(seconds=5))
    return {"customer_messages": CustomerMessage.objects.filter(brand=brand).count()}
