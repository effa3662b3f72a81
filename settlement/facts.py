"""What settlement reads about an order's visit, supplied by the technician app above it (core/hooks.py).

The visit (check-in point and distance, labour against the standard minutes, the charge priced at completion) is
the field app's; settlement sits below it in the layers (docs/architecture.md), so it declares the one function it
needs here and field/hooks.py supplies it. Everything is read for many orders at once: one query, none per order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from core.hooks import Provider


@dataclass(frozen=True, kw_only=True)
class VisitFacts:
    """One order's completed visit (the last one, when there were several), as plain data."""

    visit_id: int
    technician_id: int | None = None
    checkin_latitude: Decimal | None = None
    checkin_longitude: Decimal | None = None
    checkin_accuracy_m: int | None = None
    checkin_distance_m: int | None = None
    labour_minutes: int | None = None
    standard_minutes: int | None = None
    # The parts on the charge frozen at completion that the warranty covered: (part code, quantity). The brand
    # pays the outlet for these at its transfer price; parts the customer paid for are the outlet's sale.
    covered_parts: tuple[tuple[str, int], ...] = ()
    serial_seen: str = ""  # the serial the technician read off the unit's nameplate on site ("" when none)


# visits_of(orders) → {order id: VisitFacts} for the orders that had a completed visit; ``orders`` is a queryset
# of work orders (read as a subquery, so a month of a million orders is not a million parameters).
visits_of: Provider[Callable[[QuerySet], dict[int, VisitFacts]]] = Provider("settlement.facts.visits_of")

# missing_photos(orders) → {order id: the codes of the required photos (field job templates) its last completed
# visit did not take}, for the orders missing any; an order completed with no visit at all misses them all.
missing_photos: Provider[Callable[[QuerySet], dict[int, tuple[str, ...]]]] = Provider("settlement.facts.missing_photos")
