"""Read paths of the portal: the customer's products with their warranty, their history and timelines.

Everything is fetched through ``visible_to(user)``: a customer principal sees only their own rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from catalog.choices import ServiceType
from core.errors import DomainError
from customers.models import InstalledProduct
from pricing.services import estimate
from pricing.text import render_lazy
from workorders.choices import OPEN_STATUSES
from workorders.models import WorkOrder, WorkOrderEvent


@dataclass(frozen=True)
class WarrantyStatus:
    covered: bool
    text: Any
    until: dt.date | None
    source: str  # "engine" (the pricing engine's rules) or "catalogue" (the model's term only)


def my_products(user) -> QuerySet[InstalledProduct]:
    return (InstalledProduct.objects.visible_to(user)
            .select_related("product_model__category", "site", "customer").order_by("-install_date", "-pk"))


def get_product(user, pk: int) -> InstalledProduct:
    return my_products(user).get(pk=pk)


def warranty_status(product: InstalledProduct, on: dt.date | None = None) -> WarrantyStatus:
    """The pricing engine's verdict on a repair of the unit today, where it gives one; the catalogue
    term (``warranty_end``) when the brand has no price list for it yet."""
    on = on or timezone.localdate()
    try:
        verdict = estimate(product=product, service_type=ServiceType.REPAIR, at=on).warranty
    except DomainError:
        verdict = None
    if verdict is not None:
        return WarrantyStatus(covered=verdict.covered, text=verdict.reason, until=verdict.until, source="engine")
    end = product.warranty_end
    if end is None:
        return WarrantyStatus(covered=False, text=_("No purchase or install date on record"), until=None,
                              source="catalogue")
    if on <= end:
        return WarrantyStatus(covered=True, text=render_lazy(_("In warranty until %(until)s"),
                                                              {"until": date_format(end)}), until=end,
                              source="catalogue")
    return WarrantyStatus(covered=False, text=render_lazy(_("Out of warranty since %(since)s"),
                                                           {"since": date_format(end + dt.timedelta(days=1))}),
                          until=end, source="catalogue")


def my_orders(user) -> QuerySet[WorkOrder]:
    return (WorkOrder.objects.visible_to(user)
            .select_related("product__product_model", "technician").order_by("-created_at", "-pk"))


def get_order(user, pk: int) -> WorkOrder:
    return (WorkOrder.objects.visible_to(user)
            .select_related("product__product_model__category", "site", "technician", "outlet", "customer")
            .get(pk=pk))


def product_history(user, product: InstalledProduct) -> QuerySet[WorkOrder]:
    return my_orders(user).filter(product=product)


def open_orders_by_product(user, product_ids: list[int]) -> dict[int, WorkOrder]:
    found: dict[int, WorkOrder] = {}
    for order in my_orders(user).filter(product_id__in=product_ids, status__in=sorted(OPEN_STATUSES)):
        found.setdefault(order.product_id, order)
    return found


def customer_timeline(user, order: WorkOrder) -> list[WorkOrderEvent]:
    """The events the customer may see (visible_to keeps only customer-visible ones for a customer)."""
    return list(WorkOrderEvent.objects.visible_to(user).filter(work_order=order)
                .select_related("actor").order_by("created_at", "pk"))


def change_state(user, pk: int) -> tuple[int, int | None] | None:
    """(version, newest visible event id) of the order in one query; None when the user may not see it."""
    from django.db.models import Max, OuterRef, Subquery

    events = (WorkOrderEvent.objects.visible_to(user).filter(work_order=OuterRef("pk")).order_by()
              .values("work_order").annotate(last=Max("pk")).values("last"))
    row = (WorkOrder.objects.visible_to(user).filter(pk=pk).annotate(last_event=Subquery(events))
           .values_list("version", "last_event").first())
    return row
