"""The words of a notification, made when it is shown so that each reader reads their own language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from workorders.choices import SLA_ALERT_TITLES


def title(notification) -> str:
    data = notification.data or {}
    if notification.kind == "sla":
        return str(SLA_ALERT_TITLES.get((data.get("clock"), data.get("state")), _("Service level")))
    return str(data.get("title") or notification.kind)
