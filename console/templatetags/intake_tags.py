"""What intake left on an order, for the console's order page: the estimate shown, the photos, the calls."""

from __future__ import annotations

import datetime as dt

from django import template
from django.urls import reverse
from django.utils import timezone

from core.dates import hours
from workorders.choices import is_first_booking
from workorders.estimates import localized
from workorders.models import CallOutcome, WorkOrderAttachment

register = template.Library()


@register.filter
def in_language(value) -> str:
    """A text stored in every language (workorders.estimates) in the reader's."""
    return localized(value)


@register.filter
def call_outcome(value: str) -> str:
    try:
        return str(CallOutcome(value).label)
    except ValueError:
        return value or ""


@register.filter
def slot_pair(value) -> str:
    """["start", "end"] ISO times stored on a rescheduled event, as local "Y-m-d H:i–H:i"."""
    try:
        start, end = (timezone.localtime(dt.datetime.fromisoformat(t)) for t in value)
    except (TypeError, ValueError):
        return "—"
    return f"{start:%Y-%m-%d} {hours(start, end)}"


@register.filter
def first_booking(event) -> bool:
    """The rescheduled event gave the order its first window: a booking, with no window before it to show."""
    return is_first_booking(event.kind, event.data)


@register.inclusion_tag("console/_partials/order_intake.html", takes_context=True)
def order_intake(context, order) -> dict:
    request = context["request"]
    files = WorkOrderAttachment.objects.visible_to(request.user).filter(work_order=order)
    return {
        "order": order,
        "estimate": order.estimate or {},
        "photos": [(a, reverse("api:attachment-file", kwargs={"attachment_id": a.pk})) for a in files],
    }
