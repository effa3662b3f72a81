"""Read paths for work orders: the console list and the API list share these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Lookup, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.principal import principal_of
from core.paging import capped_count
from core.phones import try_normalize_phone
from customers.models import Customer, InstalledProduct, Site
from customers.search import customers_named, sites_at
from pricing import warranty
from pricing.coverage import CoverageVerdict
from workorders.choices import OPEN_STATUSES, SlaState, Status, WorkOrderType
from workorders.models import CustomerCall, WorkOrder, WorkOrderEvent
from workorders.sla_state import AT_RISK_WINDOW, PAUSING_HOLD_REASONS


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


class _InLiterals(Lookup):
    """``column IN ('a', 'b')`` with the values written into the SQL instead of bound as parameters.

    SQLite uses a partial index only when it can see that the query's WHERE implies the index's,
    and it cannot see through bound parameters: with ``status IN (?, ...)`` the SLA filters ignored
    the open-orders indexes and scanned the table (250 ms at 1M orders; 2 ms with literals).
    Only for the code's own constants, never for input.
    """

    lookup_name = "in_literals"
    prepare_rhs = False

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        lhs, params = self.process_lhs(compiler, connection)
        words = [str(v) for v in self.rhs]
        if not all(w.isascii() and w.replace("_", "").isalnum() for w in words):
            raise ValueError("in_literals takes plain word constants only")
        literals = ", ".join(f"'{w}'" for w in words)
        return f"{lhs} IN ({literals})", list(params)


def _open_not_arrived() -> Q:
    # The same condition, values in the same order, as the partial indexes' (models.OPEN_NOT_ARRIVED).
    return Q(arrived_at__isnull=True) & Q(_InLiterals(F("status"), sorted(OPEN_STATUSES)))


def _sla_q(state: str, now: dt.datetime) -> Q:
    # hold_reason is set only while on hold, so it alone tells a paused order.
    paused = Q(hold_reason__in=sorted(PAUSING_HOLD_REASONS))
    if state == SlaState.PAUSED:
        return _open_not_arrived() & paused
    open_q = _open_not_arrived() & ~paused
    if state == SlaState.BREACHED:
        return open_q & Q(onsite_due__lt=now)
    if state == SlaState.AT_RISK:
        return open_q & Q(onsite_due__gte=now, onsite_due__lt=now + AT_RISK_WINDOW)
    return open_q & (Q(onsite_due__gte=now + AT_RISK_WINDOW) | Q(onsite_due__isnull=True))


SEARCH_MATCH_CAP = 2000  # orders one search can match; an enterprise's whole history fits
NAME_MATCH_CAP = 500  # callers one name search offers the hotline before it is cut to CALLER_MATCH_CAP


def search_q(user, text: str) -> Q:
    """Order number, customer phone or serial; else part of the customer's name or the site's address.

    Each branch is resolved to ids on its own index first (number, customer phone, product serial; the
    name and address trigram indexes of customers.search), then to orders through the customer index;
    OR-ing them in the list query itself left the planner scanning every order of the scope in date order.
    """
    text = text.strip()
    if not text:
        return Q()
    orders = WorkOrder.objects.visible_to(user)
    seat = principal_of(user)
    # Numbers are unique per brand: naming the brand lets every scope use that index.
    by_number = orders.filter(brand_id=seat.brand_id, number=text.upper()) if seat else orders.none()
    ids = set(by_number.values_list("pk", flat=True)[:1])
    phone = try_normalize_phone(text)
    if phone:
        customer_ids = list(Customer.objects.visible_to(user).filter(phone=phone).values_list("pk", flat=True)[:200])
        if customer_ids:
            ids.update(orders.filter(customer_id__in=customer_ids).values_list("pk", flat=True)[:SEARCH_MATCH_CAP])
    product_ids = list(InstalledProduct.objects.visible_to(user).filter(serial=text).values_list("pk", flat=True)[:50])
    if product_ids:
        ids.update(orders.filter(product_id__in=product_ids).values_list("pk", flat=True)[:SEARCH_MATCH_CAP])
    if not ids and seat is not None:
        ids.update(_orders_by_name_or_address(user, orders, seat.brand_id, text))
    return Q(pk__in=sorted(ids))


def _orders_by_name_or_address(user, orders: QuerySet[WorkOrder], brand_id: int, text: str) -> set[int]:
    """The newest orders of the customers so named, and of the sites at such an address (each capped).

    The matches stay subqueries (no cap on customers or sites: a broad 文三路 must not keep only the
    first sites the index returns, which may have no orders); orders are reached through their customer
    index, the site checked after it (orders have no index on the site).
    """
    found: set[int] = set()
    named = customers_named(Customer.objects.visible_to(user), brand_id, text)
    found.update(orders.filter(customer_id__in=named.order_by().values("pk")).order_by("-created_at")
                 .values_list("pk", flat=True)[:SEARCH_MATCH_CAP])
    at = sites_at(Site.objects.visible_to(user), brand_id, text).order_by()
    found.update(orders.filter(customer_id__in=at.values("customer_id"), site_id__in=at.values("pk"))
                 .order_by("-created_at").values_list("pk", flat=True)[:SEARCH_MATCH_CAP])
    return found


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


def page_of(
    qs: QuerySet, page: int, page_size: int, *, values: tuple[str, ...] | None = None
) -> tuple[list, int, bool]:
    """One page of ``qs`` and its capped count; with ``values``, the page as dicts of those fields.

    With ``values`` the page's ids are picked first and only those rows are joined to the related
    tables the fields name, so a join can never run over every match before the sort (it did when
    the planner underestimated a filter: sla=ok at 1M orders joined 11,000 customers, 59 ms, for
    25 rows). The count runs on ``qs`` itself, without those joins, for the same reason.
    """
    total, capped = capped_count(qs)
    page = max(page, 1)
    window = slice((page - 1) * page_size, page * page_size)
    if not values:
        return list(qs[window]), total, capped
    ids = qs.values("pk")[window]
    ordering = qs.query.order_by or qs.model._meta.ordering
    items = list(qs.model._default_manager.filter(pk__in=ids).order_by(*ordering).values(*values))
    return items, total, capped


def get_work_order(user, pk: int) -> WorkOrder:
    return (
        WorkOrder.objects.visible_to(user)
        .select_related("customer", "site", "product__product_model__category", "outlet", "technician", "region")
        .get(pk=pk)
    )


def timeline(user, order: WorkOrder) -> QuerySet[WorkOrderEvent]:
    return WorkOrderEvent.objects.visible_to(user).filter(work_order=order).select_related("actor")


def warranty_verdict(order: WorkOrder) -> CoverageVerdict | None:
    """The warranty's verdict on this order (None without a product): its own service type and reported
    symptom, on the day it was opened, as its estimate and its charge are priced (field.charges)."""
    if order.product_id is None:
        return None
    symptom = order.reported_symptom
    return warranty.verdict(product=order.product, on=order.created_at, service_type=order.type,
                            symptom_code=symptom.code if symptom is not None else "")


def product_history(user, order: WorkOrder) -> QuerySet[WorkOrder]:
    if not order.product_id:
        return WorkOrder.objects.none()
    return (
        WorkOrder.objects.visible_to(user).filter(product_id=order.product_id).exclude(pk=order.pk)
        .select_related("technician").order_by("-created_at")[:20]
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


REPEAT_WINDOW = dt.timedelta(days=30)
DONE_REPAIRED = frozenset({Status.COMPLETED, Status.CLOSED})


def recent_orders_of_product(product: InstalledProduct, now: dt.datetime | None = None) -> list[WorkOrder]:
    """The product's orders a new request would duplicate: open ones, and ones completed in the last 30 days.

    Only the product's present owner's orders: a unit sold on does not show its former owner's history.
    """
    since = (now or timezone.now()) - REPEAT_WINDOW
    return list(
        WorkOrder.objects.filter(product_id=product.pk, customer_id=product.customer_id)
        .filter(Q(status__in=sorted(OPEN_STATUSES)) | Q(completed_at__gte=since, status__in=sorted(DONE_REPAIRED)))
        .order_by("-created_at", "-pk")[:10]
    )


CALLER_MATCH_CAP = 20


def find_callers(user, text: str) -> list[Customer]:
    """The customers a hotline caller may be: by phone, order number, serial, then name or address.

    Phone, number and serial each go to their own index (customer_brand_phone, workorder_number_unique,
    product_serial_unique_per_brand); only when none of those matched, the name (part of it: 晓雯 finds
    张晓雯) and the address (文三路 90) go to the trigram indexes (customers.search). The exact name comes
    first, then names that start with the text, then the rest; at most CALLER_MATCH_CAP callers.
    """
    text = " ".join(text.split())
    if not text:
        return []
    customers = Customer.objects.visible_to(user)
    ids: list[int] = []
    phone = try_normalize_phone(text)
    if phone:
        ids += customers.filter(phone=phone).values_list("pk", flat=True)[:CALLER_MATCH_CAP]
    seat = principal_of(user)
    if seat is not None:
        ids += WorkOrder.objects.visible_to(user).filter(brand_id=seat.brand_id, number=text.upper()).values_list(
            "customer_id", flat=True)[:1]
        ids += InstalledProduct.objects.visible_to(user).filter(brand_id=seat.brand_id, serial=text).values_list(
            "customer_id", flat=True)[:CALLER_MATCH_CAP]
    if not ids and seat is not None:
        named = list(customers_named(customers, seat.brand_id, text).values_list("pk", "name")[:NAME_MATCH_CAP])
        named.sort(key=lambda row: (row[1] != text, not row[1].startswith(text), -row[0]))
        ids += [pk for pk, _name in named]
        ids += sites_at(Site.objects.visible_to(user), seat.brand_id, text).values_list(
            "customer_id", flat=True)[:CALLER_MATCH_CAP]
    unique = list(dict.fromkeys(ids))[:CALLER_MATCH_CAP]
    found = {c.pk: c for c in customers.filter(pk__in=unique)}
    return [found[pk] for pk in unique if pk in found]


def recent_calls(user, customer: Customer, limit: int = 8):
    return list(CustomerCall.objects.visible_to(user).filter(customer=customer)
                .select_related("agent", "work_order")[:limit])


@dataclass(frozen=True)
class ReworkLink:
    """One end of a rework link as ``user`` may follow it: the number and id of an order they may open, or
    neither (another outlet's order: that it exists, not which)."""

    pk: int | None
    number: str
    status: str


def rework_links(user, order: WorkOrder) -> dict[str, Any]:
    """{"of": the order this one does again, or None; "by": the orders that do this one again, oldest first}."""
    ids = ([order.rework_of_id] if order.rework_of_id else []) + list(
        WorkOrder.objects.filter(rework_of_id=order.pk).order_by("pk").values_list("pk", flat=True))
    if not ids:
        return {"of": None, "by": []}
    visible = set(WorkOrder.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    rows = {pk: (number, status) for pk, number, status in
            WorkOrder.objects.filter(pk__in=ids).values_list("pk", "number", "status")}

    def link(pk: int) -> ReworkLink:
        number, status = rows[pk]
        return ReworkLink(pk, number, status) if pk in visible else ReworkLink(None, "", "")

    return {"of": link(order.rework_of_id) if order.rework_of_id else None,
            "by": [link(pk) for pk in ids if pk != order.rework_of_id]}


REPEAT_WINDOW = dt.timedelta(days=30)


@dataclass(frozen=True)
class ReworkCount:
    """One order done again within ``REPEAT_WINDOW`` of an earlier one's completion, held against the earlier
    order's outlet and technician: a rework (返修, linked by ``rework_of``) or a repeat repair of the same unit."""

    order_id: int
    earlier_id: int
    outlet_id: int | None
    technician_id: int | None
    rework: bool


def reworks_and_repeats(*, brand_id: int, start: dt.datetime, end: dt.datetime) -> list[ReworkCount]:
    """The orders opened in [start, end) that redo an order completed at most 30 days before them; the
    settlement counts them per outlet and technician (``count_by``). One rule for every report that says it."""
    earlier = (WorkOrder.objects.filter(brand_id=brand_id, product_id=OuterRef("product_id"),
                                        completed_at__lt=OuterRef("created_at"),
                                        completed_at__gte=OuterRef("created_at") - REPEAT_WINDOW)
               .exclude(pk=OuterRef("pk")).order_by("-completed_at").values("pk")[:1])
    orders = (WorkOrder.objects.filter(brand_id=brand_id, created_at__gte=start, created_at__lt=end)
              .exclude(status=Status.CANCELLED)
              .filter(Q(rework_of__isnull=False) | Q(product__isnull=False, type=WorkOrderType.REPAIR))
              .annotate(earlier_id=Subquery(earlier))
              .filter(Q(rework_of__isnull=False) | Q(earlier_id__isnull=False))
              .values_list("pk", "created_at", "rework_of_id", "earlier_id"))
    pairs = [(pk, created, rework_of or before, rework_of is not None) for pk, created, rework_of, before in orders]
    done = WorkOrder.objects.filter(pk__in={e for _, _, e, _ in pairs}).in_bulk()
    counted = []
    for pk, created, earlier_id, rework in pairs:
        original = done[earlier_id]
        if rework and not (original.completed_at and original.completed_at >= created - REPEAT_WINDOW):
            continue  # a rework of an order finished long ago is a new fault, not held against anyone
        counted.append(ReworkCount(pk, earlier_id, original.outlet_id, original.technician_id, rework))
    return counted


def count_by(counts: list[ReworkCount], key: str) -> dict[int, int]:
    """{outlet_id or technician_id: how many} from ``reworks_and_repeats`` (``key``: "outlet_id", "technician_id")."""
    totals: dict[int, int] = {}
    for row in counts:
        party = getattr(row, key)
        if party is not None:
            totals[party] = totals.get(party, 0) + 1
    return totals
