"""A technician's day as plain data: the earliest schedule with lunch on the way, and the cheapest insertion."""

from __future__ import annotations

import itertools

from dispatch import day as days
from dispatch.day import Lunch, Stop, TechDay, best_insertion, time_day

H = 3600
LUNCH = Lunch(window=(11 * H + 1800, 13 * H + 1800), duration=45 * 60)
A, B, C, D = (0.0, 0.0), (0.0, 0.1), (0.0, 0.2), (0.0, 0.3)


def hop(a, b):
    """A line: 0.1 degree apart is 10 minutes and 10 km."""
    if a is None or b is None:
        return (1800, 0)
    steps = round(abs(a[1] - b[1]) * 10)
    return steps * 600, steps * 10_000


def hops_for(day, stops):
    chain = [day.home, *(s.point for s in stops), day.home]
    return [hop(chain[k], chain[k + 1]) for k in range(len(stops) + 1)]


def test_waiting_for_a_window_and_lunch_on_the_way():
    day = TechDay(shift=(8 * H, 18 * H), home=A, lunch=LUNCH)
    stops = (Stop(1, B, H, window=(9 * H, 11 * H)), Stop(2, C, H, window=(13 * H, 15 * H)))
    s = time_day(day, stops, hops_for(day, stops))
    assert s.ok
    assert [(t.arrival, t.start, t.end) for t in s.stops] == [(8 * H + 600, 9 * H, 10 * H),
                                                              (12 * H + 900, 13 * H, 14 * H)]
    # Driving on after the morning job, lunch starts when its window opens; the afternoon job waits for 13:00.
    assert s.lunch == (11 * H + 1800, 11 * H + 1800 + 2700)
    assert s.stops[1].start == 13 * H
    assert s.back == 14 * H + 1200 and s.travel == 2400


def test_late_windows_and_shift_end_are_named():
    day = TechDay(shift=(8 * H, 12 * H), home=A, lunch=None)
    late = time_day(day, (Stop(1, D, H, window=(8 * H, 8 * H + 600)),), [hop(A, D), hop(D, A)])
    assert late.problem == days.LATE_FOR_WINDOW and late.problem_at == 1
    long = time_day(day, (Stop(1, B, 4 * H),), [hop(A, B), hop(B, A)])
    assert long.problem == days.PAST_SHIFT_END


def test_today_starts_now_and_a_job_on_site_opens_the_day():
    day = TechDay(shift=(8 * H, 18 * H), home=A, not_before=10 * H, stops=(Stop(1, C, 1800, started=True),))
    s = time_day(day, day.stops, hops_for(day, day.stops))
    assert (s.stops[0].start, s.stops[0].end, s.stops[0].travel) == (10 * H, 10 * H + 1800, 0)


def brute_force(day, job):
    best = None
    for p in range(len(day.stops) + 1):
        stops = (*day.stops[:p], job, *day.stops[p:])
        s = time_day(day, stops, hops_for(day, stops))
        base = time_day(day, day.stops, hops_for(day, day.stops))
        if s.ok and (best is None or s.travel - base.travel < best[0]):
            best = (s.travel - base.travel, p)
    return best


def test_best_insertion_is_the_cheapest_feasible_place_as_brute_force_finds_it():
    windows = [None, (9 * H, 11 * H), (11 * H, 13 * H), (13 * H, 15 * H), (15 * H, 17 * H)]
    points = [A, B, C, D, (0.0, 0.15)]
    checked = 0
    for w1, w2, wj, pj in itertools.product(windows[1:4], windows[2:], windows, points):
        stops = (Stop(1, B, H, window=w1), Stop(2, D, H, window=w2))
        day = TechDay(shift=(8 * H, 18 * H), home=A, lunch=LUNCH, stops=stops)
        ordered = time_day(day, stops, hops_for(day, stops))
        if not ordered.ok:
            continue
        job = Stop(9, pj, 1800, window=wj)
        where = days.places(day)
        found, _failing = best_insertion(day, job, days.base_hops(day, hop), [hop(p, pj) for p in where],
                                         [hop(pj, p) for p in where])
        expected = brute_force(day, job)
        if expected is None:
            assert found is None
        else:
            assert found is not None and found.added_travel == expected[0]
        checked += 1
    assert checked > 50


def test_nothing_is_inserted_before_a_job_en_route():
    stops = (Stop(1, D, H, locked=True),)
    day = TechDay(shift=(8 * H, 18 * H), home=A, stops=stops)
    where = days.places(day)
    found, _ = best_insertion(day, Stop(9, B, 600), days.base_hops(day, hop), [hop(p, B) for p in where],
                              [hop(B, p) for p in where])
    assert found.position == 1
