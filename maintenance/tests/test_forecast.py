"""The due-date arithmetic alone (maintenance/forecast.py): exact cases, then invariants over many inputs."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from maintenance.forecast import Meter, forecast, rate

D = dt.date


def test_time_alone_is_months_after_the_start():
    result = forecast(start=D(2026, 6, 20), months=6)
    assert (result.due_on, result.due_by) == (D(2026, 12, 20), "time")


def test_month_end_is_clamped():
    assert forecast(start=D(2026, 8, 31), months=6).due_on == D(2027, 2, 28)


def test_usage_decides_when_it_comes_first():
    # 2,000 litres at 35 L a day: 57.14 days → the 58th day after the replacement
    result = forecast(start=D(2026, 6, 20), months=6, litres=Meter(2000, Decimal("35")))
    assert (result.due_on, result.due_by, result.per_day) == (D(2026, 8, 17), "litres", Decimal("35"))


def test_what_is_left_counts_from_the_latest_reading():
    # 1,500 of 2,000 litres used by 1 August; 500 left at 50 L a day → 10 days
    meter = Meter(2000, Decimal("50"), at_last=Decimal("10000"), now=Decimal("11500"), read_on=D(2026, 8, 1))
    assert forecast(start=D(2026, 6, 20), months=6, litres=meter).due_on == D(2026, 8, 11)


def test_used_up_before_the_reading_is_due_when_reached_never_before_the_start():
    meter = Meter(2000, Decimal("100"), at_last=Decimal("0"), now=Decimal("5000"), read_on=D(2026, 7, 1))
    assert forecast(start=D(2026, 6, 20), months=6, litres=meter).due_on == D(2026, 6, 20)


def test_a_light_user_is_due_by_time():
    result = forecast(start=D(2026, 6, 20), months=6, litres=Meter(2000, Decimal("5")))
    assert (result.due_on, result.due_by) == (D(2026, 12, 20), "time")


def test_no_start_no_due_date():
    assert forecast(start=None, months=6).due_on is None


def test_rate_between_readings():
    first_at = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    assert rate(first=Decimal(100), last=Decimal(450), first_at=first_at,
                last_at=first_at + dt.timedelta(days=10)) == Decimal("35.000")
    assert rate(first=Decimal(100), last=Decimal(50), first_at=first_at,
                last_at=first_at + dt.timedelta(days=10)) is None  # the meter went back
    assert rate(first=Decimal(100), last=Decimal(450), first_at=first_at,
                last_at=first_at + dt.timedelta(hours=3)) is None  # too short to say


starts = st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 1, 1))
months = st.integers(min_value=1, max_value=120)
limits = st.integers(min_value=1, max_value=100_000)
rates = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("10000"), places=3)


@given(starts, months, limits, rates)
def test_never_later_than_the_time_limit(start, m, limit, per_day):
    by_time = forecast(start=start, months=m).due_on
    assert forecast(start=start, months=m, litres=Meter(limit, per_day)).due_on <= by_time


@given(starts, months, limits, rates, rates)
def test_a_heavier_user_is_due_no_later(start, m, limit, a, b):
    light, heavy = sorted((a, b))
    assert (forecast(start=start, months=m, litres=Meter(limit, heavy)).due_on
            <= forecast(start=start, months=m, litres=Meter(limit, light)).due_on)


@given(starts, months, limits, rates, st.integers(min_value=0, max_value=200_000),
       st.integers(min_value=0, max_value=200_000), st.integers(min_value=0, max_value=400))
def test_more_used_is_due_no_later_and_never_before_the_start(start, m, limit, per_day, used_a, used_b, after):
    fewer, more = sorted((used_a, used_b))
    read_on = start + dt.timedelta(days=after)

    def due(used):
        return forecast(start=start, months=m, litres=Meter(limit, per_day, Decimal(0), Decimal(used), read_on)).due_on

    assert start <= due(more) <= due(fewer)


@given(starts, st.integers(min_value=1, max_value=119), limits, rates)
def test_a_longer_time_limit_is_due_no_earlier(start, m, limit, per_day):
    assert (forecast(start=start, months=m, litres=Meter(limit, per_day)).due_on
            <= forecast(start=start, months=m + 1, litres=Meter(limit, per_day)).due_on)
