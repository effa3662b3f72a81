"""The callbacks' periodic sweep (settings.PERIODIC_TASKS): safe to run twice, and twice at once.

1. A completed order the outbox has not yet given a survey gets one (the sink's safety net).
2. A survey unanswered for the brand's hours puts its order on the desk ("no answer").
3. A completed order with no callback open closes after the brand's days; every write is a compare-and-set or
   an insert a unique row guards, so a second sweep at the same moment finds nothing left to do.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from feedback import desk, surveys
from feedback.choices import CallbackReason
from feedback.models import Callback, Survey
from feedback.selectors import policy_for
from workorders.choices import Status
from workorders.models import WorkOrder

BATCH = 500
# A survey goes only to an order completed this recently: older ones were finished before surveys existed.
SEND_WINDOW = dt.timedelta(days=2)
# No brand closes an order sooner than this after completion: the sweep's first cut before each brand's days.
MIN_CLOSE = dt.timedelta(days=1)


def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    sent = sum(1 for pk in _unsurveyed(now) if surveys.send_survey(order_id=pk, now=now) is not None)
    due = 0
    for survey in (Survey.objects.filter(answered_at__isnull=True, work_order__callback__isnull=True,
                                         work_order__status=Status.COMPLETED)
                   .select_related("work_order").order_by("sent_at")[:BATCH]):
        policy = policy_for(survey.brand_id, survey.work_order.type)
        if survey.sent_at + dt.timedelta(hours=policy.answer_hours) <= now:
            with transaction.atomic():
                desk.open_callback(order=survey.work_order, reason=CallbackReason.NO_ANSWER, policy=policy, now=now)
            due += 1
    closed = 0
    open_callbacks = Callback.objects.filter(status__in=desk.OPEN).values("work_order_id")
    for order in (WorkOrder.objects.filter(status=Status.COMPLETED, completed_at__lte=now - MIN_CLOSE)
                  .exclude(pk__in=open_callbacks).only("pk", "brand_id", "type", "completed_at")
                  .order_by("completed_at")[:BATCH]):
        days = policy_for(order.brand_id, order.type).close_after_days
        if order.completed_at + dt.timedelta(days=days) <= now and desk.close_order(order.pk, now=now):
            closed += 1
    return {"surveys_sent": sent, "callbacks_due": due, "orders_closed": closed}


def _unsurveyed(now: dt.datetime) -> list[int]:
    return list(WorkOrder.objects.filter(status=Status.COMPLETED, completed_at__gte=now - SEND_WINDOW,
                                         survey__isnull=True).order_by("completed_at").values_list("pk", flat=True)
                [:BATCH])
