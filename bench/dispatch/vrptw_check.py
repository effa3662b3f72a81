"""Feasibility and cost of a VRPTW solution, re-checked from the instance file alone.

Independent of the optimiser and of both solvers on purpose: it reads the raw instance (vrplib's
parse of the file), recomputes every distance in exact integer tenths and walks each route.
Convention (shared/bench/vrptw/README.md): distance = Euclidean truncated to one decimal, travel
time = distance, waiting allowed, every route back before the depot closes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction


@dataclass
class Verdict:
    feasible: bool
    cost: float  # total distance, one decimal
    errors: list[str] = field(default_factory=list)


def tenths(value) -> int:
    """A time or demand from the file in tenths, refusing anything finer than the convention."""
    scaled = Fraction(str(value)) * 10
    if scaled.denominator != 1:
        raise ValueError(f"{value} has more than one decimal")
    return int(scaled)


def distance_tenths(a, b) -> int:
    """floor(10 * euclidean(a, b)), exactly: isqrt on integers, no floating point."""
    dx = Fraction(str(a[0])) - Fraction(str(b[0]))
    dy = Fraction(str(a[1])) - Fraction(str(b[1]))
    square = 100 * (dx * dx + dy * dy)
    # floor(sqrt(p/q)) = isqrt(floor(p/q)) for the non-negative rational p/q.
    return math.isqrt(square.numerator // square.denominator)


def check(instance: dict, routes: list[list[int]]) -> Verdict:
    coords = instance["node_coord"]
    n = len(coords)
    demand = instance["demand"]
    capacity = instance["capacity"]
    windows = instance["time_window"]
    service = instance["service_time"]
    service_of = (lambda i: service[i]) if hasattr(service, "__len__") else (lambda i: service)
    vehicles = instance.get("vehicles")
    errors: list[str] = []

    seen: dict[int, int] = {}
    for r, route in enumerate(routes):
        for customer in route:
            if not (isinstance(customer, int) and 1 <= customer < n):
                errors.append(f"route {r + 1}: {customer!r} is not a customer")
            elif customer in seen:
                errors.append(f"customer {customer} visited twice (routes {seen[customer] + 1} and {r + 1})")
            else:
                seen[customer] = r
    missing = [c for c in range(1, n) if c not in seen]
    if missing:
        errors.append(f"{len(missing)} customers not visited: {missing[:10]}")
    used = [route for route in routes if route]
    if vehicles is not None and len(used) > vehicles:
        errors.append(f"{len(used)} routes for {vehicles} vehicles")

    total = 0
    depot_open, depot_close = tenths(windows[0][0]), tenths(windows[0][1])
    for r, route in enumerate(used):
        valid = [c for c in route if isinstance(c, int) and 1 <= c < n]
        load = sum(int(demand[c]) for c in valid)
        if load > capacity:
            errors.append(f"route {r + 1}: load {load} over capacity {capacity}")
        now, here = depot_open, 0
        for customer in valid:
            leg = distance_tenths(coords[here], coords[customer])
            total += leg
            now += leg
            early, late = tenths(windows[customer][0]), tenths(windows[customer][1])
            if now > late:
                errors.append(f"route {r + 1}: customer {customer} reached at {now / 10}, window closes {late / 10}")
            now = max(now, early) + tenths(service_of(customer))
            here = customer
        leg = distance_tenths(coords[here], coords[0])
        total += leg
        now += leg
        if now > depot_close:
            errors.append(f"route {r + 1}: back at the depot at {now / 10}, it closes at {depot_close / 10}")
    return Verdict(feasible=not errors, cost=total / 10, errors=errors)
