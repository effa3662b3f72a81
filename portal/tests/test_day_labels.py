"""The portal's day labels read as Chinese dates are written: 1月8日, not Django's zero-padded 01月8日."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import translation

from portal import slotpicker

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_january_day_has_no_leading_zero_in_chinese_and_its_month_name_in_english():
    start = dt.datetime(2027, 1, 8, 9, 0, tzinfo=SHANGHAI)
    today = dt.date(2026, 12, 20)
    with translation.override("zh-hans"):
        assert str(slotpicker.day_label(start.date(), today)) == "1月8日 周五"
        assert slotpicker.describe(start, start + dt.timedelta(hours=2), now=start - dt.timedelta(days=9)) == (
            "1月8日 周五 09:00–11:00")
        assert str(slotpicker.day_label(dt.date(2027, 12, 3), today)) == "12月3日 周五"
    with translation.override("en"):
        assert str(slotpicker.day_label(start.date(), today)) == "January 8 Fri"
