"""Read paths for work orders: the console list and the API list share these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Lookup, Q, QuerySet
from django.utils import timezone

from accounts.principal import principal_of
from core.phones import try_normalize_phone
from customers.models import Customer, InstalledProduct, Site
from customers.search import customers_named, sites_at
from workorders.choices import OPEN_STATUSES, SlaState, Status
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.sla_clock import PAUSING_HOLD_REASONS

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
    return sla_state_of(order.status, order.onsite_due, order.arrived_at, now, hold_reason=order.hold_reason)


def sla_state_of(
    status: str, onsite_due: dt.datetime | None, arrived_at: dt.datetime | None, now: dt.datetime | None = None,
    *, hold_reason: str = "",
) -> str:
    """The SLA state from the columns it depends on (list rows are plain dicts, not orders).

    Waiting for the customer pauses the clock (workorders/sla_clock.py): such an order is "paused".
    """
    if status not in OPEN_STATUSES or onsite_due is None or arrived_at:
        return ""
    if hold_reason in PAUSING_HOLD_REASONS:
        return SlaState.PAUSED
    now = now or timezone.now()
    if onsite_due < now:
        return SlaState.BREACHED
    if onsite_due < now + AT_RISK_WINDOW:
        return SlaState.AT_RISK
    return SlaState.OK


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


def capped_count(qs: QuerySet) -> tuple[int, bool]:
    """(count, capped): the exact count up to COUNT_CAP."""
    n = qs.order_by().values("pk")[: COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


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
    from workorders.models import CustomerCall

    return list(CustomerCall.objects.visible_to(user).filter(customer=customer)
                .select_related("agent", "work_order")[:limit])
