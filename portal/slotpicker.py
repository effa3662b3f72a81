"""Appointment windows as the customer picks them: grouped by day, each a value the form sends back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.dates import hours, window
from core.errors import InvalidInput

WEEKDAY = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Day:
    label: Any
    choices: list[Choice]


def slot_value(start: dt.datetime, end: dt.datetime) -> str:
    # In local time, so the same window always reads the same, whatever zone it was computed in.
    return f"{timezone.localtime(start).isoformat()}/{timezone.localtime(end).isoformat()}"


def parse_slot(value: str | None) -> tuple[dt.datetime, dt.datetime]:
    try:
        start, end = (dt.datetime.fromisoformat(part) for part in (value or "").split("/"))
    except ValueError:
        raise InvalidInput(_("Choose one of the offered time slots."), field="slot") from None
    if timezone.is_naive(start) or timezone.is_naive(end) or end <= start:
        raise InvalidInput(_("Choose one of the offered time slots."), field="slot")
    return start, end


def day_label(day: dt.date, today: dt.date) -> Any:
    if day == today:
        return _("Today")
    if day == today + dt.timedelta(days=1):
        return _("Tomorrow")
    return f"{date_format(day, 'MONTH_DAY_FORMAT')} {WEEKDAY[day.weekday()]}"


def by_day(windows: list[tuple[dt.datetime, dt.datetime]], now: dt.datetime | None = None) -> list[Day]:
    today = timezone.localdate(now or timezone.now())
    days: dict[dt.date, list[Choice]] = {}
    for start, end in windows:
        days.setdefault(timezone.localtime(start).date(), []).append(
            Choice(value=slot_value(start, end), label=hours(start, end)))
    return [Day(label=day_label(day, today), choices=choices) for day, choices in sorted(days.items())]


def describe(start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime | None = None) -> str:
    if start is None or end is None:
        return ""
    today = timezone.localdate(now or timezone.now())
    return window(start, end, day=str(day_label(timezone.localtime(start).date(), today)))
