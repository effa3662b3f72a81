"""The turnaround arithmetic alone (logistics/turnaround.py): exact figures of hand-made weeks, and what holds for
any cases (hypothesis): the median never above the p90, both within the week's range, the split adding up to the
whole, the order of the rows changing nothing."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics.turnaround import TARGET, CaseTimes, figures, median, monday_of, percentile, weekly

SHANGHAI = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)


def at(day: int, hour: int, month: int = 3) -> dt.datetime:
    """A Shanghai wall time in March 2025 (Monday the 3rd, Monday the 10th...)."""
    return dt.datetime(2025, month, day, hour, tzinfo=SHANGHAI)


# The week of Monday 3 March 2025, by redelivery: four units back.
A = CaseTimes(reported=at(3, 9), collected=at(3, 11), arrived=at(3, 15), received=at(3, 16), shipped=at(4, 9),
              delivered=at(4, 13))  # 28 h: out 6, bench 18, back 4
B = CaseTimes(reported=at(3, 8), received=at(3, 12), shipped=at(3, 18), delivered=at(4, 2))  # 18 h, no scans
C = CaseTimes(reported=at(4, 10), collected=at(4, 12), arrived=at(4, 14), shipped=at(4, 20),
              delivered=at(5, 8))  # 22 h: out 4, bench 6, back 12
D = CaseTimes(reported=at(5, 0), arrived=at(5, 10), shipped=at(6, 10), delivered=at(7, 12))  # 60 h: 10, 24, 26
# The next week: exactly one day, which is within the target.
E = CaseTimes(reported=at(10, 9), arrived=at(10, 13), shipped=at(10, 20), delivered=at(11, 9))


def test_a_case_splits_into_courier_out_bench_and_courier_back():
    assert (A.total, A.courier_out, A.bench, A.courier_back, A.pickup_wait) == (28 * H, 6 * H, 18 * H, 4 * H, 2 * H)
    # No arrival scan: the unit reached the centre when the bench received it.
    assert (B.at_centre, B.courier_out, B.bench, B.courier_back, B.pickup_wait) == (at(3, 12), 4 * H, 6 * H, 8 * H,
                                                                                    None)
    with pytest.raises(ValueError):
        CaseTimes(reported=at(3, 8), shipped=at(3, 18), delivered=at(4, 2)).courier_out  # noqa: B018


def test_a_week_has_its_median_p90_split_and_share_within_the_day():
    weeks = weekly([D, A, E, C, B], tz=SHANGHAI)

    assert [w.monday for w in weeks] == [dt.date(2025, 3, 3), dt.date(2025, 3, 10)]
    first, second = weeks
    assert first.iso == (2025, 10) and first.count == 4
    # Totals 18, 22, 28, 60 h: the median is between the middle two, the p90 the 4th of 4 (nearest rank).
    assert (first.median, first.p90) == (25 * H, 60 * H)
    # Courier out 4, 4, 6, 10; bench 6, 6, 18, 24; back 4, 8, 12, 26; waits for the pickup 2, 2.
    assert (first.courier_out, first.bench, first.courier_back, first.pickup_wait) == (5 * H, 12 * H, 10 * H, 2 * H)
    assert (first.within_target, first.share_within, first.met) == (2, 0.5, False)
    assert (second.count, second.median, second.p90, second.within_target, second.met) == (1, 24 * H, 24 * H, 1,
                                                                                           True)
    assert second.courier_out + second.bench + second.courier_back == second.median == TARGET


def test_named_weeks_are_all_shown_and_cases_of_other_weeks_left_out():
    weeks = weekly([A, E], tz=SHANGHAI, mondays=[dt.date(2025, 3, 10), dt.date(2025, 3, 17)])

    assert [(w.monday, w.count) for w in weeks] == [(dt.date(2025, 3, 10), 1), (dt.date(2025, 3, 17), 0)]
    empty = weeks[1]
    assert (empty.median, empty.p90, empty.courier_out, empty.share_within, empty.met) == (None,) * 5


def test_the_week_is_the_readers_a_sunday_evening_in_utc_is_monday_in_shanghai():
    late_sunday = dt.datetime(2025, 3, 9, 17, 30, tzinfo=dt.UTC)  # Monday 10 March 01:30 in Shanghai
    assert monday_of(late_sunday, SHANGHAI) == dt.date(2025, 3, 10)
    assert monday_of(late_sunday, dt.UTC) == dt.date(2025, 3, 3)


def test_median_and_nearest_rank_percentile():
    hours = [h * H for h in (5, 1, 3)]
    assert (median(hours), percentile(hours, 90), percentile(hours, 50), percentile(hours, 1)) == (
        3 * H, 5 * H, 3 * H, 1 * H)
    ten = [h * H for h in range(1, 11)]
    assert (median(ten), percentile(ten, 90), percentile(ten, 100)) == (5.5 * H, 9 * H, 10 * H)
    assert median([]) is None and percentile([], 90) is None
    with pytest.raises(ValueError):
        percentile(ten, 0)


def test_no_cases_no_figures():
    empty = figures([])
    assert (empty.count, empty.median, empty.p90, empty.within_target, empty.share_within) == (0, None, None, 0, None)


# --- what holds for any cases --------------------------------------------------------------------------------------

START = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
minutes = st.integers(min_value=0, max_value=6 * 24 * 60)


@st.composite
def cases(draw) -> CaseTimes:
    reported = START + dt.timedelta(minutes=draw(st.integers(min_value=0, max_value=60 * 24 * 60)))
    to_collect, to_arrive, to_receive, to_ship, to_deliver = (dt.timedelta(minutes=draw(minutes)) for _ in range(5))
    collected = reported + to_collect
    arrived = collected + to_arrive
    received = arrived + to_receive
    shipped = received + to_ship
    scanned = draw(st.booleans())
    return CaseTimes(reported=reported, collected=collected if draw(st.booleans()) else None,
                     arrived=arrived if scanned else None, received=received, shipped=shipped,
                     delivered=shipped + to_deliver)


@given(st.lists(cases(), min_size=1, max_size=40))
def test_figures_hold_for_any_cases(rows):
    weeks = weekly(rows, tz=SHANGHAI)

    assert sum(w.count for w in weeks) == len(rows)
    for week in weeks:
        mine = [c for c in rows if monday_of(c.delivered, SHANGHAI) == week.monday]
        totals = [c.total for c in mine]
        assert week.count == len(mine) > 0
        assert min(totals) <= week.median <= week.p90 <= max(totals)
        assert week.p90 in totals  # nearest rank: one case's own time
        assert week.within_target == sum(1 for t in totals if t <= TARGET)
        assert 0 <= week.share_within <= 1
        for part in (week.courier_out, week.bench, week.courier_back):
            assert dt.timedelta(0) <= part <= max(totals)
        if week.count == 1:
            assert week.courier_out + week.bench + week.courier_back == week.median == week.p90
    for case in rows:
        assert case.courier_out + case.bench + case.courier_back == case.total
        if case.pickup_wait is not None:
            assert dt.timedelta(0) <= case.pickup_wait <= case.courier_out


@given(st.lists(cases(), min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_the_order_of_the_rows_changes_nothing(rows, rnd: random.Random):
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert weekly(shuffled, tz=SHANGHAI) == weekly(rows, tz=SHANGHAI)
    assert figures(shuffled) == figures(rows)
