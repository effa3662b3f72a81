from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

EN_DASH = "\u2013"  # between the two ends of a window, as in print; not a hyphen


def brand_tz() -> dt.tzinfo:
    """The zone a brand's days, slots and order numbers are counted in.

    Brands work in the deployment's zone (TIME_ZONE, Asia/Shanghai unless set otherwise); a brand with
    a zone of its own would be asked here.
    """
    return timezone.get_default_timezone()


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic; the 31st plus one month is the last day of next month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def hours(start: dt.datetime, end: dt.datetime | None = None) -> str:
    """The hours of a window in local time: "09:00–11:00" (an en dash, no spaces); "09:00" without an end.

    One rule for every place a customer reads a window (the portal's timeline and slot picker, the messages, the
    service report), so the page and the SMS never write the same window two ways.
    """
    first = f"{timezone.localtime(start):%H:%M}"
    return f"{first}{EN_DASH}{timezone.localtime(end):%H:%M}" if end is not None else first


def window(start: dt.datetime, end: dt.datetime | None = None, *, day: str | None = None) -> str:
    """A window with its day, in the active language: "December 8, 09:00–11:00" / "12月8日 09:00–11:00".

    ``day`` names the day another way when the reader is better served ("Tomorrow"); by default the month and day.
    """
    if day is None:
        day = date_format(timezone.localtime(start), "MONTH_DAY_FORMAT")
    return gettext("%(day)s, %(hours)s") % {"day": day, "hours": hours(start, end)}
