"""Route optimiser for field service: plain data in, plain data out (no Django, no ORM).

Placeholder docstring; the full API description follows.
"""

from .errors import InvalidProblem
from .model import Break, BreakStop, Job, Plan, Problem, Route, Stop, Technician, Unassigned
from .reasons import REASONS
from .solve import ENGINES, solve

__all__ = [
    "ENGINES", "REASONS", "Break", "BreakStop", "InvalidProblem", "Job", "Plan", "Problem", "Route", "Stop",
    "Technician", "Unassigned", "solve",
]
