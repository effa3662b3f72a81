"""SLA words for templates: paused time, and what an ``sla`` timeline event says."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from workorders.choices import SLA_ALERT_TITLES, SlaAlert
from workorders.sla_clock import paused_seconds_now

register = template.Library()


def _duration(seconds: int) -> str:
    minutes = seconds // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return gettext("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return gettext("%(minutes)d min") % {"minutes": minutes}


@register.filter
def duration(seconds) -> str:
    return _duration(int(seconds or 0))


@register.filter
def paused_total(order) -> int:
    """Seconds the order's clocks have stood still, the pause still running included."""
    return paused_seconds_now(order, timezone.now())


@register.filter
def sla_event_title(event) -> str:
    data = event.data or {}
    return str(SLA_ALERT_TITLES.get((data.get("clock"), data.get("state")), event.get_kind_display()))


@register.filter
def alert_label(value: str) -> str:
    try:
        return str(SlaAlert(value).label)
    except ValueError:
        return value or ""


@register.filter
def iso_datetime(value: str | None):
    return parse_datetime(value) if value else None
