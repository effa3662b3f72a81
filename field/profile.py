"""The customer as a technician sees them before a visit (PRODUCT.md "Revenue": each work order shows the
customer's tags, so the technician knows whom they are talking to).

It reads the customer's orders, visits and complaints, so it lives here, above all three, not in customers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, IntegerField, Max, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from complaints.choices import ACTIVE_STATUSES
from complaints.models import Complaint
from customers.choices import OUT_OF_SERVICE, Segment
from customers.models import Customer, InstalledProduct
from field.models import Visit
from workorders.choices import Status
from workorders.models import WorkOrder

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class CustomerProfile:
    segment: str
    tags: list[str] = field(default_factory=list)
    lifetime_spend: Decimal = ZERO
    # Its two parts: payments recorded by the technician app, and estimates of orders done without it.
    paid: Decimal = ZERO
    estimated: Decimal = ZERO
    products_owned: int = 0
    products_value: Decimal = ZERO
    open_complaints: int = 0
    last_visit: dt.date | None = None
    reworks: int = 0
    @property
    def spend_basis(self) -> str:
        """Where lifetime_spend comes from: "payments", "estimates", or "mixed" (see customer_profile)."""
        if self.estimated and self.paid:
            return "mixed"
        return "payments" if self.paid else "estimates"

    @property
    def segment_label(self) -> str:
        try:
            return str(Segment(self.segment).label)
        except ValueError:
            return self.segment


def _aggregate(queryset, expression, output_field):
    """One value per customer, as a correlated subquery: the whole profile stays one statement."""
    return Subquery(
        queryset.order_by().values("customer_id").annotate(value=expression).values("value")[:1],
        output_field=output_field,
    )


def customer_profile(customer: Customer, *, now: dt.datetime | None = None) -> CustomerProfile:
    """Segment, tags, lifetime spend, products owned and their value, open complaints, last visit, reworks.

    One query, whatever the number of products and orders. ``customer`` was fetched through
    ``visible_to`` by the caller; ``now`` bounds "so far" (default: now).

    Lifetime spend is what the customer has paid for service so far: the payments the technician app
    recorded on completed visits (``field.Visit.payment_amount``; a visit that cost nothing counts 0), plus,
    for completed and closed orders done without a completed visit (before the app, or closed by the desk),
    their estimate (``WorkOrder.estimate_total``, the customer's share after warranty cover). ``paid`` and
    ``estimated`` are the two parts; ``spend_basis`` says which there are.
    Products owned are the customer's units in service (not retired or exchanged); their value is the sum of
    their models' list prices. The last visit is the local date of the last completed order; reworks count the
    customer's rework orders (返修, workorders/rework.py; and orders reopened in place before reworks were new orders).
    """
    now = now or timezone.now()
    orders = WorkOrder.objects.filter(customer_id=OuterRef("pk"))
    done = orders.filter(status__in=[Status.COMPLETED, Status.CLOSED], completed_at__lte=now)
    visits = Visit.objects.filter(work_order__customer_id=OuterRef("pk"), completed_at__lte=now)
    with_visit = Visit.objects.filter(work_order_id=OuterRef("pk"), completed_at__isnull=False)
    without_visit = done.filter(~Exists(with_visit))
    owned = InstalledProduct.objects.filter(customer_id=OuterRef("pk")).exclude(status__in=OUT_OF_SERVICE)
    complaints = Complaint.objects.filter(customer_id=OuterRef("pk"), status__in=sorted(ACTIVE_STATUSES),
                                          opened_at__lte=now)
    row = (
        Customer.objects.filter(pk=customer.pk)
        .annotate(
            p_paid=Coalesce(Subquery(visits.order_by().values("work_order__customer_id").annotate(
                value=Sum(Coalesce("payment_amount", Value(ZERO), output_field=MONEY))).values("value")[:1],
                output_field=MONEY), Value(ZERO), output_field=MONEY),
            p_estimated=Coalesce(_aggregate(without_visit, Sum("estimate_total"), MONEY), Value(ZERO),
                                 output_field=MONEY),
            p_last_visit=_aggregate(done, Max("completed_at"), WorkOrder._meta.get_field("completed_at")),
            p_reworks=Coalesce(_aggregate(orders.filter(is_rework=True), Count("pk"), IntegerField()), 0),
            p_owned=Coalesce(_aggregate(owned, Count("pk"), IntegerField()), 0),
            p_value=Coalesce(_aggregate(owned, Sum("product_model__list_price"), MONEY), Value(ZERO),
                             output_field=MONEY),
            p_complaints=Coalesce(_aggregate(complaints, Count("pk"), IntegerField()), 0),
        )
        .values("segment", "tags", "p_paid", "p_estimated", "p_last_visit", "p_reworks", "p_owned", "p_value",
                "p_complaints")
        .get()
    )
    last_visit = row["p_last_visit"]
    paid, estimated = Decimal(row["p_paid"]).quantize(ZERO), Decimal(row["p_estimated"]).quantize(ZERO)
    return CustomerProfile(
        segment=row["segment"],
        tags=list(row["tags"] or []),
        lifetime_spend=paid + estimated,
        paid=paid,
        estimated=estimated,
        products_owned=row["p_owned"],
        products_value=Decimal(row["p_value"]).quantize(ZERO),
        open_complaints=row["p_complaints"],
        last_visit=timezone.localdate(last_visit) if last_visit else None,
        reworks=row["p_reworks"],
    )
