from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone


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
