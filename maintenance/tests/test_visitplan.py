"""The visit planning arithmetic (maintenance/visitplan.py): pure dates, no database."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maintenance import visitplan, visits

DAY = dt.timedelta(days=1)

# Plain date arithmetic: a loaded machine must not fail it for slowness.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))


@relaxed
@given(starts_on=days, years=st.integers(min_value=1, max_value=5), per_year=st.integers(min_value=1, max_value=52))
def test_visits_of_whole_years_are_per_year_times_years_on_mondays_inside_the_term(starts_on, years, per_year):
    ends_on = visitplan.term_end(starts_on, 12 * years)
    weeks = visitplan.target_weeks(starts_on, ends_on, per_year)
    assert len(weeks) == per_year * years
    assert all(w.weekday() == 0 for w in weeks)
    assert all(starts_on <= w <= ends_on for w in weeks)
    assert weeks == sorted(weeks)
    assert len(set(weeks)) == len(weeks)  # 52 a year still fits: a year has 52 or 53 Mondays


@relaxed
@given(starts_on=days, months=st.integers(min_value=1, max_value=120), per_year=st.integers(min_value=1, max_value=12))
def test_any_term_of_whole_months_has_its_share_of_visits_at_least_one(starts_on, months, per_year):
    ends_on = visitplan.term_end(starts_on, months)
    assert visitplan.whole_months(starts_on, ends_on) == months
    weeks = visitplan.target_weeks(starts_on, ends_on, per_year)
    assert len(weeks) == max(1, per_year * months // 12)
    assert all(w.weekday() == 0 and starts_on <= w <= ends_on for w in weeks)


def test_four_visits_a_year_spread_over_the_quarters():
    weeks = visitplan.target_weeks(dt.date(2027, 1, 1), dt.date(2027, 12, 31), 4)
    assert weeks == [dt.date(2027, 2, 15), dt.date(2027, 5, 17), dt.date(2027, 8, 16), dt.date(2027, 11, 15)]


def test_term_end_keeps_to_the_months_last_day():
    assert visitplan.term_end(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 27)
    assert visitplan.term_end(dt.date(2027, 3, 15), 12) == dt.date(2028, 3, 14)
    assert visitplan.whole_months(dt.date(2027, 3, 15), dt.date(2028, 3, 13)) == 11


def test_a_term_without_a_monday_has_no_visits():
    assert visitplan.target_weeks(dt.date(2027, 1, 5), dt.date(2027, 1, 10), 4) == []  # Tuesday to Sunday


def test_an_overdue_visit_is_ordered_for_this_week_or_the_next_never_in_the_past():
    window = visits.week_window
    monday = dt.date(2027, 3, 1)
    assert visits.order_window(monday, monday + dt.timedelta(days=4)) == window(monday)  # its own week, Friday
    assert visits.order_window(monday - 14 * DAY, monday + dt.timedelta(days=2)) == window(monday)
    assert visits.order_window(monday - 14 * DAY, monday + dt.timedelta(days=5)) == window(
        monday + 7 * DAY)
