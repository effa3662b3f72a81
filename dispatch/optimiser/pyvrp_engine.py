"""PyVRP: iterated local search that improves a plan where the day fits PyVRP's model.

PyVRP has no breaks and one window per client, and it knows skills only through routing
profiles, so it takes part only when no technician has a break, no job has two windows and the
technicians fall into a few skill classes (`applicable`). Each worker process runs its own seed
from the same warm start until the deadline; the best feasible result wins.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pyvrp
from pyvrp.solve import SolveParams

from .instance import MAX_TIME, Instance
from .schedule import JOB, Step

MAX_PROFILES = 8
FORBIDDEN = 10**9  # travel into a job a technician may not do: always past any shift
UNLIMITED = 2**40


def applicable(inst: Instance, jobs: list[int]) -> str | None:
    """None when PyVRP can model these jobs exactly; otherwise why not."""
    if any(brk.duration > 0 for tech in inst.technicians for brk in tech.breaks):
        return "technicians have breaks"
    if any(len(inst.jobs[j].windows) > 1 for j in jobs):
        return "jobs have several windows"
    classes = {inst.compatible[t, jobs].tobytes() for t in range(len(inst.technicians))}
    if len(classes) > MAX_PROFILES:
        return f"{len(classes)} skill classes (at most {MAX_PROFILES})"
    return None


class Model:
    """ProblemData for the given jobs, with the way back to job and technician indices."""

    def __init__(self, inst: Instance, jobs: list[int], required: set[int]) -> None:
        self.inst = inst
        self.jobs = jobs
        techs = range(len(inst.technicians))
        depot_locs = sorted({inst.start_of(t) for t in techs} | {inst.technicians[t].end for t in techs})
        depot_of = {loc: d for d, loc in enumerate(depot_locs)}
        matrix_index = depot_locs + [inst.jobs[j].location for j in jobs]
        ix = np.ix_(matrix_index, matrix_index)
        costs = inst.costs[ix].astype(np.int64)
        durations = inst.durations[ix].astype(np.int64)
        offset = len(depot_locs)
        horizon = max(tech.shift[1] for tech in inst.technicians)

        dims_load = any(t.capacity is not None for t in inst.technicians)
        dims_count = any(t.max_jobs is not None for t in inst.technicians)
        prize_unit = 2 * int(costs.max(initial=0)) + 1

        clients = []
        for j in jobs:
            job = inst.jobs[j]
            if job.started:
                shift_start = inst.technicians[inst.tech_index[job.pinned_to]].shift[0]
                early = late = shift_start
            elif job.windows:
                early, late = job.windows[0]
            else:
                early, late = 0, min(horizon, MAX_TIME)
            delivery = ([job.load] if dims_load else []) + ([1] if dims_count else [])
            optional = j not in required
            clients.append(pyvrp.Client(
                location=offset + len(clients), delivery=delivery, service_duration=job.duration,
                tw_early=early, tw_late=late, required=not optional,
                prize=prize_unit * (1 + job.priority) if optional else 0,
            ))
        depots = [pyvrp.Depot(location=d) for d in range(len(depot_locs))]

        # Skill classes become routing profiles in which the forbidden jobs are out of reach.
        profile_of: dict[bytes, int] = {}
        cost_matrices, duration_matrices = [], []
        vehicle_types = []
        for t, tech in enumerate(inst.technicians):
            allowed = inst.compatible[t, jobs]
            key = allowed.tobytes()
            if key not in profile_of:
                profile_of[key] = len(cost_matrices)
                forbidden = offset + np.flatnonzero(~allowed)
                c, d = costs.copy(), durations.copy()
                c[:, forbidden] = FORBIDDEN
                d[:, forbidden] = FORBIDDEN
                cost_matrices.append(c)
                duration_matrices.append(d)
            capacity = ([tech.capacity if tech.capacity is not None else UNLIMITED] if dims_load else []) + (
                [tech.max_jobs if tech.max_jobs is not None else UNLIMITED] if dims_count else [])
            vehicle_types.append(pyvrp.VehicleType(
                num_available=1, capacity=capacity,
                start_depot=depot_of[inst.start_of(t)], end_depot=depot_of[tech.end],
                tw_early=tech.shift[0], tw_late=tech.shift[1], profile=profile_of[key],
                unit_distance_cost=1, unit_duration_cost=0,
            ))
        locations = [pyvrp.Location(0, 0) for _ in matrix_index]
        self.data = pyvrp.ProblemData(locations, clients, depots, vehicle_types, cost_matrices, duration_matrices)

    def encode(self, routes: dict[int, list[Step]]) -> list[tuple[int, list[int]]]:
        position = {j: c for c, j in enumerate(self.jobs)}
        return [(t, [position[i] for kind, i in steps if kind == JOB]) for t, steps in routes.items()]

    def decode(self, routes: list[tuple[int, list[int]]]) -> dict[int, list[Step]]:
        return {t: [(JOB, self.jobs[c]) for c in visits] for t, visits in routes if visits}


class _Deadline:
    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def __call__(self, best_cost: float) -> bool:
        return time.monotonic() >= self.deadline


def _run(data: pyvrp.ProblemData, init: list[tuple[int, list[int]]] | None, seed: int,
         deadline: float) -> tuple[bool, int, list[tuple[int, list[int]]]]:
    """One ILS run; returns (feasible, cost, routes). Module-level so worker processes can run it."""
    initial = None
    if init:
        initial = pyvrp.Solution(data, [pyvrp.Route(data, visits, t) for t, visits in init if visits])
    result = pyvrp.solve(data, _Deadline(deadline), seed=seed, collect_stats=False, display=False,
                         params=SolveParams(), initial_solution=initial)
    best = result.best
    routes = [(r.vehicle_type(), [a.idx for a in r if a.is_client()]) for r in best.routes()]
    cost = best.distance_cost() + best.uncollected_prizes()
    return best.is_feasible(), cost, routes


def solve_pyvrp(model: Model, init: dict[int, list[Step]] | None, *, deadline: float, seed: int,
                workers: int) -> tuple[dict[int, list[Step]] | None, dict]:
    """Best feasible routes over `workers` seeds (None when no run found a feasible plan)."""
    encoded = model.encode(init) if init else None
    seeds = [seed + k for k in range(max(1, workers))]
    if len(seeds) == 1:
        results = [_run(model.data, encoded, seeds[0], deadline)]
    else:
        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        with ProcessPoolExecutor(max_workers=len(seeds), mp_context=context) as pool:
            futures = [pool.submit(_run, model.data, encoded, s, deadline) for s in seeds]
            results = [f.result() for f in futures]
    feasible = [(cost, k, routes) for k, (ok, cost, routes) in enumerate(results) if ok]
    stats = {"pyvrp_costs": [cost for _, cost, _ in results], "pyvrp_feasible": [ok for ok, _, _ in results]}
    if not feasible:
        return None, stats
    cost, k, routes = min(feasible)
    stats["pyvrp_best_seed"] = seeds[k]
    return model.decode(routes), stats
