from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext_lazy as _

from core.money import yuan as format_yuan
from core.names import with_honorific
from workorders.choices import Status

register = template.Library()

# What a customer reads for each status: plain words, not the back office's.
CUSTOMER_STATUS = {
    Status.NEW: _("Received"),
    Status.ASSIGNED: _("Service centre assigned"),
    Status.DISPATCHED: _("Technician assigned"),
    Status.ACCEPTED: _("Technician confirmed"),
    Status.EN_ROUTE: _("Technician on the way"),
    Status.ON_SITE: _("Technician on site"),
    Status.ON_HOLD: _("Paused"),
    Status.COMPLETED: _("Done"),
    Status.CLOSED: _("Closed"),
    Status.CANCELLED: _("Cancelled"),
}
TONE = {Status.COMPLETED: "ok", Status.CLOSED: "ok", Status.CANCELLED: "bad", Status.ON_HOLD: "warn"}


@register.filter
def customer_status(status: str):
    return CUSTOMER_STATUS.get(status, status)


@register.filter
def status_tone(status: str) -> str:
    return TONE.get(status, "brand")


@register.filter
def yuan(amount: Decimal | None) -> str:
    return format_yuan(amount)


@register.filter
def stars(score: int) -> str:
    score = max(0, min(5, int(score or 0)))
    return "★" * score + "☆" * (5 - score)


@register.filter
def honorific(name: str) -> str:
    """李建军 → 李建军师傅 / "Technician 李建军" (core.names: the honorific once)."""
    return with_honorific(name)
