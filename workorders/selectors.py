"""Read paths for work orders: the console list and the API list share these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.phones import try_normalize_phone
from customers.models import Customer, InstalledProduct
from workorders.choices import OPEN_STATUSES, SlaState
from workorders.models import WorkOrder, WorkOrderEvent

AT_RISK_WINDOW = dt.timedelta(hours=2)
# Counting every match of a broad filter on a million rows costs more than the page itself;
# past this many the list says "10,000+".
COUNT_CAP = 10_000


@dataclass
class OrderFilters:
    q: str = ""
    status: str = ""
    type: str = ""
    outlet: int | None = None
    region: int | None = None
    sla: str = ""
    created_from: dt.date | None = None
    created_to: dt.date | None = None


def sla_state(order: WorkOrder, now: dt.datetime | None = None) -> str:
    if order.status not in OPEN_STATUSES or order.onsite_due is None or order.arrived_at:
        return ""
    now = now or timezone.now()
    if order.onsite_due < now:
        return SlaState.BREACHED
    if order.onsite_due < now + AT_RISK_WINDOW:
        return SlaState.AT_RISK
    return SlaState.OK


def _sla_q(state: str, now: dt.datetime) -> Q:
    open_q = Q(status__in=OPEN_STATUSES, arrived_at__isnull=True)
    if state == SlaState.BREACHED:
        return open_q & Q(onsite_due__lt=now)
    if state == SlaState.AT_RISK:
        return open_q & Q(onsite_due__gte=now, onsite_due__lt=now + AT_RISK_WINDOW)
    return open_q & (Q(onsite_due__gte=now + AT_RISK_WINDOW) | Q(onsite_due__isnull=True))


def search_q(user, text: str) -> Q:
    """Order number, customer phone or serial: resolved to ids first so each uses its own index."""
    text = text.strip()
    if not text:
        return Q()
    query = Q(number=text.upper())
    phone = try_normalize_phone(text)
    if phone:
        query |= Q(customer_id__in=list(Customer.objects.visible_to(user).filter(phone=phone).values_list(
            "pk", flat=True)[:200]))
    product_ids = list(InstalledProduct.objects.visible_to(user).filter(serial=text).values_list("pk", flat=True)[:50])
    if product_ids:
        query |= Q(product_id__in=product_ids)
    return query


def list_work_orders(user, filters: OrderFilters) -> QuerySet[WorkOrder]:
    qs = WorkOrder.objects.visible_to(user)
    if filters.q:
        qs = qs.filter(search_q(user, filters.q))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.outlet:
        qs = qs.filter(outlet_id=filters.outlet)
    if filters.region:
        qs = qs.filter(region_id=filters.region)
    if filters.sla:
        qs = qs.filter(_sla_q(filters.sla, timezone.now()))
    if filters.created_from:
        qs = qs.filter(created_at__gte=_day_start(filters.created_from))
    if filters.created_to:
        qs = qs.filter(created_at__lt=_day_start(filters.created_to + dt.timedelta(days=1)))
    return qs.select_related("customer", "outlet", "technician", "product__product_model", "region").order_by(
        "-created_at", "-pk"
    )


def capped_count(qs: QuerySet) -> tuple[int, bool]:
    """(count, capped): the exact count up to COUNT_CAP."""
    n = qs.order_by().values("pk")[: COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


def page_of(qs: QuerySet, page: int, page_size: int) -> tuple[list, int, bool]:
    total, capped = capped_count(qs)
    page = max(page, 1)
    items = list(qs[(page - 1) * page_size: page * page_size])
    return items, total, capped


def get_work_order(user, pk: int) -> WorkOrder:
    return (
        WorkOrder.objects.visible_to(user)
        .select_related("customer", "site", "product__product_model__category", "outlet", "technician", "region")
        .get(pk=pk)
    )


def timeline(user, order: WorkOrder) -> QuerySet[WorkOrderEvent]:
    return WorkOrderEvent.objects.visible_to(user).filter(work_order=order).select_related("actor")


def product_history(user, order: WorkOrder) -> QuerySet[WorkOrder]:
    if not order.product_id:
        return WorkOrder.objects.none()
    return (
        WorkOrder.objects.visible_to(user).filter(product_id=order.product_id).exclude(pk=order.pk)
        .select_related("technician").order_by("-created_at")[:20]
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
