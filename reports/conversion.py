"""Conversion (issue 16): reminders sent → visits booked or shop orders paid → revenue, by segment and region; and
the technicians' leads won through a sale with the commission they earned.

The ties are rows, not guesses: a reminder names the visit it booked (``Reminder.work_order``) and a shop order
the reminder it came from (``ShopOrder.reminder``) and the lead it won (``ShopOrder.lead``). Segment and region
are those at the time (copied onto the reminder and the shop order when written). Reminders and shop orders are
read through ``visible_to``; the page and the API are the brand's staff's, who see their brand's figures only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.principal import principal_of
from customers.choices import Segment
from maintenance.models import Reminder
from network.models import Region
from revenue.choices import LeadStatus
from revenue.models import Commission, Lead
from shop.choices import OrderStatus
from shop.models import ShopOrder

ZERO = Decimal("0.00")
CENT = Decimal("0.01")  # SQLite sums decimals to 118, not 118.00
PAID = [OrderStatus.PAID, OrderStatus.FULFILLING, OrderStatus.DELIVERED, OrderStatus.INSTALLED, OrderStatus.DONE]


@dataclass
class Row:
    segment: str
    region_id: int | None
    segment_label: str = ""
    region_name: str = ""
    reminders: int = 0
    visits: int = 0  # reminders that booked a visit
    ordered: int = 0  # reminders whose shop order was paid
    reminder_revenue: Decimal = ZERO  # the paid shop orders that came from a reminder
    shop_orders: int = 0  # every paid shop order
    shop_revenue: Decimal = ZERO

    @property
    def converted(self) -> int:
        return self.visits + self.ordered

    @property
    def rate(self) -> Decimal | None:
        return (Decimal(self.converted * 100) / self.reminders).quantize(Decimal("0.1")) if self.reminders else None

    def as_dict(self) -> dict:
        return {"segment": self.segment, "segment_label": self.segment_label, "region_id": self.region_id,
                "region_name": self.region_name, "reminders": self.reminders, "visits": self.visits,
                "ordered": self.ordered, "converted": self.converted,
                "conversion_percent": str(self.rate) if self.rate is not None else None,
                "reminder_revenue": f"{self.reminder_revenue:.2f}", "shop_orders": self.shop_orders,
                "shop_revenue": f"{self.shop_revenue:.2f}"}


@dataclass
class Conversion:
    since: dt.date
    until: dt.date
    rows: list[Row] = field(default_factory=list)
    leads_won: int = 0
    lead_value: Decimal = ZERO
    commission: Decimal = ZERO

    @property
    def total(self) -> Row:
        total = Row(segment="", region_id=None)
        for row in self.rows:
            for name in ("reminders", "visits", "ordered", "reminder_revenue", "shop_orders", "shop_revenue"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return total

    def as_dict(self) -> dict:
        return {"from": self.since.isoformat(), "to": self.until.isoformat(),
                "rows": [r.as_dict() for r in self.rows], "total": self.total.as_dict(),
                "leads": {"won_through_sales": self.leads_won, "value": f"{self.lead_value:.2f}",
                          "commission": f"{self.commission:.2f}"}}


def _window(day_from: dt.date, day_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day_from, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def conversion(user, *, since: dt.date | None = None, until: dt.date | None = None) -> Conversion:
    """The figures of reminders sent and shop orders placed from ``since`` to ``until`` (inclusive, local days;
    the last 30 days by default), grouped by segment and region, in four grouped queries."""
    until = until or timezone.localdate()
    since = since or until - dt.timedelta(days=29)
    start, end = _window(since, until)
    rows: dict[tuple[str, int | None], Row] = {}

    def row(segment: str, region_id: int | None) -> Row:
        return rows.setdefault((segment or "", region_id), Row(segment=segment or "", region_id=region_id))

    paid_order = Q(shop_orders__status__in=PAID)
    reminders = (Reminder.objects.visible_to(user).filter(sent_at__gte=start, sent_at__lt=end).order_by()
                 .values("segment", "region_id")
                 .annotate(n=Count("pk", distinct=True),
                           visits=Count("pk", filter=Q(work_order__isnull=False), distinct=True),
                           ordered=Count("pk", filter=paid_order, distinct=True),
                           revenue=Sum("shop_orders__total", filter=paid_order)))
    for r in reminders:
        target = row(r["segment"], r["region_id"])
        target.reminders, target.visits, target.ordered = r["n"], r["visits"], r["ordered"]
        target.reminder_revenue = (r["revenue"] or ZERO).quantize(CENT)
    orders = (ShopOrder.objects.visible_to(user).filter(created_at__gte=start, created_at__lt=end, status__in=PAID)
              .order_by().values("segment", "region_id").annotate(n=Count("pk"), revenue=Sum("total")))
    for o in orders:
        target = row(o["segment"], o["region_id"])
        target.shop_orders, target.shop_revenue = o["n"], (o["revenue"] or ZERO).quantize(CENT)
    names = dict(Region.objects.filter(pk__in=[k[1] for k in rows if k[1]]).values_list("pk", "name"))
    labels = dict(Segment.choices)
    for (segment, region_id), r in rows.items():
        r.segment_label, r.region_name = str(labels.get(segment, segment or "—")), names.get(region_id, "")
    result = Conversion(since=since, until=until,
                        rows=sorted(rows.values(), key=lambda r: (r.segment, r.region_name, r.region_id or 0)))
    # A lead is worked in the brand's or an outlet's queue; its sale is the brand's figure either way.
    principal = principal_of(user)
    if principal is None or not principal.is_brand_staff:
        return result
    won = Lead.objects.filter(brand_id=principal.brand_id, status=LeadStatus.WON, closed_at__gte=start,
                              closed_at__lt=end, shop_orders__status__in=PAID).distinct()
    result.leads_won = won.count()
    result.lead_value = (won.aggregate(v=Sum("value"))["v"] or ZERO).quantize(CENT)
    result.commission = (Commission.objects.filter(brand_id=principal.brand_id, lead__in=won.values("pk"))
                         .aggregate(v=Sum("amount"))["v"] or ZERO).quantize(CENT)
    return result
