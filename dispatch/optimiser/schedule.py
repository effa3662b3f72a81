"""Times for an ordered route: the earliest schedule, which is feasible whenever any schedule is.

Whatever engine chose the order, the plan's times come from here, so every engine is timed the
same way. A break is taken where the technician is, and travel goes on while they wait for the
break's window to open (driving first, then lunch at the next site).
"""

from __future__ import annotations

from dataclasses import dataclass

from .instance import Instance
from .model import BreakStop, Route, Stop

JOB = "job"
BREAK = "break"

Step = tuple[str, int]  # (JOB, job index) or (BREAK, break index on the technician)


@dataclass
class Timed:
    route: Route
    violations: list[str]


def time_route(inst: Instance, t: int, steps: list[Step]) -> Timed:
    tech = inst.technicians[t]
    shift_start, shift_end = tech.shift
    violations: list[str] = []
    stops: list[Stop] = []
    breaks: list[BreakStop] = []
    location = inst.start_of(t)
    now = shift_start
    pending: list[int] = []  # breaks to take on the way to the next place
    travel_total = cost_total = load = 0
    distance_total = 0 if inst.distances is not None else None
    departure: int | None = None

    def go(to: int) -> int:
        """Travel from `location` to `to` taking the pending breaks; returns the arrival time."""
        nonlocal now, travel_total, cost_total, distance_total
        travel = int(inst.durations[location, to])
        travel_total += travel
        cost_total += int(inst.costs[location, to])
        if distance_total is not None:
            distance_total += int(inst.distances[location, to])
        remaining = travel
        for b in pending:
            brk = tech.breaks[b]
            begin = max(now, brk.window[0])
            remaining -= min(remaining, begin - now)
            if begin > brk.window[1]:
                violations.append(f"break {brk.id} starts at {begin}, after its window {brk.window}")
            breaks.append(BreakStop(break_id=brk.id, start=begin, end=begin + brk.duration))
            now = begin + brk.duration
        pending.clear()
        now += remaining
        return now

    for kind, index in steps:
        if kind == BREAK:
            pending.append(index)
            continue
        job = inst.jobs[index]
        before = now
        had_breaks = bool(pending)
        arrival = go(job.location)
        travel = int(inst.durations[location, job.location])
        windows = inst.job_windows(index, t)
        start = None
        for low, high in sorted(windows):
            if arrival <= high:
                start = max(arrival, low)
                break
        if start is None:
            violations.append(f"job {job.id} reached at {arrival}, after its windows {windows}")
            start = arrival
        if departure is None:
            # Leave home as late as the first appointment allows (no waiting on the doorstep).
            departure = before if had_breaks else max(shift_start, start - travel)
            if not had_breaks:
                arrival = departure + travel
        stops.append(Stop(job_id=job.id, location=job.location, arrival=arrival, start=start,
                          end=start + job.duration, travel=travel))
        now = start + job.duration
        location = job.location
        load += job.load

    if not stops:
        return Timed(Route(technician_id=tech.id, stops=(), breaks=(), start=shift_start, end=shift_start,
                           travel_time=0, distance=distance_total, cost=0, load=0), violations)
    back = go(tech.end)
    if back > shift_end:
        violations.append(f"back at {back}, after the shift ends at {shift_end}")
    if tech.capacity is not None and load > tech.capacity:
        violations.append(f"load {load} over capacity {tech.capacity}")
    if tech.max_jobs is not None and len(stops) > tech.max_jobs:
        violations.append(f"{len(stops)} jobs, over the limit of {tech.max_jobs}")
    route = Route(technician_id=tech.id, stops=tuple(stops), breaks=tuple(breaks), start=departure,
                  end=back, travel_time=travel_total, distance=distance_total, cost=cost_total, load=load)
    return Timed(route, violations)
