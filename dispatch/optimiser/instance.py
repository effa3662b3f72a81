"""Validation of a Problem and the index-based view every engine works on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import InvalidProblem
from .model import Job, Problem, Technician

MAX_TIME = 2**31 - 1  # engines keep times in 32 bits


@dataclass
class Instance:
    problem: Problem
    technicians: list[Technician]
    jobs: list[Job]
    durations: np.ndarray  # int64, square
    costs: np.ndarray  # int64; the durations unless the caller gave costs
    distances: np.ndarray | None
    # compatible[t, j]: technician t may do job j (skills, pin), before any time or capacity check
    compatible: np.ndarray
    tech_index: dict[str, int]
    job_index: dict[str, int]
    started: dict[int, int]  # technician -> the job they are on now

    def start_of(self, t: int) -> int:
        """Where technician t starts: on the site of a job in progress, else at the start location."""
        j = self.started.get(t)
        return self.technicians[t].start_location if j is None else self.jobs[j].location

    def job_windows(self, j: int, t: int) -> list[tuple[int, int]]:
        """Windows for the service start of job j on technician t (a started job starts at the shift start)."""
        job = self.jobs[j]
        shift_start = self.technicians[t].shift[0]
        if job.started:
            return [(shift_start, shift_start)]
        return list(job.windows) if job.windows else [(0, MAX_TIME)]


def _matrix(name: str, rows, size: int | None) -> np.ndarray:
    try:
        matrix = np.asarray(rows, dtype=np.int64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidProblem("matrix_invalid", f"{name} must be a square matrix of integers") from exc
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise InvalidProblem("matrix_invalid", f"{name} must be a square matrix of integers")
    if size is not None and matrix.shape[0] != size:
        raise InvalidProblem("matrix_invalid", f"{name} must have the same size as durations")
    if matrix.size and (matrix.min() < 0 or matrix.max() > MAX_TIME):
        raise InvalidProblem("matrix_invalid", f"{name} must hold integers between 0 and {MAX_TIME}")
    return matrix


def _window(where: str, window) -> None:
    if len(window) != 2 or not all(isinstance(v, int | np.integer) for v in window):
        raise InvalidProblem("window_invalid", f"{where}: a window is a pair of integers")
    start, end = window
    if start < 0 or end < start or end > MAX_TIME:
        raise InvalidProblem("window_invalid", f"{where}: window {tuple(window)} is empty or out of range")


def build_instance(problem: Problem) -> Instance:
    durations = _matrix("durations", problem.durations, None)
    size = durations.shape[0]
    costs = _matrix("costs", problem.costs, size) if problem.costs is not None else durations
    distances = _matrix("distances", problem.distances, size) if problem.distances is not None else None

    technicians = list(problem.technicians)
    jobs = list(problem.jobs)
    tech_index: dict[str, int] = {}
    for t, tech in enumerate(technicians):
        if tech.id in tech_index:
            raise InvalidProblem("duplicate_id", f"technician {tech.id!r} is given twice")
        tech_index[tech.id] = t
        for location in (tech.start_location, tech.end):
            if not 0 <= location < size:
                raise InvalidProblem("location_invalid",
                                     f"technician {tech.id!r}: location {location} is not in the matrix")
        _window(f"technician {tech.id!r} shift", tech.shift)
        for brk in tech.breaks:
            _window(f"technician {tech.id!r} break {brk.id!r}", brk.window)
            if brk.duration < 0:
                raise InvalidProblem("duration_invalid",
                                     f"technician {tech.id!r}: break {brk.id!r} has a negative duration")
        if len({brk.id for brk in tech.breaks}) != len(tech.breaks):
            raise InvalidProblem("duplicate_id", f"technician {tech.id!r}: two breaks share an id")
        for name in ("capacity", "max_jobs"):
            value = getattr(tech, name)
            if value is not None and value < 0:
                raise InvalidProblem("capacity_invalid", f"technician {tech.id!r}: {name} must not be negative")

    job_index: dict[str, int] = {}
    started_by: dict[str, str] = {}
    for j, job in enumerate(jobs):
        if job.id in job_index:
            raise InvalidProblem("duplicate_id", f"job {job.id!r} is given twice")
        job_index[job.id] = j
        if not 0 <= job.location < size:
            raise InvalidProblem("location_invalid", f"job {job.id!r}: location {job.location} is not in the matrix")
        if job.duration < 0 or job.load < 0:
            raise InvalidProblem("duration_invalid", f"job {job.id!r}: duration and load must not be negative")
        if not 0 <= job.priority <= 100:
            raise InvalidProblem("priority_invalid", f"job {job.id!r}: priority must be between 0 and 100")
        for window in job.windows:
            _window(f"job {job.id!r}", window)
        if job.pinned_to is not None and job.pinned_to not in tech_index:
            raise InvalidProblem("pinned_unknown", f"job {job.id!r} is pinned to unknown technician {job.pinned_to!r}")
        if job.started:
            if job.pinned_to is None:
                raise InvalidProblem("started_unpinned", f"job {job.id!r} is started but not pinned to its technician")
            if job.pinned_to in started_by:
                raise InvalidProblem(
                    "started_twice",
                    f"technician {job.pinned_to!r} cannot be on site at {started_by[job.pinned_to]!r} and {job.id!r}",
                )
            started_by[job.pinned_to] = job.id

    compatible = np.zeros((len(technicians), len(jobs)), dtype=bool)
    for t, tech in enumerate(technicians):
        for j, job in enumerate(jobs):
            # A pin is a commitment already made (accepted or started): it is kept as it is.
            compatible[t, j] = job.pinned_to == tech.id if job.pinned_to is not None else job.skills <= tech.skills

    return Instance(
        problem=problem,
        technicians=technicians,
        jobs=jobs,
        durations=durations,
        costs=costs,
        distances=distances,
        compatible=compatible,
        tech_index=tech_index,
        job_index=job_index,
        started={tech_index[job.pinned_to]: j for j, job in enumerate(jobs) if job.started},
    )
