"""PyVRP: iterated local search that improves a plan where the day fits PyVRP's model.

PyVRP has no breaks and one window per client, so it takes part only when no technician has a
break and no job has two windows (`applicable`). Skills and pins become load dimensions: the
jobs that the same technicians may do form a class with its own dimension, each job of it loads
one unit there, and a technician's capacity in it is unlimited when they may do the class and
zero otherwise, so a wrong assignment is an overload PyVRP never returns as feasible. Each
worker process runs its own seed from the same warm start; the best feasible result wins.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pyvrp
from pyvrp.search import LocalSearch, PerturbationManager, compute_neighbours
from pyvrp.solve import SolveParams

from .instance import MAX_TIME, Instance
from .schedule import JOB, Step

MAX_CLASSES = 24  # load dimensions spent on skills and pins
UNLIMITED = 2**40


def _classes(inst: Instance, jobs: list[int]) -> dict[bytes, list[int]]:
    """Jobs grouped by who may do them, leaving out the jobs everybody may do."""
    classes: dict[bytes, list[int]] = {}
    for j in jobs:
        column = inst.compatible[:, j]
        if not column.all():
            classes.setdefault(column.tobytes(), []).append(j)
    return classes


def applicable(inst: Instance, jobs: list[int]) -> str | None:
    """None when PyVRP can model these jobs exactly; otherwise why not."""
    if any(brk.duration > 0 for tech in inst.technicians for brk in tech.breaks):
        return "technicians have breaks"
    if any(len(inst.jobs[j].windows) > 1 for j in jobs):
        return "jobs have several windows"
    if len(classes := _classes(inst, jobs)) > MAX_CLASSES:
        return f"{len(classes)} skill classes (at most {MAX_CLASSES})"
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
        classes = list(_classes(inst, jobs).values())
        class_of = {j: k for k, members in enumerate(classes) for j in members}
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
            delivery += [int(class_of.get(j) == k) for k in range(len(classes))]
            optional = j not in required
            clients.append(pyvrp.Client(
                location=offset + len(clients), delivery=delivery, service_duration=job.duration,
                tw_early=early, tw_late=late, required=not optional,
                prize=prize_unit * (1 + job.priority) if optional else 0,
            ))
        depots = [pyvrp.Depot(location=d) for d in range(len(depot_locs))]

        # Technicians alike in everything share one vehicle type (PyVRP searches faster so).
        type_of: dict[tuple, int] = {}
        self.members: list[list[int]] = []  # vehicle type -> technician indices
        for t, tech in enumerate(inst.technicians):
            capacity = ([tech.capacity if tech.capacity is not None else UNLIMITED] if dims_load else []) + (
                [tech.max_jobs if tech.max_jobs is not None else UNLIMITED] if dims_count else [])
            capacity += [UNLIMITED if inst.compatible[t, members[0]] else 0 for members in classes]
            kind = (inst.start_of(t), tech.end, tech.shift, tuple(capacity))
            if kind not in type_of:
                type_of[kind] = len(self.members)
                self.members.append([])
            self.members[type_of[kind]].append(t)
        vehicle_types = [
            pyvrp.VehicleType(
                num_available=len(members), capacity=list(capacity),
                start_depot=depot_of[start], end_depot=depot_of[end],
                tw_early=shift[0], tw_late=shift[1], unit_distance_cost=1, unit_duration_cost=0,
            )
            for (start, end, shift, capacity), members in zip(type_of, self.members, strict=True)
        ]
        self.type_of_tech = {t: vt for vt, members in enumerate(self.members) for t in members}
        locations = [pyvrp.Location(0, 0) for _ in matrix_index]
        self.data = pyvrp.ProblemData(locations, clients, depots, vehicle_types, [costs], [durations])

    def encode(self, routes: dict[int, list[Step]]) -> list[tuple[int, list[int]]]:
        position = {j: c for c, j in enumerate(self.jobs)}
        return [(self.type_of_tech[t], [position[i] for kind, i in steps if kind == JOB])
                for t, steps in sorted(routes.items())]

    def decode(self, routes: list[tuple[int, list[int]]]) -> dict[int, list[Step]]:
        free = [list(members) for members in self.members]
        return {free[vt].pop(0): [(JOB, self.jobs[c]) for c in visits] for vt, visits in routes if visits}


class _Deadline:
    """Wall clock (monotonic, shared by all processes), or this process's own CPU seconds."""

    def __init__(self, deadline: float, cpu_seconds: float | None, iterations: int | None) -> None:
        self.deadline = deadline
        self.cpu_end = None if cpu_seconds is None else time.process_time() + cpu_seconds
        self.left = iterations

    def __call__(self, best_cost: float) -> bool:
        if self.left is not None:
            self.left -= 1
            if self.left < 0:
                return True
        if self.cpu_end is not None:
            return time.process_time() >= self.cpu_end
        return time.monotonic() >= self.deadline


_DATA: pyvrp.ProblemData | None = None  # the worker's copy, handed over once (not at every epoch)
_NEIGHBOURS: tuple[pyvrp.ProblemData, list] | None = None


def _hand_over(data: pyvrp.ProblemData) -> None:
    global _DATA
    _DATA = data


def _run(data: pyvrp.ProblemData | None, init: list[tuple[int, list[int]]] | None, seed: int,
         deadline: float, cpu_seconds: float | None = None,
         iterations: int | None = None) -> tuple[bool, int, list[tuple[int, list[int]]]]:
    """One ILS run; returns (feasible, cost, routes). Module-level so worker processes can run it."""
    data = data if data is not None else _DATA
    stop = _Deadline(deadline, cpu_seconds, iterations)
    # pyvrp.solve(), but with the neighbourhood computed once per worker, not at every epoch
    # (on a 1,000-job day it costs a quarter of a second).
    params = SolveParams()
    rng = pyvrp.RandomNumberGenerator(seed=seed)
    global _NEIGHBOURS
    if _NEIGHBOURS is None or _NEIGHBOURS[0] is not data:  # the cache holds `data`: its id stays unique
        _NEIGHBOURS = (data, compute_neighbours(data, params.neighbourhood))
    search = LocalSearch(data, rng, _NEIGHBOURS[1], PerturbationManager(params.perturbation))
    for operator in params.operators:
        if operator.supports(data):
            search.add_operator(operator(data))
    penalties = pyvrp.PenaltyManager(params.penalty.midpoint_penalties(data), params.penalty)
    if init:
        initial = pyvrp.Solution(data, [pyvrp.Route(data, visits, t) for t, visits in init if visits])
    else:
        initial = search(pyvrp.Solution.make_random(data, rng), penalties.max_cost_evaluator(), exhaustive=True)
    ils = pyvrp.IteratedLocalSearch(data, penalties, search, initial, params.ils)
    result = ils.run(stop, collect_stats=False, display=False)
    best = result.best
    routes = [(r.vehicle_type(), [a.idx for a in r if a.is_client()]) for r in best.routes()]
    cost = best.distance_cost() + best.uncollected_prizes()
    return best.is_feasible(), cost, routes


WarmStart = Callable[[], tuple[dict[int, list[Step]], "Model | None"]]


def solve_pyvrp(model: Model, *, warm_start: WarmStart | None = None, deadline: float, seed: int,
                workers: int, epochs: int = 1, iterations: int | None = None,
                cpu_seconds: float | None = None) -> tuple[dict[int, list[Step]] | None, dict]:
    """Best feasible routes over `workers` seeds (None when no run found a feasible plan).

    The time is cut into `epochs`: after each, every worker starts again from the best plan
    found so far, with a fresh seed. `warm_start` (VROOM) runs in this process during the first
    epoch while the other workers start from PyVRP's own construction, so both cores work all
    the time; then one worker improves its plan. It returns the routes and, when it left jobs
    out, a model in which those are optional (prize-collecting) for the rest of the search.

    With `cpu_seconds`, each run stops after its share of that much CPU time of its own instead
    of at the deadline: a measure that a busy machine does not disturb (benchmarks only). With
    `iterations`, each run also stops after that many iterations per epoch, which makes the
    result depend on the seed alone (when the deadline is not reached).
    """
    workers, epochs = max(1, workers), max(1, epochs)
    best: tuple[int, list[tuple[int, list[int]]]] | None = None
    stats: dict = {"pyvrp_epochs": []}
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    # With fork the workers inherit the data without pickling; with spawn it is pickled once each.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_hand_over,
                               initargs=(model.data,)) if workers > 1 else None
    variant: Model | None = None  # the prize-collecting model, when the warm start left jobs out
    began = time.monotonic()
    length = (deadline - began) / epochs
    cpu = None if cpu_seconds is None else cpu_seconds / epochs
    count = None if iterations is None else max(1, iterations // epochs)
    try:
        for epoch in range(epochs):
            # Even shares of what is left: the first epoch may run over while VROOM finishes.
            now = time.monotonic()
            if epoch and now >= deadline:
                break
            epoch_end = now + (deadline - now) / (epochs - epoch) if epoch else began + length
            seeds = [seed + epoch * workers + k for k in range(workers)]
            data = variant.data if variant is not None else None
            if epoch == 0 and warm_start is not None:
                scratch = [pool.submit(_run, None, None, s, epoch_end, cpu, count) for s in seeds[1:]] if pool else []
                routes, variant = warm_start()
                data = variant.data if variant is not None else None
                start = model.encode(routes) if routes else None
                warm_end = min(deadline, max(epoch_end, time.monotonic() + length))
                if pool is None:
                    results = [_run(data or model.data, start, seeds[0], warm_end, cpu, count)]
                else:
                    warm = pool.submit(_run, data, start, seeds[0], warm_end, cpu, count)
                    results = [warm.result()] + [f.result() for f in scratch]
            else:
                start = best[1] if best is not None else None
                if pool is None:
                    results = [_run(data or model.data, start, seeds[0], epoch_end, cpu, count)]
                else:
                    futures = [pool.submit(_run, data, start, s, epoch_end, cpu, count) for s in seeds]
                    results = [f.result() for f in futures]
            stats["pyvrp_epochs"].append([cost if ok else None for ok, cost, _ in results])
            for ok, cost, routes in results:
                if ok and (best is None or cost < best[0]):
                    best = (cost, routes)
    finally:
        if pool is not None:
            pool.shutdown()
    if best is None:
        return None, stats
    return model.decode(best[1]), stats
