"""VROOM (pyvroom): the engine that models the whole field-service day.

Skills, pins (a private skill per technician), lunch breaks, several windows per job, priorities,
capacity and a job count limit are all native VROOM notions, so its plan is always a full answer.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import vroom

from .instance import MAX_TIME, Instance
from .schedule import BREAK, JOB, Step

UNLIMITED = 2**31 - 1


def solve_vroom(
    inst: Instance,
    jobs: list[int],
    *,
    exploration_level: int,
    threads: int,
    timeout: float | None,
) -> dict[int, list[Step]]:
    """Routes as {technician index: steps} for the given job indices (the others are left out)."""
    problem = vroom.Input()
    problem.set_durations_matrix("car", inst.durations.astype(np.uint32))
    if inst.costs is not inst.durations:
        problem.set_costs_matrix("car", inst.costs.astype(np.uint32))

    skill_ids: dict[str, int] = {}
    for tech in inst.technicians:
        for skill in sorted(tech.skills):
            skill_ids.setdefault(skill, len(skill_ids) + 1)
    pin_base = len(skill_ids) + 1
    with_load = any(t.capacity is not None for t in inst.technicians)

    break_of: dict[int, tuple[int, int]] = {}
    for t, tech in enumerate(inst.technicians):
        skills = {skill_ids[s] for s in tech.skills} | {pin_base + t}
        breaks = []
        for b, brk in enumerate(tech.breaks):
            break_id = len(break_of) + 1
            break_of[break_id] = (t, b)
            breaks.append(vroom.Break(break_id, time_windows=[vroom.TimeWindow(*brk.window)], service=brk.duration))
        capacity = [tech.capacity if tech.capacity is not None else UNLIMITED] if with_load else []
        problem.add_vehicle(vroom.Vehicle(
            t + 1,
            start=inst.start_of(t),
            end=tech.end,
            capacity=vroom.Amount(capacity),
            skills=skills,
            time_window=vroom.TimeWindow(*tech.shift),
            breaks=breaks,
            max_tasks=tech.max_jobs if tech.max_jobs is not None else vroom.vehicle.MAX_UINT,
        ))

    for j in jobs:
        job = inst.jobs[j]
        if job.pinned_to is not None:
            skills = {pin_base + inst.tech_index[job.pinned_to]}
        else:
            skills = {skill_ids[s] for s in job.skills if s in skill_ids}
        if job.started:
            shift_start = inst.technicians[inst.tech_index[job.pinned_to]].shift[0]
            windows = [(shift_start, shift_start)]
        else:
            windows = sorted(job.windows) or [(0, MAX_TIME)]
        problem.add_job(vroom.Job(
            j + 1,
            location=job.location,
            default_service=job.duration,
            delivery=vroom.Amount([job.load] if with_load else []),
            skills=skills,
            priority=job.priority,
            time_windows=[vroom.TimeWindow(*w) for w in windows],
        ))

    solution = problem.solve(
        exploration_level=exploration_level,
        nb_threads=threads,
        timeout=timedelta(seconds=timeout) if timeout else None,
    ).to_dict()
    routes: dict[int, list[Step]] = {}
    for route in solution["routes"]:
        steps: list[Step] = []
        for step in route["steps"]:
            if step["type"] == "job":
                steps.append((JOB, step["id"] - 1))
            elif step["type"] == "break":
                steps.append((BREAK, break_of[step["id"]][1]))
        if any(kind == JOB for kind, _ in steps):
            routes[route["vehicle"] - 1] = steps
    return routes
