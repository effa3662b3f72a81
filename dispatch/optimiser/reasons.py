"""Why a job is not in the plan: found before solving for the jobs no technician could ever do."""

from __future__ import annotations

import numpy as np

from .instance import Instance
from .model import Unassigned
from .schedule import BREAK, JOB, Step, time_route

NO_SKILLED_TECHNICIAN = "no_skilled_technician"
OVER_CAPACITY = "over_capacity"
OUTSIDE_SHIFTS = "outside_shifts"
NO_ROOM = "no_room"

REASONS = {
    NO_SKILLED_TECHNICIAN: "no technician has every required skill",
    OVER_CAPACITY: "the job's load is more than any skilled technician can carry",
    OUTSIDE_SHIFTS: "no skilled technician can start it inside its window and be back before the shift ends",
    NO_ROOM: "it fits a technician's day on its own, but not beside the jobs of higher priority or less travel",
}


def alone_steps(inst: Instance, t: int, j: int) -> list[list[Step]]:
    """The ways to do job j alone on technician t's day: each split of the breaks before and after it."""
    breaks = [(BREAK, b) for b in range(len(inst.technicians[t].breaks))]
    breaks.sort(key=lambda step: inst.technicians[t].breaks[step[1]].window)
    return [breaks[:k] + [(JOB, j)] + breaks[k:] for k in range(len(breaks) + 1)]


def feasible_alone(inst: Instance, t: int, j: int) -> bool:
    return any(not time_route(inst, t, steps).violations for steps in alone_steps(inst, t, j))


def prefilter(inst: Instance) -> tuple[list[int], list[Unassigned]]:
    """Split the jobs into those a solver should try and those that can never be planned."""
    techs = inst.technicians
    shift_start = np.array([tech.shift[0] for tech in techs], dtype=np.int64)
    shift_end = np.array([tech.shift[1] for tech in techs], dtype=np.int64)
    starts = np.array([inst.start_of(t) for t in range(len(techs))], dtype=np.int64)
    ends = np.array([tech.end for tech in techs], dtype=np.int64)
    carries = np.array([
        (tech.capacity if tech.capacity is not None else 2**62) if tech.max_jobs != 0 else -1 for tech in techs
    ], dtype=np.int64)

    candidates: list[int] = []
    refused: list[Unassigned] = []
    for j, job in enumerate(inst.jobs):
        skilled = inst.compatible[:, j]
        if not skilled.any():
            refused.append(Unassigned(job.id, NO_SKILLED_TECHNICIAN, f"needs {', '.join(sorted(job.skills))}"))
            continue
        able = skilled & (carries >= job.load)
        if not able.any():
            refused.append(Unassigned(job.id, OVER_CAPACITY, f"load {job.load}"))
            continue
        # Cheap necessary condition first (no breaks), then the exact check on the few who pass.
        arrival = shift_start + inst.durations[starts, job.location]
        ok = np.zeros(len(techs), dtype=bool)
        for t in np.flatnonzero(able):
            for low, high in inst.job_windows(j, int(t)):
                begin = max(int(arrival[t]), low)
                if begin <= high and begin + job.duration + inst.durations[job.location, ends[t]] <= shift_end[t]:
                    ok[t] = True
                    break
        if not any(feasible_alone(inst, int(t), j) for t in np.flatnonzero(ok)):
            who = f"its technician {job.pinned_to} cannot" if job.pinned_to else "no skilled technician can"
            refused.append(Unassigned(job.id, OUTSIDE_SHIFTS, f"{who} fit it inside the window and the shift"))
            continue
        candidates.append(j)
    return candidates, refused
