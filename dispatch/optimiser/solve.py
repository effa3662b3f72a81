"""The one entry point: `solve(problem, ...)` -> Plan."""

from __future__ import annotations

import time

from .errors import InvalidProblem
from .instance import Instance, build_instance
from .model import Plan, Problem, Route, Unassigned
from .pyvrp_engine import Model, applicable, solve_pyvrp
from .reasons import NO_ROOM, REASONS, prefilter
from .schedule import Step, time_route
from .vroom_engine import solve_vroom

ENGINES = ("auto", "vroom", "pyvrp")
AUTO_VROOM_LEVEL = 0  # a quick warm start; PyVRP does the improving
VROOM_ALONE_LEVEL = 5
MARGIN, MARGIN_PER_JOB = 0.05, 0.0003  # seconds kept for timing and checking the plans at the end
MIN_PYVRP_SECONDS = 0.2
# Every epoch, all PyVRP workers restart from the best plan so far: far better than independent
# runs (docs/dispatch-benchmarks.md). Big days get longer epochs (each restart costs a set-up).
EPOCH_SECONDS = 0.5
# ... but not more than five restarts: at 10 s per Solomon instance, twenty 0.5 s epochs held the
# workers in the one best plan's neighbourhood (mean gap 0.237 %), five 2 s epochs did not (0.142 %).
MAX_EPOCHS = 5
BIG_DAY_JOBS, BIG_DAY_EPOCH_SECONDS, BIG_DAY_VROOM_LEVEL = 200, 2.0, 1


def _timed(inst: Instance, routes: dict[int, list[Step]]) -> tuple[list[Route], list[str]] | None:
    timed = [time_route(inst, t, steps) for t, steps in sorted(routes.items())]
    problems = [f"{inst.technicians[t].id}: {v}" for (t, _), r in zip(sorted(routes.items()), timed, strict=True)
                for v in r.violations]
    return [r.route for r in timed if r.route.stops], problems


def _key(inst: Instance, routes: list[Route]) -> tuple[int, int, int]:
    served = [inst.jobs[inst.job_index[job_id]] for r in routes for job_id in r.job_ids]
    return (-sum(job.priority for job in served), -len(served), sum(r.cost for r in routes))


def solve(
    problem: Problem,
    *,
    time_limit: float = 5.0,
    seed: int = 0,
    workers: int = 2,
    engine: str = "auto",
    vroom_level: int | None = None,
    clock: str = "wall",
    epochs: int | None = None,
    iterations: int | None = None,
) -> Plan:
    """Plan the day. See the package docstring for the meaning of every field."""
    began = time.monotonic()
    began_cpu = time.process_time()
    if clock not in ("wall", "cpu"):
        raise InvalidProblem("clock_unknown", "clock must be 'wall' or 'cpu'")
    if engine not in ENGINES:
        raise InvalidProblem("engine_unknown", f"engine must be one of {', '.join(ENGINES)}")
    if time_limit <= 0:
        raise InvalidProblem("time_limit_invalid", "the time limit must be positive")
    deadline = began + time_limit
    inst = build_instance(problem)
    candidates, refused = prefilter(inst)
    margin = MARGIN + MARGIN_PER_JOB * len(candidates)
    stats: dict = {"prefilter_seconds": round(time.monotonic() - began, 3)}
    found: list[tuple[str, dict[int, list[Step]]]] = []

    why_not = applicable(inst, candidates) if candidates else "no job to plan"
    if engine == "pyvrp" and why_not is not None and candidates:
        raise InvalidProblem("engine_unsuitable", f"PyVRP cannot model this problem: {why_not}")
    if candidates and engine == "auto" and why_not is not None:
        stats["pyvrp_skipped"] = why_not
    with_pyvrp = bool(candidates) and engine in ("auto", "pyvrp") and why_not is None

    if candidates and not with_pyvrp and engine != "pyvrp":
        # VROOM alone: the whole time is its.
        # On a big day VROOM's level-5 construction alone outlasts a 10 s limit (its timeout
        # only cuts the local search), so big days get a lighter level.
        default = VROOM_ALONE_LEVEL if len(candidates) <= BIG_DAY_JOBS else BIG_DAY_VROOM_LEVEL
        level = vroom_level if vroom_level is not None else default
        started = time.monotonic()
        routes = solve_vroom(inst, candidates, exploration_level=level, threads=max(1, workers),
                             timeout=max(deadline - time.monotonic() - margin, 0.01))
        stats.update(vroom_level=level, vroom_seconds=round(time.monotonic() - started, 3))
        found.append(("vroom", routes))

    if with_pyvrp:
        started = time.monotonic()
        model = Model(inst, candidates, set(candidates))
        seconds = deadline - time.monotonic() - margin
        if epochs is None:
            epoch = EPOCH_SECONDS if len(candidates) <= BIG_DAY_JOBS else BIG_DAY_EPOCH_SECONDS
            epochs = max(1, min(round(seconds / epoch), MAX_EPOCHS))
        warm_start = None
        if engine == "auto":
            level = vroom_level if vroom_level is not None else AUTO_VROOM_LEVEL

            def warm_start():
                began_vroom = time.monotonic()
                # One thread: the other core runs PyVRP from its own start meanwhile.
                routes = solve_vroom(inst, candidates, exploration_level=level, threads=1,
                                     timeout=max(seconds / epochs, 0.01))
                stats.update(vroom_level=level, vroom_seconds=round(time.monotonic() - began_vroom, 3))
                found.append(("vroom", routes))
                served = {j for steps in routes.values() for _, j in steps}
                return routes, (Model(inst, candidates, served) if served != set(candidates) else None)

        cpu_left = time_limit - (time.process_time() - began_cpu) - margin if clock == "cpu" else None
        routes, pyvrp_stats = solve_pyvrp(model, warm_start=warm_start, deadline=deadline - margin, seed=seed,
                                          workers=workers, epochs=epochs, iterations=iterations,
                                          cpu_seconds=cpu_left)
        stats.update(pyvrp_stats, pyvrp_seconds=round(time.monotonic() - started, 3))
        if routes is not None:
            found.append(("vroom+pyvrp" if engine == "auto" else "pyvrp", routes))

    best: tuple[tuple, str, list[Route]] | None = None
    for label, routes in found:
        timed, problems = _timed(inst, routes)
        if problems:  # never hand out a plan our own schedule cannot keep
            stats[f"{label}_rejected"] = problems[:5]
            continue
        key = _key(inst, timed)
        stats[f"{label}_cost"] = key[2]
        if best is None or key < best[0]:
            best = (key, label, timed)
    label, routes = (best[1], best[2]) if best else ("none", [])

    planned = {job_id for r in routes for job_id in r.job_ids}
    unplanned = {u.job_id: u for u in refused}
    for j in candidates:
        job_id = inst.jobs[j].id
        if job_id not in planned:
            unplanned[job_id] = Unassigned(job_id, NO_ROOM, REASONS[NO_ROOM])
    order = {tech.id: t for t, tech in enumerate(inst.technicians)}
    routes.sort(key=lambda r: order[r.technician_id])
    distance = None if inst.distances is None else sum(r.distance for r in routes)
    return Plan(
        routes=tuple(routes),
        unassigned=tuple(unplanned[job.id] for job in inst.jobs if job.id in unplanned),
        cost=sum(r.cost for r in routes),
        travel_time=sum(r.travel_time for r in routes),
        distance=distance,
        seconds=round(time.monotonic() - began, 3),
        engine=label,
        stats=stats,
    )
