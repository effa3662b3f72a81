from __future__ import annotations

from django import template
from django.utils.dateparse import parse_datetime

from notifications import messages

register = template.Library()


@register.filter
def notification_title(notification) -> str:
    return messages.title(notification)


@register.filter
def as_datetime(value: str | None):
    """An ISO timestamp kept in a notification's data, as a datetime the date filter can show locally."""
    return parse_datetime(value) if value else None


@register.filter
def notification_sentence(notification) -> str:
    return messages.sentence(notification)
