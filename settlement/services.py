"""Making a month's statements from the orders, tariffs and rules (docs/settlement.md, "Statements").

``generate`` is run by finance as often as it likes: each outlet's draft statement of the month is emptied and
rebuilt from the orders completed in the month, so running it twice gives the same lines and the same total. A
statement past draft (sent, disputed, confirmed, approved, paid) is never touched here; a later change to one of
its orders is to become an adjustment line in the next open period, which is the next step of this app.

The lines come from settlement.arithmetic, the one place a line's amount is worked out; this module only gathers
each order's facts, the tariff valid on its completion day and the brand's rules (``RuleFacts``: reworks,
upheld complaints, signatures, the month's ratings, a query per fact the rules in force ask about). It loops in
Python, one outlet at a time (a few queries per outlet, none per order); the set-based generator is to replace it
for large networks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone

from accounts.models import Organisation
from complaints.choices import COUNTED_OUTCOMES, DECIDED_STATUSES, ResponsibleParty
from complaints.models import Complaint
from core.dates import add_months, brand_tz
from core.errors import InvalidInput, StaleVersion
from core.geo.distance import distance_km
from feedback.models import Rating
from settlement import arithmetic
from settlement.arithmetic import FeeRow, Job, LineDraft, Rule, TariffTerms
from settlement.choices import StatementState
from settlement.models import SettlementLine, SettlementRule, Statement, Tariff
from workorders.choices import SlaAlert, Status
from workorders.models import AttachmentKind, WorkOrder, WorkOrderAttachment

SETTLED_STATUSES = (Status.COMPLETED, Status.CLOSED)


def month_bounds(period: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of ``period``'s month and of the next, in the brand's zone (Asia/Shanghai)."""
    tz = brand_tz()
    first = period.replace(day=1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(add_months(first, 1), dt.time.min, tzinfo=tz)
    return start, end


def terms_of(tariff: Tariff) -> TariffTerms:
    """A tariff version as the plain data settlement.arithmetic computes with."""
    fees = tuple(FeeRow(id=f.pk, service_type=f.service_type, category_id=f.category_id,
                        model_id=f.product_model_id, outlet_type=f.outlet_type, region_id=f.region_id,
                        km_from=f.km_from, km_to=f.km_to, fee=f.fee) for f in tariff.fees.all())
    return TariffTerms(id=tariff.pk, fees=fees, free_km=tariff.free_km, per_km=tariff.per_km,
                       travel_cap=tariff.travel_cap, night_from_hour=tariff.night_from_hour,
                       night_to_hour=tariff.night_to_hour, night_surcharge=tariff.night_surcharge,
                       holiday_surcharge=tariff.holiday_surcharge,
                       high_floor_surcharge=tariff.high_floor_surcharge, remote_surcharge=tariff.remote_surcharge,
                       failed_visit_fee=tariff.failed_visit_fee)


class Tariffs:
    """The brand's published tariffs that share a day with the month, each found by the day it is valid on."""

    def __init__(self, brand_id: int, first: dt.date, last: dt.date) -> None:
        rows = (Tariff.objects.filter(brand_id=brand_id).published().overlapping(first, last)
                .prefetch_related("fees", "remote_regions").order_by("valid_from"))
        self.rows = [(t, terms_of(t), {r.pk for r in t.remote_regions.all()}, set(t.holidays or ())) for t in rows]

    def on(self, day: dt.date):
        for tariff, terms, remote, holidays in self.rows:
            if tariff.valid_from <= day and (tariff.valid_to is None or day <= tariff.valid_to):
                return tariff, terms, remote, holidays
        return None, None, set(), set()


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


# A complaint whose verdict blames the brand, the product or the customer costs the outlet nothing.
NOT_THE_OUTLETS = (ResponsibleParty.BRAND, ResponsibleParty.PRODUCT, ResponsibleParty.CUSTOMER)


def rules_of(brand_id: int, first: dt.date, last: dt.date) -> list[Rule]:
    """The brand's active rules that share a day with [first, last], as plain data."""
    rows = (SettlementRule.objects.filter(brand_id=brand_id, is_active=True, valid_from__lte=last)
            .exclude(valid_to__lt=first).order_by("kind", "valid_from", "pk"))
    return [Rule(id=r.pk, kind=r.kind, amount=r.amount, share=r.share, threshold=r.threshold, days=r.days,
                 valid_from=r.valid_from, valid_to=r.valid_to, is_active=r.is_active) for r in rows]


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(brand_tz()).date()


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
        wanted = {order.rework_of_id: order.pk for order in orders if order.is_rework and order.rework_of_id}
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
            self.first[wanted[first.pk]] = (first, fee_of(arithmetic.lines_for(job, terms)))

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
                       has_signature=order.pk in self.signed, month_rating_average=average,
                       month_rating_count=count, **extra)


def fee_of(drafts: list[LineDraft]) -> Decimal:
    """The order's fee line (0 when it has none, as a failed visit): the base of a share rule."""
    return next((draft.amount for draft in drafts if draft.kind == arithmetic.FEE), Decimal("0.00"))


def _line(statement: Statement, order: WorkOrder, draft: LineDraft, tariff: Tariff | None) -> SettlementLine:
    return SettlementLine(brand_id=statement.brand_id, statement=statement, outlet_id=statement.outlet_id,
                          technician_id=statement.technician_id, work_order=order, kind=draft.kind,
                          amount=draft.amount, tariff=tariff if draft.rule_id is None else None,
                          rule_id=draft.rule_id, basis={"order": order.number, **draft.basis})


def generate(*, brand: Organisation, period: dt.date) -> list[Statement]:
    """Build (or rebuild) every outlet's draft statement of ``period``'s month from the brand's orders completed
    in it; statements past draft are left as they are. Returns the statements rebuilt."""
    if period.day != 1:
        raise InvalidInput(field="period")
    start, end = month_bounds(period)
    last = add_months(period, 1) - dt.timedelta(days=1)
    tariffs = Tariffs(brand.pk, period, last)
    rules = rules_of(brand.pk, period, last)
    orders = (WorkOrder.objects.filter(brand=brand, status__in=SETTLED_STATUSES, completed_at__gte=start,
                                       completed_at__lt=end, outlet__isnull=False)
              .select_related("outlet", "site", "product__product_model").order_by("completed_at", "pk"))
    by_outlet: dict[int, list[WorkOrder]] = defaultdict(list)
    for order in orders:
        by_outlet[order.outlet_id].append(order)
    # A draft whose orders have all gone (reopened, moved to another outlet) is emptied too.
    for outlet_id in (Statement.objects.filter(brand=brand, period=period, technician__isnull=True,
                                               state=StatementState.DRAFT).values_list("outlet_id", flat=True)):
        by_outlet.setdefault(outlet_id, [])
    rebuilt = []
    for outlet_id in sorted(by_outlet):
        statement = _rebuild(brand, outlet_id, period, by_outlet[outlet_id], tariffs, rules)
        if statement is not None:
            rebuilt.append(statement)
    return rebuilt


def _rebuild(brand: Organisation, outlet_id: int, period: dt.date, orders: list[WorkOrder],
             tariffs: Tariffs, rules: list[Rule]) -> Statement | None:
    with transaction.atomic():
        statement, _ = Statement.objects.get_or_create(brand=brand, outlet_id=outlet_id, technician=None,
                                                       period=period)
        if statement.state != StatementState.DRAFT:
            return None
        facts = RuleFacts(brand.pk, outlet_id, orders, rules)
        lines = []
        for order in orders:
            tariff, terms, remote, holidays = tariffs.on(order.completed_at.astimezone(brand_tz()).date())
            job = facts.job(order, job_of(order, remote_regions=remote, holidays=holidays))
            drafts = arithmetic.lines_for(job, terms)
            drafts += arithmetic.rule_lines(job, rules, fee_of(drafts))
            lines.extend(_line(statement, order, draft, tariff) for draft in drafts)
        total = sum((line.amount for line in lines), Decimal("0.00"))
        # Compare-and-set: a statement sent meanwhile is not rewritten (the whole outlet's rebuild rolls back).
        updated = Statement.objects.filter(pk=statement.pk, state=StatementState.DRAFT,
                                           version=statement.version).update(
            total=total, line_count=len(lines), generated_at=timezone.now(), version=statement.version + 1)
        if not updated:
            raise StaleVersion()
        SettlementLine.objects.filter(statement=statement).delete()
        SettlementLine.objects.bulk_create(lines)
    statement.refresh_from_db()
    return statement
