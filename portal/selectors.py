"""Read paths of the portal: the customer's products, their history and timelines (the warranty: pricing.warranty).

Everything is fetched through ``visible_to(user)``: a customer principal sees only their own rows.
"""

from __future__ import annotations

from django.db.models import Max, OuterRef, QuerySet, Subquery

from customers.choices import ProductStatus
from customers.models import InstalledProduct
from logistics.selectors import change_marks
from workorders.choices import OPEN_STATUSES
from workorders.models import WorkOrder, WorkOrderEvent


def my_products(user) -> QuerySet[InstalledProduct]:
    """The units the customer has: an old one the repair centre exchanged is told on its successor's passport."""
    return (InstalledProduct.objects.visible_to(user).exclude(status=ProductStatus.EXCHANGED)
            .select_related("product_model__category", "site", "customer").order_by("-install_date", "-pk"))


def get_product(user, pk: int) -> InstalledProduct:
    return my_products(user).get(pk=pk)


def replaced_units(user, product: InstalledProduct) -> list[InstalledProduct]:
    """The units ``product`` replaced at the repair centre (their serials and when), oldest first: part of this
    unit's passport, as ``user`` may see them."""
    return list(InstalledProduct.objects.visible_to(user).filter(exchanged_for=product)
                .only("serial", "exchanged_at", "exchanged_for").order_by("exchanged_at", "pk"))


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


def change_state(user, pk: int) -> tuple | None:
    """(version, newest visible event id, then the marks of its mail-in case) of the order in one query; None when
    the user may not see it. Any of them changes whenever the order's tracking page would."""
    events = (WorkOrderEvent.objects.visible_to(user).filter(work_order=OuterRef("pk")).order_by()
              .values("work_order").annotate(last=Max("pk")).values("last"))
    marks = change_marks(OuterRef("pk"))
    row = (WorkOrder.objects.visible_to(user).filter(pk=pk).annotate(last_event=Subquery(events), **marks)
           .values_list("version", "last_event", *marks).first())
    return row
