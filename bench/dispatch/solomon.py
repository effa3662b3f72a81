"""Adapter: a VRPLIB VRPTW instance as the optimiser's Problem (and the plan back as routes).

The depot is every technician's home, the vehicle capacity is the technicians' capacity and the
demand each job's load; times are in tenths so that distances truncated to one decimal stay
exact integers (travel time = distance, the convention of shared/bench/vrptw/README.md).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import vrplib

from dispatch.optimiser import Job, Plan, Problem, Technician

SCALE = 10


def read(path: Path) -> dict:
    return vrplib.read_instance(str(path), compute_edge_weights=False)


def best_known(path: Path) -> float | None:
    sol = path.with_suffix(".sol")
    if not sol.exists():
        return None
    return float(vrplib.read_solution(str(sol))["cost"])


def scaled(value) -> int:
    result = round(float(value) * SCALE)
    if abs(result - float(value) * SCALE) > 1e-6:
        raise ValueError(f"{value} has more than one decimal")
    return result


def travel_matrix(coords: np.ndarray) -> np.ndarray:
    """floor(10 * euclidean distance) for every pair of nodes."""
    if np.allclose(coords, np.round(coords)):
        points = np.round(coords).astype(np.int64)
        dx = points[:, None, 0] - points[None, :, 0]
        dy = points[:, None, 1] - points[None, :, 1]
        squares = SCALE * SCALE * (dx * dx + dy * dy)
        return np.array([[math.isqrt(int(v)) for v in row] for row in squares], dtype=np.int64)
    return np.floor(SCALE * np.hypot(coords[:, None, 0] - coords[None, :, 0],
                                     coords[:, None, 1] - coords[None, :, 1]) + 1e-9).astype(np.int64)


def to_problem(instance: dict) -> Problem:
    coords = np.asarray(instance["node_coord"], dtype=float)
    n = len(coords)
    windows = instance["time_window"]
    service = instance["service_time"]
    service = np.full(n, service) if np.ndim(service) == 0 else np.asarray(service)
    depot = (scaled(windows[0][0]), scaled(windows[0][1]))
    technicians = [
        Technician(id=f"vehicle-{k + 1}", start_location=0, shift=depot, capacity=int(instance["capacity"]))
        for k in range(int(instance.get("vehicles") or n - 1))
    ]
    jobs = [
        Job(id=str(i), location=i, duration=scaled(service[i]),
            windows=((scaled(windows[i][0]), scaled(windows[i][1])),), load=int(instance["demand"][i]))
        for i in range(1, n)
    ]
    return Problem(technicians=technicians, jobs=jobs, durations=travel_matrix(coords))


def routes_of(plan: Plan) -> list[list[int]]:
    """Customer numbers as in the file (the depot is 0, customers 1..n, as in the .sol files)."""
    return [[int(job_id) for job_id in route.job_ids] for route in plan.routes]
