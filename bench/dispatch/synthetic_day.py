"""A synthetic field-service day (seeded), solved by the optimiser and by VROOM alone.

    .venv/bin/python bench/dispatch/synthetic_day.py --time-limit 10 --out FILE.json

100 technicians (08:00-18:00, 2-4 of 8 skills, each from their own home), 1,000 jobs in a
30 x 30 km region with one required skill, a 2-hour appointment window (30 % all day), 15-60 min
on site and a priority. Travel: straight line x 1.3 at 30 km/h. Reports jobs served, travel hours
and wall time for the optimiser (the product's call) and for the baseline, VROOM alone at
exploration level 2. See docs/dispatch-benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dispatch.optimiser import Break, Job, Plan, Problem, Technician, solve  # noqa: E402

HOUR = 3600
SKILLS = [f"skill-{k}" for k in range(1, 9)]
ROAD_FACTOR = 1.3
SPEED_M_PER_S = 30_000 / HOUR
REGION_M = 30_000


def make_day(*, seed: int = 0, technicians: int = 100, jobs: int = 1000, lunch: bool = False) -> Problem:
    rng = random.Random(seed)
    points = [(rng.uniform(0, REGION_M), rng.uniform(0, REGION_M)) for _ in range(technicians + jobs)]
    xy = np.array(points)
    metres = ROAD_FACTOR * np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    distances = np.rint(metres).astype(np.int64)
    durations = np.rint(metres / SPEED_M_PER_S).astype(np.int64)
    techs = [
        Technician(
            id=f"T{t + 1:03d}", start_location=t, shift=(8 * HOUR, 18 * HOUR),
            skills=frozenset(rng.sample(SKILLS, rng.randint(2, 4))),
            breaks=(Break(window=(11 * HOUR + 1800, 13 * HOUR), duration=45 * 60),) if lunch else (),
        )
        for t in range(technicians)
    ]
    day_jobs = []
    for j in range(jobs):
        if rng.random() < 0.3:
            windows = ()
        else:
            begin = 8 * HOUR + 2 * HOUR * rng.randrange(5)  # 08-10, 10-12, 12-14, 14-16, 16-18
            windows = ((begin, begin + 2 * HOUR),)
        day_jobs.append(Job(
            id=f"J{j + 1:04d}", location=technicians + j, duration=60 * rng.randint(15, 60), windows=windows,
            skills=frozenset([rng.choice(SKILLS)]), priority=rng.choices([0, 50, 100], weights=[70, 20, 10])[0],
        ))
    return Problem(technicians=techs, jobs=day_jobs, durations=durations, distances=distances)


def summary(name: str, plan: Plan, seconds: float, jobs: int) -> dict:
    return {
        "name": name, "served": plan.served, "jobs": jobs, "served_percent": round(100 * plan.served / jobs, 2),
        "travel_hours": round(plan.travel_time / HOUR, 2), "distance_km": round(plan.distance / 1000, 1),
        "seconds": round(seconds, 2), "engine": plan.engine, "technicians_used": len(plan.routes),
        "unassigned": {u.job_id: u.reason for u in plan.unassigned},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=10.0, help="the optimiser's time limit (s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lunch", action="store_true", help="give every technician a 45 min lunch break")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="cpu: PyVRP workers count their own CPU seconds (for a busy shared machine)")
    parser.add_argument("--no-baseline", action="store_true", help="skip VROOM alone at level 2")
    args = parser.parse_args(argv)

    problem = make_day(seed=args.seed, lunch=args.lunch)
    load_before = os.getloadavg()
    rows = []
    runs = [("optimiser", {"time_limit": args.time_limit, "seed": args.seed, "clock": args.clock})]
    if not args.no_baseline:
        # The baseline runs to its own end (VROOM's level 2 has no time limit in the comparison).
        runs.append(("vroom level 2", {"time_limit": 3600, "engine": "vroom", "vroom_level": 2}))
    for name, options in runs:
        began = time.perf_counter()
        plan = solve(problem, **options)
        rows.append(summary(name, plan, time.perf_counter() - began, len(problem.jobs)))
    print(f"{'run':<15} {'served':>9} {'travel h':>9} {'km':>8} {'seconds':>8}  engine")
    for row in rows:
        print(f"{row['name']:<15} {row['served']:>4}/{row['jobs']:<4} {row['travel_hours']:>9.2f} "
              f"{row['distance_km']:>8.1f} {row['seconds']:>8.2f}  {row['engine']}")
    result = {
        "meta": {"seed": args.seed, "time_limit": args.time_limit, "lunch": args.lunch, "clock": args.clock,
                 "cpus": os.cpu_count(),
                 "load_before": load_before, "load_after": os.getloadavg()},
        "runs": rows,
    }
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1))
    ours = rows[0]
    ok = ours["served"] == ours["jobs"] and ours["seconds"] <= args.time_limit + 0.5
    compared = "travel <= VROOM level 2" if len(rows) > 1 else "travel NOT compared (--no-baseline)"
    if len(rows) > 1:
        ok = ok and ours["travel_hours"] <= rows[1]["travel_hours"]
    print(f"load {load_before[0]:.2f} -> {result['meta']['load_after'][0]:.2f}; target "
          f"{'met' if ok else 'NOT met'} (100 % served, <= {args.time_limit:g} s, {compared})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
