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
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import groupby

from django.db.models import Avg, Count, Sum

from catalog.choices import ServiceType
from complaints.choices import COUNTED_OUTCOMES, DECIDED_STATUSES
from complaints.models import Complaint
from core.dates import add_months, brand_tz
from core.geo.distance import distance_km
from feedback.models import Rating
from settlement import arithmetic
from settlement.arithmetic import Job, LineDraft, Rule
from settlement.choices import StatementState
from settlement.models import SettlementLine, Statement
from settlement.services import NOT_THE_OUTLETS, SETTLED_STATUSES, Tariffs, month_bounds, rules_of
from workorders.choices import SlaAlert
from workorders.models import AttachmentKind, WorkOrder, WorkOrderAttachment

# The kinds made per order from the tariff and the rules: what the recomputation covers.
PER_ORDER_KINDS = frozenset({
    arithmetic.FEE, arithmetic.FAILED_VISIT, arithmetic.TRAVEL, arithmetic.NIGHT, arithmetic.HOLIDAY,
    arithmetic.HIGH_FLOOR, arithmetic.REMOTE, arithmetic.REWORK, arithmetic.COMPLAINT, arithmetic.SLA_BREACH,
    arithmetic.MISSING_SIGNATURE, arithmetic.SATISFACTION_BONUS})


def job_of(order: WorkOrder, *, remote_regions: set[int], holidays: set[str]) -> Job:
    """The facts of one completed order that settle it. Whether a visit failed through the customer's fault and
    whether the site is a high floor without a lift are not recorded on orders yet: both read as no."""
    tz = brand_tz()
    model = order.product.product_model if order.product_id else None
    outlet, site = order.outlet, order.site
    km = None
    if (site is not None and site.latitude is not None and site.longitude is not None
            and outlet.latitude is not None and outlet.longitude is not None):
        km = distance_km((outlet.latitude, outlet.longitude), (site.latitude, site.longitude))
    started = order.arrived_at.astimezone(tz).hour if order.arrived_at else None
    completed_day = order.completed_at.astimezone(tz).date()
    return Job(service_type=order.type, category_id=model.category_id if model else None,
               model_id=model.pk if model else None, outlet_type=outlet.outlet_type, region_id=order.region_id,
               distance_km=km, started_hour=started, is_holiday=completed_day.isoformat() in holidays,
               remote=order.region_id is not None and order.region_id in remote_regions)



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
        return replace(job, completed_day=_local_day(order.completed_at), sla_breaches=breaches,
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
        tariff, terms, remote, holidays = tariffs.on(_local_day(order.completed_at))
        job = facts.job(order, job_of(order, remote_regions=remote, holidays=holidays))
        drafts = arithmetic.lines_for(job, terms)
        drafts += arithmetic.rule_lines(job, rules, fee_of(drafts))
        out.extend((order, draft) for draft in drafts)
    return out


def _orders(brand_id: int, period: dt.date):
    start, end = month_bounds(period)
    return (WorkOrder.objects.filter(brand_id=brand_id, status__in=SETTLED_STATUSES, completed_at__gte=start,
                                     completed_at__lt=end, outlet__isnull=False)
            .select_related("outlet", "site", "product__product_model").order_by("outlet_id", "completed_at", "pk"))


def expected_lines(brand, period: dt.date) -> list[tuple]:
    """The lines the period's orders should have, recomputed in Python: ``(outlet_id, work_order_id, kind,
    amount, tariff_id, rule_id)`` each, sorted (a tariff line has no rule, a rule line no tariff)."""
    brand_id = getattr(brand, "pk", brand)
    last = add_months(period, 1) - dt.timedelta(days=1)
    tariffs = Tariffs(brand_id, period, last)
    rules = rules_of(brand_id, period, last)
    out = []
    for outlet_id, group in groupby(_orders(brand_id, period).iterator(chunk_size=5000), key=lambda o: o.outlet_id):
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

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.totals)


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
    return report


def _counts(rows: list[tuple]) -> dict[tuple, int]:
    counts: dict[tuple, int] = defaultdict(int)
    for row in rows:
        counts[row] += 1
    return counts
