"""The plan re-check finds each kind of broken plan (so a clean verdict in the other tests means something)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dispatch.optimiser import Break, Job, Problem, Technician, solve
from dispatch.optimiser.check import violations

from .helpers import matrix

H = 3600
D = matrix([(0, 0), (400, 0), (800, 300), (200, 600)])


@pytest.fixture(scope="module")
def day():
    tech = Technician(id="t", start_location=0, shift=(8 * H, 18 * H), skills=frozenset({"gas"}), capacity=3,
                      breaks=(Break(window=(12 * H, 13 * H), duration=1800),))
    other = Technician(id="u", start_location=0, shift=(8 * H, 18 * H))
    jobs = [Job(id="a", location=1, duration=H, windows=((9 * H, 10 * H),), skills=frozenset({"gas"}), load=1),
            Job(id="b", location=2, duration=H, windows=((14 * H, 15 * H),), load=1),
            Job(id="c", location=3, duration=H, pinned_to="u")]
    problem = Problem(technicians=[tech, other], jobs=jobs, durations=D)
    plan = solve(problem, time_limit=1)
    assert violations(problem, plan) == []
    return problem, plan


def edit(plan, technician_id, **changes):
    routes = tuple(replace(r, **changes) if r.technician_id == technician_id else r for r in plan.routes)
    return replace(plan, routes=routes)


def test_a_start_outside_the_window_is_found(day):
    problem, plan = day
    route = plan.route_of("t")
    stops = tuple(replace(s, start=s.start + 2 * H, end=s.end + 2 * H) if s.job_id == "a" else s for s in route.stops)
    assert any("outside its windows" in v for v in violations(problem, edit(plan, "t", stops=stops)))


def test_a_job_twice_or_missing_is_found(day):
    problem, plan = day
    route = plan.route_of("u")
    assert len(route.stops) == 2
    assert any("planned twice" in v for v in violations(problem, edit(plan, "u", stops=route.stops * 2)))
    assert any("neither planned nor unassigned" in v
               for v in violations(problem, edit(plan, "u", stops=route.stops[:1])))


def test_a_missing_break_or_a_late_return_is_found(day):
    problem, plan = day
    assert any("not taken" in v for v in violations(problem, edit(plan, "t", breaks=())))
    assert any("after the shift ends" in v for v in violations(problem, edit(plan, "t", end=19 * H)))


def test_a_pin_a_skill_or_capacity_broken_is_found(day):
    problem, plan = day
    swapped = replace(plan, routes=tuple(replace(r, technician_id={"t": "u", "u": "t"}[r.technician_id])
                                         for r in plan.routes))
    found = violations(problem, swapped)
    assert any("lacks a skill" in v for v in found)
    assert any("is pinned to" in v for v in found)
    small = replace(problem, technicians=[replace(problem.technicians[0], capacity=0), problem.technicians[1]])
    assert any("over capacity" in v for v in violations(small, plan))
