"""Reads of the callbacks (回访): the brand's policy for an order, the desk's queue, its counts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from feedback.choices import CallbackStatus
from feedback.models import Callback, SurveyPolicy


def policy_for(brand_id: int, service_type: str) -> SurveyPolicy:
    """The brand's row for this type of service, else its default row, else the built-in defaults (unsaved)."""
    rows = {p.service_type: p for p in SurveyPolicy.objects.filter(brand_id=brand_id,
                                                                  service_type__in=[service_type, ""])}
    return rows.get(service_type) or rows.get("") or SurveyPolicy(brand_id=brand_id)


def queue(user, *, status: str = CallbackStatus.DUE, now: dt.datetime | None = None) -> QuerySet[Callback]:
    """The desk's queue as ``user`` may see it: due callbacks whose next call may be made, the earliest deadline
    first; under review, or done (the latest first)."""
    rows = (Callback.objects.visible_to(user).filter(status=status)
            .select_related("work_order__customer", "work_order__outlet", "work_order__technician",
                            "work_order__product__product_model", "work_order__survey", "rework_order"))
    if status == CallbackStatus.DUE:
        return rows.filter(Q(next_call_at__lte=now or timezone.now())).order_by("due_at", "pk")
    if status == CallbackStatus.DONE:
        return rows.order_by("-done_at", "-pk")
    return rows.order_by("due_at", "pk")


def counts(user) -> dict[str, int]:
    rows = Callback.objects.visible_to(user)
    return {status: rows.filter(status=status).count() for status in (CallbackStatus.DUE, CallbackStatus.REVIEW)}


def overdue(callback: Callback, now: dt.datetime | None = None) -> bool:
    """The callback's own SLA: not done by its deadline."""
    return callback.status != CallbackStatus.DONE and callback.due_at < (now or timezone.now())
