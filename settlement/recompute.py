"""The independent recomputation of a month's lines: the per-order Python path over ORM objects.

This is the generator the app had before the set-based one (settlement/setbased.py): for each outlet it gathers
its orders of the month, their facts (``job_of``, ``RuleFacts``), the tariff valid on each completion day and the
rules in force, and asks settlement.arithmetic for the lines, one order at a time. It writes nothing: the
``settlement_check`` command and the tests compare what it expects with the statements' lines.

``expected_lines(brand, period)`` returns one comparable tuple per line, ``(outlet_id, work_order_id, kind,
amount, tariff_id, rule_id)``, sorted; ``check(brand, period)`` compares them with the lines of the period's
outlet statements (only the kinds made per order from the tariff and the rules: parts, adjustments, reversals
and technicians' lines are other modules' and are not recomputed here) and each statement's total with the sum
of its lines.

On SQLite a sum of amounts comes back as a float: the sums compared are rounded to the fen first.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import groupby

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum

from accounts.models import Organisation
from catalog.choices import ServiceType
from complaints.choices import COUNTED_OUTCOMES, DECIDED_STATUSES
from complaints.models import Complaint
from core.dates import add_months, brand_tz
from core.geo.distance import distance_km
from feedback.models import Rating
from network.models import Technician
from settlement import arithmetic
from settlement.arithmetic import Job, LineDraft, Rule
from settlement.choices import StatementState
from settlement.models import SettlementLine, SettlementRule, Statement, Tariff
from settlement.services import (
    NOT_THE_OUTLETS,
    SETTLED_STATUSES,
    Tariffs,
    cancelled_after_failed_visits,
    failed_visits,
    month_bounds,
    rules_of,
)
from workorders.choices import SlaAlert, Status
from workorders.models import AttachmentKind, WorkOrder, WorkOrderAttachment

# The kinds made per order from the tariff and the rules: what the recomputation covers.
PER_ORDER_KINDS = frozenset({
    arithmetic.FEE, arithmetic.FAILED_VISIT, arithmetic.TRAVEL, arithmetic.NIGHT, arithmetic.HOLIDAY,
    arithmetic.HIGH_FLOOR, arithmetic.REMOTE, arithmetic.REWORK, arithmetic.COMPLAINT, arithmetic.SLA_BREACH,
    arithmetic.MISSING_SIGNATURE, arithmetic.SATISFACTION_BONUS})


def job_of(order: WorkOrder, *, remote_regions: set[int], holidays: set[str]) -> Job:
    """The facts of one order that settle it: completed, or cancelled after visits that failed through the
    customer (``settled_at`` and ``failed`` annotated by ``_orders``; an order read without them has none)."""
    tz = brand_tz()
    model = order.product.product_model if order.product_id else None
    outlet, site = order.outlet, order.site
    km = None
    if (site is not None and site.latitude is not None and site.longitude is not None
            and outlet.latitude is not None and outlet.longitude is not None):
        km = distance_km((outlet.latitude, outlet.longitude), (site.latitude, site.longitude))
    started = order.arrived_at.astimezone(tz).hour if order.arrived_at else None
    completed_day = _settled_day(order)
    return Job(service_type=order.type, category_id=model.category_id if model else None,
               model_id=model.pk if model else None, outlet_type=outlet.outlet_type, region_id=order.region_id,
               distance_km=km, started_hour=started, is_holiday=completed_day.isoformat() in holidays,
               remote=order.region_id is not None and order.region_id in remote_regions,
               floor=site.floor if site is not None else None, has_lift=site.has_lift if site is not None else None,
               failed_visits=getattr(order, "failed", 0), cancelled=order.status == Status.CANCELLED)


def _settled_day(order: WorkOrder) -> dt.date:
    """The local day an order is settled on: its completion's, or (cancelled) its cancellation's."""
    return _local_day(getattr(order, "settled_at", None) or order.completed_at)



class RuleFacts:
    """What the rules read about one outlet's orders of the month, gathered set-wise: a query per fact the
    rules in force ask about, none per order."""

    def __init__(self, brand_id: int, outlet_id: int, orders: list[WorkOrder], rules: list[Rule]) -> None:
        kinds = {rule.kind for rule in rules}
        ids = [order.pk for order in orders]
        self.first: dict[int, tuple[WorkOrder, Decimal]] = {}  # rework id → (its first order, that order's fee)
        self.complaints: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
        self.signed: set[int] = set()
        self.rating: tuple[Decimal | None, int] = (None, 0)
        if not ids:
            return
        if arithmetic.REWORK in kinds:
            self._reworks(brand_id, outlet_id, orders)
        if arithmetic.COMPLAINT in kinds:
            rows = (Complaint.objects.filter(work_order_id__in=ids, outcome__in=sorted(COUNTED_OUTCOMES),
                                             status__in=sorted(DECIDED_STATUSES))
                    .exclude(responsible__in=NOT_THE_OUTLETS).order_by("pk")
                    .values_list("work_order_id", "pk", "compensation"))
            for order_id, pk, amount in rows:
                self.complaints[order_id].append((pk, amount))
        if arithmetic.MISSING_SIGNATURE in kinds:
            self.signed = set(WorkOrderAttachment.objects.filter(work_order_id__in=ids, kind=AttachmentKind.SIGNATURE)
                              .values_list("work_order_id", flat=True))
        if arithmetic.SATISFACTION_BONUS in kinds:
            got = Rating.objects.filter(work_order_id__in=ids).aggregate(average=Avg("score"), count=Count("pk"))
            average = got["average"]
            self.rating = (None if average is None else Decimal(str(average)), got["count"])

    def _reworks(self, brand_id: int, outlet_id: int, orders: list[WorkOrder]) -> None:
        """Each rework whose first order this same outlet completed, with that order and its fee (worked out
        by the tariff valid on its own completion day)."""
        wanted: dict[int, list[int]] = defaultdict(list)  # first order id → its reworks of the month
        for order in orders:
            if order.is_rework and order.rework_of_id:
                wanted[order.rework_of_id].append(order.pk)
        if not wanted:
            return
        firsts = list(WorkOrder.objects.filter(pk__in=wanted, outlet_id=outlet_id, completed_at__isnull=False)
                      .select_related("outlet", "site", "product__product_model"))
        if not firsts:
            return
        days = [_local_day(first.completed_at) for first in firsts]
        tariffs = Tariffs(brand_id, min(days), max(days))
        for first, day in zip(firsts, days, strict=True):
            tariff, terms, remote, holidays = tariffs.on(day)
            job = job_of(first, remote_regions=remote, holidays=holidays)
            for rework_id in wanted[first.pk]:
                self.first[rework_id] = (first, fee_of(arithmetic.lines_for(job, terms)))

    def job(self, order: WorkOrder, job: Job) -> Job:
        """``job`` with the facts the rules read about ``order``."""
        extra: dict = {}
        if order.pk in self.first:
            first, fee = self.first[order.pk]
            extra = {"rework_of_id": first.pk, "rework_first_fee": fee,
                     "rework_after_days": (_local_day(order.created_at) - _local_day(first.completed_at)).days}
        breaches = sum(alert == SlaAlert.BREACHED for alert in (order.response_alert, order.onsite_alert))
        average, count = self.rating
        return replace(job, completed_day=_settled_day(order), sla_breaches=breaches,
                       upheld_complaints=tuple(self.complaints.get(order.pk, ())),
                       has_signature=order.pk in self.signed, mail_in=order.type == ServiceType.MAIL_IN,
                       month_rating_average=average,
                       month_rating_count=count, **extra)


def fee_of(drafts: list[LineDraft]) -> Decimal:
    """The order's fee line (0 when it has none, as a failed visit): the base of a share rule."""
    return next((draft.amount for draft in drafts if draft.kind == arithmetic.FEE), Decimal("0.00"))


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(brand_tz()).date()


def order_lines(orders: list[WorkOrder], outlet_id: int, brand_id: int, tariffs: Tariffs,
                rules: list[Rule]) -> list[tuple[WorkOrder, LineDraft]]:
    """Every tariff and rule line of one outlet's orders of the month, one order at a time."""
    facts = RuleFacts(brand_id, outlet_id, orders, rules)
    out = []
    for order in orders:
        tariff, terms, remote, holidays = tariffs.on(_settled_day(order))
        job = facts.job(order, job_of(order, remote_regions=remote, holidays=holidays))
        drafts = arithmetic.lines_for(job, terms)
        drafts += arithmetic.rule_lines(job, rules, fee_of(drafts))
        out.extend((order, draft) for draft in drafts)
    return out


def _orders(brand_id: int, period: dt.date) -> Iterator[WorkOrder]:
    """The month's settled orders by outlet, streamed: completed in it, or cancelled in it after failed visits
    (a few, merged in)."""
    start, end = month_bounds(period)
    related = ("outlet", "site", "product__product_model")
    done = (WorkOrder.objects.filter(brand_id=brand_id, status__in=SETTLED_STATUSES, completed_at__gte=start,
                                     completed_at__lt=end, outlet__isnull=False)
            .annotate(settled_at=F("completed_at"), failed=failed_visits()).select_related(*related)
            .order_by("outlet_id", "completed_at", "pk"))

    def key(order: WorkOrder) -> tuple:
        return order.outlet_id, order.settled_at, order.pk

    cancelled = sorted(cancelled_after_failed_visits(brand_id, start, end).select_related(*related), key=key)
    return heapq.merge(done.iterator(chunk_size=5000), cancelled, key=key)


def expected_lines(brand, period: dt.date) -> list[tuple]:
    """The lines the period's orders should have, recomputed in Python: ``(outlet_id, work_order_id, kind,
    amount, tariff_id, rule_id)`` each, sorted (a tariff line has no rule, a rule line no tariff)."""
    brand_id = getattr(brand, "pk", brand)
    last = add_months(period, 1) - dt.timedelta(days=1)
    tariffs = Tariffs(brand_id, period, last)
    rules = rules_of(brand_id, period, last)
    out = []
    for outlet_id, group in groupby(_orders(brand_id, period), key=lambda o: o.outlet_id):
        orders = list(group)
        for order, draft in order_lines(orders, outlet_id, brand_id, tariffs, rules):
            tariff_id = draft.basis.get("tariff_id") if draft.rule_id is None else None
            out.append((outlet_id, order.pk, draft.kind, draft.amount, tariff_id, draft.rule_id))
    return sorted(out, key=_key)


def _key(row: tuple) -> tuple:
    return tuple((0, "") if v is None else (1, v) for v in row)


@dataclass
class Report:
    """What ``check`` found: the statements and lines compared, and every difference."""

    statements: int = 0
    lines: int = 0
    total: Decimal = Decimal("0.00")
    missing: list[tuple] = field(default_factory=list)  # expected, not on a statement
    unexpected: list[tuple] = field(default_factory=list)  # on a draft statement, not expected
    totals: list[tuple] = field(default_factory=list)  # (statement id, total, sum of its lines, count, lines)
    past_draft: list[tuple] = field(default_factory=list)  # differences on statements past draft (by design)
    dangling: list[int] = field(default_factory=list)  # the brand's lines with a key that points nowhere

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.totals or self.dangling)


def check(brand, period: dt.date) -> Report:
    """Compare the recomputation of ``period`` with its outlet statements' per-order lines (see the module)."""
    brand_id = getattr(brand, "pk", brand)
    statements = {s.outlet_id: s for s in Statement.objects.filter(brand_id=brand_id, period=period,
                                                                    technician__isnull=True)}
    report = Report(statements=len(statements))
    actual = sorted(SettlementLine.objects.filter(statement__in=[s.pk for s in statements.values()],
                                                  kind__in=sorted(PER_ORDER_KINDS))
                    .values_list("outlet_id", "work_order_id", "kind", "amount", "tariff_id", "rule_id"), key=_key)
    expected = expected_lines(brand_id, period)
    report.lines = len(actual)
    report.total = sum((row[3] for row in actual), Decimal("0.00"))
    have, want = _counts(actual), _counts(expected)
    for row in sorted(set(have) | set(want), key=_key):
        diff = want.get(row, 0) - have.get(row, 0)
        if not diff:
            continue
        statement = statements.get(row[0])
        target = (report.past_draft if statement is not None and statement.state != StatementState.DRAFT
                  else report.missing if diff > 0 else report.unexpected)
        target.extend([row] * abs(diff))
    sums = {row["statement_id"]: (row["total"], row["count"]) for row in
            SettlementLine.objects.filter(statement__in=[s.pk for s in statements.values()])
            .values("statement_id").annotate(total=Sum("amount"), count=Count("pk")).order_by()}
    for statement in sorted(statements.values(), key=lambda s: s.pk):
        total, count = sums.get(statement.pk, (Decimal("0.00"), 0))
        total = arithmetic.money(Decimal(str(total)))
        if statement.total != total or statement.line_count != count:
            report.totals.append((statement.pk, statement.total, total, statement.line_count, count))
    report.dangling = dangling_lines(brand_id)
    return report


def dangling_lines(brand_id: int) -> list[int]:
    """The brand's lines (any period) with a key pointing at no row: lines carry no database constraint on their
    keys (SettlementLine), so this is the check that none was lost."""
    def gone(model, column: str):
        return ~Exists(model.objects.filter(pk=OuterRef(column)))

    def gone_if_set(model, column: str):
        return Q(**{f"{column}__isnull": False}) & gone(model, column)

    broken = (gone(Statement, "statement_id") | gone(WorkOrder, "work_order_id") | gone(Organisation, "outlet_id")
              | gone_if_set(Tariff, "tariff_id") | gone_if_set(SettlementRule, "rule_id")
              | gone_if_set(Technician, "technician_id") | gone_if_set(SettlementLine, "adjustment_of_id"))
    return list(SettlementLine.objects.filter(brand_id=brand_id).filter(broken).order_by("pk")
                .values_list("pk", flat=True))


def _counts(rows: list[tuple]) -> dict[tuple, int]:
    counts: dict[tuple, int] = defaultdict(int)
    for row in rows:
        counts[row] += 1
    return counts
