"""Route optimiser for field service: plain data in, plain data out (no Django, no ORM).

The product side (candidate ranking, applying a plan through the lifecycle, the dispatcher
board) builds a `Problem` from its models, calls `solve`, and reads the `Plan`. Benchmarks call
the very same function (bench/dispatch/, docs/dispatch-benchmarks.md).

Units
    Every time is an integer in one unit chosen by the caller (the product: seconds since
    midnight of the plan's day in the outlet's zone). Every place is an index into the caller's
    matrices. Nothing here knows about coordinates or roads: the travel-time provider is the
    product side's.

Input
    Problem(technicians, jobs, durations, distances=None, costs=None)
        durations[i][j]   travel time from place i to place j (square, non-negative integers).
        distances         optional, only reported (e.g. metres) in Route.distance/Plan.distance.
        costs             optional objective matrix; by default the objective is travel time.
    Technician(id, start_location, shift=(start, end), end_location=None, skills=frozenset(),
               breaks=(), capacity=None, max_jobs=None)
        Leaves start_location (home) no earlier than shift start and is back at end_location
        (None: the start location) by shift end. `breaks`: Break(window=(earliest, latest start),
        duration, id="lunch"), taken wherever the technician is (driving goes on while waiting
        for the window); every break of a technician who has jobs is in the plan. `capacity`
        bounds the sum of the jobs' `load`; `max_jobs` the number of jobs.
    Job(id, location, duration, windows=(), skills=frozenset(), priority=0, load=0,
        pinned_to=None, started=False)
        Service STARTS inside one of `windows` (arriving early means waiting); no windows means
        "all day" (any time in the shift). Every skill in `skills` is required. `priority`
        0..100, higher first when not everything fits. `pinned_to`: a technician id; the job
        (accepted or started) stays with that technician whatever the skills. `started`: that
        technician is on site now; the route opens with it at the shift start (pass the shift
        start as "now" and `duration` as the time that remains).

Call
    solve(problem, *, time_limit=5.0, seed=0, workers=2, engine="auto", iterations=None, ...)
        engine "auto"   when the day fits PyVRP's model (no breaks, at most one window per
                        job, at most 24 skill/pin classes): PyVRP's iterated local search in
                        `workers` processes, each with its own seed, all restarting from the
                        best plan so far at every epoch; during the first epoch VROOM (pyvroom,
                        level 0) builds a plan in this process that one worker then improves.
                        The better of VROOM's and PyVRP's plans is kept: more priority served,
                        then more jobs, then lower cost. Otherwise VROOM alone, with the whole
                        time (Plan.stats["pyvrp_skipped"] says why).
        engine "vroom"  VROOM alone (exploration level `vroom_level`, default 5, or 1 above
                        200 jobs, whose level-5 construction outlasts seconds; time-capped).
        engine "pyvrp"  PyVRP alone from its own start (every job required); refuses a problem
                        it cannot model (InvalidProblem "engine_unsuitable").
        `time_limit` is wall-clock seconds for the whole call. `iterations` caps PyVRP's work,
        which makes the plan depend on the seed alone (as long as the time limit is not hit).
        `clock="cpu"` counts the PyVRP workers' own CPU time instead (benchmarks on a shared
        machine only).
    A malformed problem raises InvalidProblem(code, message): matrix_invalid, location_invalid,
    duplicate_id, window_invalid, duration_invalid, priority_invalid, capacity_invalid,
    pinned_unknown, started_unpinned, started_twice, engine_unknown, engine_unsuitable,
    time_limit_invalid. The product maps it to its domain error once.

Output
    Plan(routes, unassigned, cost, travel_time, distance, seconds, engine, stats)
        routes      Route per technician with jobs, in input order: technician_id, stops
                    (Stop(job_id, location, arrival, start, end, travel)), breaks
                    (BreakStop(break_id, start, end)), start (leaves home: as late as the
                    first appointment allows), end (back), travel_time, distance, cost, load.
        unassigned  Unassigned(job_id, reason, detail) for every job not planned, reason one of
                    REASONS: no_skilled_technician, over_capacity, outside_shifts (no skilled
                    technician can do it inside its window and the shift, even alone),
                    no_room (possible alone, but not beside the jobs of higher priority or
                    less travel).
        engine      which part produced the plan: "vroom", "vroom+pyvrp", "pyvrp".
        stats       timings and per-part costs, for logs and benchmarks.
    Every job is in exactly one route or in `unassigned`. Times come from one schedule
    (schedule.py) whatever the engine; `check.violations(problem, plan)` re-checks a plan from
    its stated times (e.g. one a dispatcher edited by hand) and returns what is wrong.
"""

from .errors import InvalidProblem
from .model import Break, BreakStop, Job, Plan, Problem, Route, Stop, Technician, Unassigned
from .reasons import REASONS
from .solve import ENGINES, solve

__all__ = [
    "ENGINES", "REASONS", "Break", "BreakStop", "InvalidProblem", "Job", "Plan", "Problem", "Route", "Stop",
    "Technician", "Unassigned", "solve",
]
