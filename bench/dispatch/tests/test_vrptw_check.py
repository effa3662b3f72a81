"""The VRPTW re-check: it accepts a right solution and rejects each kind of wrong one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.dispatch import solomon
from bench.dispatch.vrptw_check import check, distance_tenths
from dispatch.optimiser import solve

# Depot 0 at (0,0) open 0-100; four customers; capacity 10. Distances: 0-1 = 10, 1-2 = 10,
# 0-2 = 14.1 (truncated from 14.142...), 0-3 = 5, 3-4 = 3, 0-4 = 5.8 (from 5.830...).
INSTANCE = """NAME : TINY
TYPE : CVRPTW
DIMENSION : 5
VEHICLES : 3
CAPACITY : 10
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 10 0
3 10 10
4 0 5
5 3 5
DEMAND_SECTION
1 0
2 4
3 4
4 5
5 5
SERVICE_TIME_SECTION
1 0
2 2
3 2
4 1
5 1
TIME_WINDOW_SECTION
1 0 100
2 0 20
3 20 30
4 0 10
5 0 15
DEPOT_SECTION
1
-1
EOF
"""


@pytest.fixture
def tiny(tmp_path: Path) -> dict:
    path = tmp_path / "TINY.vrp"
    path.write_text(INSTANCE)
    return solomon.read(path)


def test_distances_are_truncated_to_one_decimal_exactly():
    assert distance_tenths((0, 0), (10, 10)) == 141
    assert distance_tenths((0, 0), (3, 4)) == 50  # exactly 5: no float 49.999...
    assert distance_tenths((0, 5), (3, 5)) == 30


def test_a_feasible_solution_is_accepted_with_its_cost(tiny):
    verdict = check(tiny, [[1, 2], [3, 4]])
    assert verdict.errors == []
    assert verdict.feasible
    assert verdict.cost == pytest.approx(10 + 10 + 14.1 + 5 + 3 + 5.8)


@pytest.mark.parametrize(("routes", "fragment"), [
    ([[2, 1], [3, 4]], "window closes"),  # 2 first: reached at 14.1, then 1 at 26.1 > 20
    ([[1, 2], [3, 4, 3]], "visited twice"),
    ([[1, 2, 3]], "over capacity"),
    ([[1, 2], [3]], "not visited"),
    ([[1, 2], [3, 4], [9]], "not a customer"),
])
def test_a_broken_solution_is_rejected(tiny, routes, fragment):
    verdict = check(tiny, routes)
    assert not verdict.feasible
    assert any(fragment in error for error in verdict.errors), verdict.errors


def test_coming_back_after_the_depot_closes_is_rejected(tiny):
    late = {**tiny, "time_window": tiny["time_window"].copy()}
    late["time_window"][0] = (0, 39)  # route 1-2 is back at 10 + 2 + 10 (wait to 20) + 2 + 14.1 = 36.1
    assert check(late, [[1, 2], [3, 4]]).feasible
    late["time_window"][0] = (0, 36)
    verdict = check(late, [[1, 2], [3, 4]])
    assert not verdict.feasible and "closes at 36.0" in verdict.errors[0]


def test_the_adapter_solves_through_the_optimiser_and_the_check_agrees(tiny):
    problem = solomon.to_problem(tiny)
    plan = solve(problem, time_limit=1, workers=1, iterations=500)
    routes = solomon.routes_of(plan)
    verdict = check(tiny, routes)
    assert verdict.feasible, verdict.errors
    assert round(verdict.cost * solomon.SCALE) == plan.cost
    assert verdict.cost == pytest.approx(47.9)
