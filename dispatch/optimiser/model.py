"""Plain data the optimiser takes and returns (no Django, no ORM, no solver types).

Every time is an integer number of time units (the product uses seconds since the start of the
plan's day in the outlet's zone); every location is an index into the caller's matrices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Window = tuple[int, int]


@dataclass(frozen=True)
class Break:
    """A break (lunch) the technician takes wherever they are: it starts inside `window`."""

    window: Window
    duration: int
    id: str = "lunch"


@dataclass(frozen=True)
class Technician:
    id: str
    start_location: int
    shift: Window
    # None: the route ends at the start location (home); use the same index for an explicit home.
    end_location: int | None = None
    skills: frozenset[str] = frozenset()
    breaks: tuple[Break, ...] = ()
    capacity: int | None = None  # load units (parts, van space); None = unlimited
    max_jobs: int | None = None  # "not overbooked"; None = unlimited

    @property
    def end(self) -> int:
        return self.start_location if self.end_location is None else self.end_location


@dataclass(frozen=True)
class Job:
    id: str
    location: int
    duration: int  # service time on site
    # Service must START inside one of the windows (arriving early means waiting);
    # no window = any time inside the technician's shift ("all day").
    windows: tuple[Window, ...] = ()
    skills: frozenset[str] = frozenset()  # every one of them is required
    priority: int = 0  # 0..100, higher is more important: kept first when not everything fits
    load: int = 0
    pinned_to: str | None = None  # accepted or started: stays with this technician
    # Started: the technician is on site now; the job opens their route at the shift start,
    # with `duration` the time that remains.
    started: bool = False


@dataclass(frozen=True)
class Problem:
    technicians: Sequence[Technician]
    jobs: Sequence[Job]
    # durations[i][j]: travel time from location i to location j (the travel-time provider's).
    durations: Sequence[Sequence[int]]
    # Optional distances (reported, e.g. metres); the objective is travel time unless `costs` is given.
    distances: Sequence[Sequence[int]] | None = None
    costs: Sequence[Sequence[int]] | None = None


@dataclass(frozen=True)
class Stop:
    job_id: str
    location: int
    arrival: int  # when the technician gets there
    start: int  # service start (>= arrival; the difference is waiting)
    end: int
    travel: int  # travel time from the previous place


@dataclass(frozen=True)
class BreakStop:
    break_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Route:
    technician_id: str
    stops: tuple[Stop, ...]
    breaks: tuple[BreakStop, ...]
    start: int  # leaves the start location
    end: int  # back at the end location
    travel_time: int
    distance: int | None
    cost: int
    load: int

    @property
    def job_ids(self) -> list[str]:
        return [stop.job_id for stop in self.stops]


@dataclass(frozen=True)
class Unassigned:
    job_id: str
    reason: str  # one of reasons.REASONS
    detail: str = ""


@dataclass(frozen=True)
class Plan:
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    cost: int
    travel_time: int
    distance: int | None
    seconds: float
    engine: str  # which parts produced it, e.g. "vroom+pyvrp"
    stats: dict = field(default_factory=dict, compare=False)

    def route_of(self, technician_id: str) -> Route | None:
        return next((r for r in self.routes if r.technician_id == technician_id), None)

    @property
    def served(self) -> int:
        return sum(len(route.stops) for route in self.routes)
