"""Small problems on a plane, and an evaluator for brute force that shares no code with the optimiser."""

from __future__ import annotations

import itertools
import math

from dispatch.optimiser import Job, Problem, Technician


def matrix(points: list[tuple[int, int]]) -> list[list[int]]:
    return [[round(math.dist(a, b)) for b in points] for a in points]


def route_cost(problem: Problem, tech: Technician, order: list[Job]) -> int | None:
    """Travel of one technician doing `order`, or None if a window, the shift or capacity breaks."""
    d = problem.durations
    now, here, cost = tech.shift[0], tech.start_location, 0
    if tech.capacity is not None and sum(job.load for job in order) > tech.capacity:
        return None
    for job in order:
        now += d[here][job.location]
        cost += d[here][job.location]
        low, high = job.windows[0] if job.windows else (0, 10**9)
        if now > high:
            return None
        now = max(now, low) + job.duration
        here = job.location
    cost += d[here][tech.end]
    return cost if now + d[here][tech.end] <= tech.shift[1] else None


def best_single(problem: Problem, tech: Technician, jobs: list[Job]) -> int | None:
    costs = [route_cost(problem, tech, list(p)) for p in itertools.permutations(jobs)]
    feasible = [c for c in costs if c is not None]
    return min(feasible) if feasible else None


def best_two(problem: Problem) -> int | None:
    a, b = problem.technicians
    jobs = list(problem.jobs)
    best = None
    for mask in range(2 ** len(jobs)):
        left = [job for k, job in enumerate(jobs) if mask >> k & 1]
        right = [job for k, job in enumerate(jobs) if not mask >> k & 1]
        ca = best_single(problem, a, left) if left else 0
        cb = best_single(problem, b, right) if right else 0
        if ca is not None and cb is not None and (best is None or ca + cb < best):
            best = ca + cb
    return best
