"""The optimiser on small days whose answer is known, checked by dispatch.optimiser.check."""

from __future__ import annotations

import pytest

from dispatch.optimiser import Break, InvalidProblem, Job, Problem, Technician, solve
from dispatch.optimiser.check import violations

from .helpers import best_single, best_two, matrix

H = 3600
POINTS = [(0, 0), (400, 0), (800, 300), (200, 600), (-300, 400), (-500, -200), (100, -400), (600, -300),
          (900, 900), (-800, 800)]
D = matrix(POINTS)  # "seconds"; location 0 is home


def plan_ok(problem: Problem, **options):
    plan = solve(problem, **options)
    assert violations(problem, plan) == []
    return plan


def windowed_jobs(count: int) -> list[Job]:
    windows = [(6500, 12500), (1500, 3000), (5000, 8000), (3500, 6500), (2500, 4000), (5000, 11000), (3000, 9000)]
    return [Job(id=f"j{k}", location=k, duration=900, windows=(windows[k - 1],)) for k in range(1, count + 1)]


@pytest.mark.parametrize("engine", ["auto", "pyvrp"])
def test_one_technician_reaches_the_brute_force_optimum(engine):
    tech = Technician(id="t1", start_location=0, shift=(0, 20_000))
    problem = Problem(technicians=[tech], jobs=windowed_jobs(7), durations=D)
    optimum = best_single(problem, tech, list(problem.jobs))
    unconstrained = best_single(problem, tech, [Job(id=j.id, location=j.location, duration=0) for j in problem.jobs])
    assert optimum is not None and optimum > unconstrained  # the windows do bind
    plan = plan_ok(problem, time_limit=1.5, engine=engine, workers=1, iterations=3000)
    assert plan.unassigned == ()
    assert plan.cost == optimum


def test_two_technicians_with_capacity_reach_the_brute_force_optimum():
    techs = [Technician(id="a", start_location=0, shift=(0, 60_000), capacity=3),
             Technician(id="b", start_location=0, shift=(0, 60_000), capacity=4)]
    jobs = [Job(id=f"j{k}", location=k, duration=600, load=2 if k == 3 else 1) for k in range(1, 7)]
    problem = Problem(technicians=techs, jobs=jobs, durations=D)
    optimum = best_two(problem)
    plan = plan_ok(problem, time_limit=2, workers=2, iterations=3000)
    assert plan.served == 6
    assert plan.cost == optimum
    assert all(route.load <= {"a": 3, "b": 4}[route.technician_id] for route in plan.routes)


def test_pinned_jobs_stay_with_their_technician_and_a_started_job_opens_the_route():
    # j1 sits at a's door, but it is pinned to b; b is on site at j2 now.
    techs = [Technician(id="a", start_location=1, shift=(8 * H, 18 * H)),
             Technician(id="b", start_location=9, shift=(8 * H, 18 * H))]
    jobs = [Job(id="j1", location=1, duration=1800, pinned_to="b"),
            Job(id="j2", location=4, duration=1200, pinned_to="b", started=True),
            Job(id="j3", location=2, duration=600), Job(id="j4", location=5, duration=600)]
    problem = Problem(technicians=techs, jobs=jobs, durations=D)
    for engine in ("auto", "vroom"):
        plan = plan_ok(problem, time_limit=1, engine=engine, iterations=500)
        b = plan.route_of("b")
        assert "j1" in b.job_ids
        assert b.stops[0].job_id == "j2" and b.stops[0].start == 8 * H and b.stops[0].travel == 0
        assert plan.unassigned == ()


def test_skills_are_respected_and_a_skill_nobody_has_is_a_reason():
    techs = [Technician(id="gas", start_location=0, shift=(0, 80_000), skills=frozenset({"gas", "fridge"})),
             Technician(id="plain", start_location=0, shift=(0, 80_000), skills=frozenset({"fridge"}))]
    jobs = [Job(id=f"g{k}", location=k, duration=600, skills=frozenset({"gas"})) for k in (1, 3, 5)]
    jobs += [Job(id=f"f{k}", location=k, duration=600, skills=frozenset({"fridge"})) for k in (2, 4, 6)]
    jobs += [Job(id="x", location=7, duration=600, skills=frozenset({"induction"}))]
    problem = Problem(technicians=techs, jobs=jobs, durations=D)
    for engine in ("auto", "vroom"):
        plan = plan_ok(problem, time_limit=1, engine=engine, iterations=500)
        assert {"g1", "g3", "g5"} <= set(plan.route_of("gas").job_ids)
        assert plan.served == 6
        assert [(u.job_id, u.reason) for u in plan.unassigned] == [("x", "no_skilled_technician")]


def test_the_lunch_break_is_taken_inside_its_window():
    lunch = Break(window=(12 * H, 13 * H), duration=45 * 60)
    tech = Technician(id="t", start_location=0, shift=(8 * H, 18 * H), breaks=(lunch,))
    # Appointments around lunch: one must end before 12:30 and one start from 13:00.
    jobs = [Job(id="am", location=1, duration=3 * H, windows=((8 * H, 9 * H),)),
            Job(id="noon", location=2, duration=H, windows=((11 * H, 12 * H),)),
            Job(id="pm", location=3, duration=2 * H, windows=((13 * H, 14 * H),))]
    problem = Problem(technicians=[tech], jobs=jobs, durations=D)
    plan = plan_ok(problem, time_limit=1)
    route = plan.route_of("t")
    assert route.job_ids == ["am", "noon", "pm"]
    (taken,) = route.breaks
    assert 12 * H <= taken.start <= 13 * H and taken.end - taken.start == 45 * 60
    assert "technicians have breaks" in plan.stats["pyvrp_skipped"]


def test_jobs_that_cannot_be_planned_carry_a_reason():
    tech = Technician(id="t", start_location=0, shift=(8 * H, 12 * H), capacity=5)
    jobs = [
        Job(id="heavy", location=1, duration=600, load=6),
        Job(id="evening", location=2, duration=600, windows=((19 * H, 20 * H),)),
        Job(id="urgent", location=3, duration=3 * H, windows=((8 * H, 9 * H),), priority=100),
        Job(id="routine", location=4, duration=3 * H, windows=((8 * H, 9 * H),), priority=0),
    ]
    problem = Problem(technicians=[tech], jobs=jobs, durations=D)
    plan = plan_ok(problem, time_limit=1)
    assert plan.route_of("t").job_ids == ["urgent"]
    reasons = {u.job_id: u.reason for u in plan.unassigned}
    assert reasons == {"heavy": "over_capacity", "evening": "outside_shifts", "routine": "no_room"}
    assert all(u.detail for u in plan.unassigned)


def test_the_same_seed_gives_the_same_plan():
    techs = [Technician(id=f"t{k}", start_location=0, shift=(0, 60_000), capacity=4) for k in range(3)]
    jobs = [Job(id=f"j{k}", location=k, duration=600, load=1) for k in range(1, 10)]
    problem = Problem(technicians=techs, jobs=jobs, durations=D)
    plans = [plan_ok(problem, time_limit=5, seed=7, workers=2, iterations=2000) for _ in range(2)]
    assert [r.job_ids for r in plans[0].routes] == [r.job_ids for r in plans[1].routes]
    assert plans[0].cost == plans[1].cost


@pytest.mark.parametrize(("change", "code"), [
    ({"durations": [[0, 1], [1]]}, "matrix_invalid"),
    ({"durations": [[0, -1], [1, 0]]}, "matrix_invalid"),
    ({"jobs": [Job(id="j", location=5, duration=1)]}, "location_invalid"),
    ({"jobs": [Job(id="j", location=1, duration=1)] * 2}, "duplicate_id"),
    ({"jobs": [Job(id="j", location=1, duration=1, pinned_to="nobody")]}, "pinned_unknown"),
    ({"jobs": [Job(id="j", location=1, duration=1, started=True)]}, "started_unpinned"),
    ({"jobs": [Job(id="j", location=1, duration=1, windows=((5, 2),))]}, "window_invalid"),
    ({"jobs": [Job(id="j", location=1, duration=1, priority=101)]}, "priority_invalid"),
])
def test_a_malformed_problem_is_refused_with_a_code(change, code):
    base = {"technicians": [Technician(id="t", start_location=0, shift=(0, 100))],
            "jobs": [Job(id="j", location=1, duration=1)], "durations": [[0, 1], [1, 0]]}
    with pytest.raises(InvalidProblem) as raised:
        solve(Problem(**{**base, **change}), time_limit=1)
    assert raised.value.code == code


def test_pyvrp_alone_refuses_a_day_with_breaks():
    tech = Technician(id="t", start_location=0, shift=(0, 100), breaks=(Break(window=(10, 20), duration=5),))
    problem = Problem(technicians=[tech], jobs=[Job(id="j", location=1, duration=1)], durations=[[0, 1], [1, 0]])
    with pytest.raises(InvalidProblem) as raised:
        solve(problem, time_limit=1, engine="pyvrp")
    assert raised.value.code == "engine_unsuitable"


@pytest.mark.parametrize(("limit", "epochs"), [(2, 4), (8, 5)])
def test_the_workers_restart_every_half_second_but_at_most_five_times(limit, epochs):
    tech = Technician(id="t1", start_location=0, shift=(0, 20_000))
    problem = Problem(technicians=[tech], jobs=windowed_jobs(7), durations=D)
    plan = plan_ok(problem, time_limit=limit, engine="pyvrp", workers=1, iterations=500)
    assert len(plan.stats["pyvrp_epochs"]) == epochs
