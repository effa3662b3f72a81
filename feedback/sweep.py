"""The callbacks' periodic sweep (settings.PERIODIC_TASKS): each brand's own clocks, safe to run twice, and twice
at once.

1. A completed order the outbox has not yet given a survey gets one (the sink's safety net).
2. A survey unanswered for its brand's ``answer_hours`` puts its order on the desk ("no answer").
3. A completed order with no callback open closes after its brand's ``close_after_days``.

The brand's clocks (``SurveyPolicy``, per service type, else the brand's default row, else the built-in
defaults) are part of each step's query, so what is due is found whatever else is waiting: a brand that closes
after 30 days never fills a batch ahead of one that closes after 3. Each step walks everything due in batches
of ``BATCH`` rows (by id, so a batch is never read twice) until none is left.

Every write is an insert a unique row guards (one survey, one callback per order) or a compare-and-set (the
close), so a second sweep, or one running at the same moment in another process, does nothing twice; each
reports only what it did itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from feedback import desk, surveys
from feedback.choices import CallbackReason
from feedback.models import Callback, Survey, SurveyPolicy
from feedback.selectors import policy_for
from workorders.choices import Status
from workorders.models import WorkOrder

BATCH = 500
# A survey goes only to an order completed this recently: older ones were finished before surveys existed.
SEND_WINDOW = dt.timedelta(days=2)


def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    sent = 0
    for order in _batches(WorkOrder.objects.filter(status=Status.COMPLETED, completed_at__gte=now - SEND_WINDOW,
                                                   survey__isnull=True).only("pk")):
        sent += surveys.send_survey_once(order_id=order.pk, now=now)[1]
    due = 0
    silent = (Survey.objects.filter(answered_at__isnull=True, work_order__callback__isnull=True,
                                    work_order__status=Status.COMPLETED)
              .filter(due_by_policy(now, "answer_hours", "sent_at", brand="brand_id", type="work_order__type",
                                    unit=dt.timedelta(hours=1)))
              .select_related("work_order"))
    for survey in _batches(silent):
        policy = policy_for(survey.brand_id, survey.work_order.type)
        with transaction.atomic():
            due += desk.put_on_desk(order=survey.work_order, reason=CallbackReason.NO_ANSWER, policy=policy,
                                    now=now)[1]
    closed = 0
    open_callbacks = Callback.objects.filter(status__in=desk.OPEN).values("work_order_id")
    quiet = (WorkOrder.objects.filter(status=Status.COMPLETED)
             .filter(due_by_policy(now, "close_after_days", "completed_at", unit=dt.timedelta(days=1)))
             .exclude(pk__in=open_callbacks).only("pk"))
    for order in _batches(quiet):
        closed += desk.close_order(order.pk, now=now)
    return {"surveys_sent": sent, "callbacks_due": due, "orders_closed": closed}


def due_by_policy(now: dt.datetime, clock: str, since: str, *, brand: str = "brand_id", type: str = "type",
                  unit: dt.timedelta) -> Q:
    """Rows whose ``since`` is at least the brand's ``clock`` (a SurveyPolicy field, in ``unit``) before ``now``:
    by the brand's row for the row's service type, else the brand's default row, else the built-in default."""
    rows: dict[int, dict[str, int]] = {}
    for brand_id, service_type, value in SurveyPolicy.objects.values_list("brand_id", "service_type", clock):
        rows.setdefault(brand_id, {})[service_type] = value
    built_in = SurveyPolicy._meta.get_field(clock).default

    def cutoff(value: int) -> Q:
        return Q(**{f"{since}__lte": now - value * unit})

    due = ~Q(**{f"{brand}__in": list(rows)}) & cutoff(built_in)
    for brand_id, by_type in rows.items():
        typed = {t: v for t, v in by_type.items() if t}
        for service_type, value in typed.items():
            due |= Q(**{brand: brand_id, type: service_type}) & cutoff(value)
        due |= Q(**{brand: brand_id}) & ~Q(**{f"{type}__in": list(typed)}) & cutoff(by_type.get("", built_in))
    return due


def _batches(queryset: QuerySet, size: int | None = None) -> Iterator[Model]:
    """Every row of ``queryset``, read ``size`` (default BATCH) at a time in id order."""
    size = size or BATCH
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        yield from rows
        if len(rows) < size:
            return
        last = rows[-1].pk
