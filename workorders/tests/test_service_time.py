"""Service-time arithmetic (workorders/service_time.py): plain data, no database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from workorders.holidays_cn import OFFICIAL, official_days
from workorders.service_time import HOLIDAY, ROUND_THE_CLOCK, WORKDAY, ServiceCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICIAL_DAYS = {day: kind for year in OFFICIAL for day, kind, _name in official_days(year)}
BRAND = ServiceCalendar(tz=SHANGHAI, workday=(8 * 60, 20 * 60), restday=(9 * 60, 18 * 60), holiday=None,
                        days=OFFICIAL_DAYS)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_an_order_opened_at_night_counts_from_the_next_opening():
    # 22:00 on a Monday (2026-12-07) with 8 hours to be on site, the brand open 08:00-20:00 on working days.
    assert BRAND.add_minutes(at(2026, 12, 7, 22), 8 * 60) == at(2026, 12, 8, 16)
    # The same 8 hours round the clock: 06:00.
    assert ROUND_THE_CLOCK.add_minutes(at(2026, 12, 7, 22), 8 * 60) == at(2026, 12, 8, 6)


def test_weekend_hours_and_the_official_holidays_with_their_worked_weekends():
    # Friday 18:00 + 4 h: 2 h on Friday, then Saturday opens at 09:00 -> 11:00.
    assert BRAND.add_minutes(at(2026, 12, 11, 18), 4 * 60) == at(2026, 12, 12, 11)
    # National Day 2026: closed 1-7 October; Wednesday 30 September 19:00 + 2 h -> Thursday 8 October 09:00.
    assert BRAND.add_minutes(at(2026, 9, 30, 19), 2 * 60) == at(2026, 10, 8, 9)
    # Saturday 10 October 2026 is worked (调休): working-day hours, 08:00-20:00, not the weekend's.
    assert BRAND.kind_of(dt.date(2026, 10, 10)) == WORKDAY
    assert BRAND.add_minutes(at(2026, 10, 10, 7), 60) == at(2026, 10, 10, 9)
    # Spring Festival 2026 runs 15-23 February; 14 and 28 February are worked.
    assert BRAND.kind_of(dt.date(2026, 2, 16)) == HOLIDAY
    assert BRAND.kind_of(dt.date(2026, 2, 14)) == WORKDAY
    assert BRAND.kind_of(dt.date(2025, 10, 8)) == HOLIDAY  # 2025's National Day and Mid-Autumn: eight days


def test_the_seeded_years_match_the_notices():
    days = {year: official_days(year) for year in OFFICIAL}
    assert sum(1 for _d, kind, _n in days[2025] if kind == HOLIDAY) == 1 + 8 + 3 + 5 + 3 + 8
    assert sum(1 for _d, kind, _n in days[2026] if kind == HOLIDAY) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert [d for d, kind, _n in days[2026] if kind == WORKDAY] == [
        dt.date(2026, 1, 4), dt.date(2026, 2, 14), dt.date(2026, 2, 28), dt.date(2026, 5, 9), dt.date(2026, 9, 20),
        dt.date(2026, 10, 10)]
    # Every worked day is a weekend day, every day off of a notice is in its year.
    for year, rows in days.items():
        assert all(d.year == year for d, _k, _n in rows)
        assert all(d.weekday() >= 5 for d, kind, _n in rows if kind == WORKDAY)


hours = st.one_of(st.none(), st.tuples(st.integers(0, 23 * 60), st.integers(30, 24 * 60)).map(
    lambda t: (t[0], min(t[0] + t[1], 24 * 60))))
calendars = st.builds(
    lambda w, r, h, extra: ServiceCalendar(tz=SHANGHAI, workday=w or (9 * 60, 17 * 60), restday=r, holiday=h,
                                           days={**OFFICIAL_DAYS, **extra}),
    hours, hours, hours,
    st.dictionaries(st.dates(dt.date(2026, 11, 1), dt.date(2027, 3, 1)), st.sampled_from([HOLIDAY, WORKDAY]),
                    max_size=20),
)
moments = st.datetimes(min_value=dt.datetime(2026, 11, 1), max_value=dt.datetime(2027, 2, 1),
                       timezones=st.just(SHANGHAI))
minutes = st.integers(0, 5 * 24 * 60)


@settings(max_examples=300, deadline=None)
@given(calendars, moments, minutes)
def test_adding_service_minutes_never_lands_outside_the_service_hours(calendar, start, m):
    due = calendar.add_minutes(start, m)
    assert calendar.is_open(due)
    assert due >= start
    # ... and exactly m minutes of service lie between the start and the deadline.
    assert abs(calendar.seconds_between(start, due) - m * 60) < 1e-6


@settings(max_examples=300, deadline=None)
@given(calendars, moments, moments, minutes, minutes)
def test_adding_service_minutes_is_monotone(calendar, a, b, m, n):
    a, b = min(a, b), max(a, b)
    m, n = min(m, n), max(m, n)
    assert calendar.add_minutes(a, m) <= calendar.add_minutes(b, m)
    assert calendar.add_minutes(a, m) <= calendar.add_minutes(a, n)


@settings(max_examples=200, deadline=None)
@given(moments, minutes, st.dictionaries(st.dates(dt.date(2026, 11, 1), dt.date(2027, 3, 1)),
                                         st.sampled_from([HOLIDAY, WORKDAY])))
def test_a_7x24_calendar_counts_calendar_minutes(start, m, days):
    expected = start + dt.timedelta(minutes=m)
    assert ROUND_THE_CLOCK.add_minutes(start, m) == expected
    # Open all day on every kind of day is 7×24 too, holidays or not.
    full = ServiceCalendar(tz=SHANGHAI, workday=(0, 1440), restday=(0, 1440), holiday=(0, 1440), days=days)
    assert full.add_minutes(start, m) == expected
    assert full.seconds_between(start, expected) == m * 60
