"""Figures (KPIs) over many orders, for whoever may see those orders: each is computed here once, for every
page and, later, the settlement that deducts by them.

Urges (催单) per order: how often the customers of each outlet had to chase a late visit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from workorders.models import WorkOrder

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class UrgeFigures:
    """One outlet's orders opened in the period (outlet None: not yet given to one), and their urges."""

    outlet_id: int | None
    outlet_name: str
    orders: int
    urged_orders: int
    urges: int

    @property
    def urges_per_order(self) -> Decimal:
        return (Decimal(self.urges) / self.orders).quantize(TWO_PLACES, ROUND_HALF_UP) if self.orders else Decimal(0)

    @property
    def urged_share(self) -> Decimal:
        """The share of the orders urged at least once, in per cent."""
        if not self.orders:
            return Decimal(0)
        return (Decimal(100 * self.urged_orders) / self.orders).quantize(Decimal("0.1"), ROUND_HALF_UP)


def urge_figures(user, *, since: dt.datetime, until: dt.datetime) -> tuple[list[UrgeFigures], UrgeFigures]:
    """Per outlet (the most urged first) and in total: the orders the user may see that were opened in
    [since, until), how many of them were urged, and how many urges they had."""
    rows = (WorkOrder.objects.visible_to(user).filter(created_at__gte=since, created_at__lt=until)
            .order_by().values("outlet_id", "outlet__name")
            .annotate(orders=Count("pk", distinct=True),
                      urged=Count("pk", distinct=True, filter=Q(urges__isnull=False)),
                      urges=Count("urges")))
    figures = [UrgeFigures(outlet_id=r["outlet_id"], outlet_name=r["outlet__name"] or "", orders=r["orders"],
                           urged_orders=r["urged"], urges=r["urges"]) for r in rows]
    figures.sort(key=lambda f: (-f.urges_per_order, -f.urges, f.outlet_name))
    total = UrgeFigures(outlet_id=None, outlet_name="", orders=sum(f.orders for f in figures),
                        urged_orders=sum(f.urged_orders for f in figures), urges=sum(f.urges for f in figures))
    return figures, total
