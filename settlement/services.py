"""Making a month's statements from the orders, tariffs and rules (docs/settlement.md, "Statements").

``generate`` is run by finance as often as it likes: each outlet's draft statement of the month is emptied and
rebuilt from the orders completed in the month, so running it twice gives the same lines and the same total. A
statement past draft (sent, disputed, confirmed, approved, paid) is never touched here; a later change to one of
its orders becomes an adjustment line in the next open period (settlement.extras).

It is set-based (issue 18): the per-order tariff and rule lines are written by settlement.setbased with
INSERT … SELECT statements (no ORM object and no query per order), the other lines by settlement.extras, the
fraud holds by settlement.fraud, and the totals by one UPDATE. The amounts are settlement.arithmetic's, the one
place a line's amount is defined: settlement/recompute.py keeps the per-order Python path over it as the
independent recomputation that ``manage.py settlement_check`` and the tests compare the statements with.

This module also holds what the other settlement modules share: the month's bounds, the tariffs valid on a day
(``Tariffs``) and the rules in force (``rules_of``), as plain data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Organisation
from complaints.choices import ResponsibleParty
from core.dates import add_months, brand_tz
from core.errors import InvalidInput, StaleVersion
from settlement import extras, flags, setbased
from settlement.arithmetic import FeeRow, Rule, TariffTerms
from settlement.choices import StatementState
from settlement.models import LineDispute, SettlementLine, SettlementRule, Statement, Tariff
from workorders.choices import HoldReason, Status
from workorders.models import WorkOrder, WorkOrderEvent

ZERO = Decimal("0.00")
SETTLED_STATUSES = (Status.COMPLETED, Status.CLOSED)
# A visit failed through the customer when the technician, on site, put the job on hold waiting for them (nobody
# home, no access, the site not ready): each such hold is paid the tariff's failed-visit fee. An order cancelled
# after one is settled for those visits alone, in the month it was cancelled.
FAILED_VISIT = Q(action="hold", from_status=Status.ON_SITE, data__hold_reason=HoldReason.WAITING_CUSTOMER)


def failed_visits():
    """Per order (``OuterRef("pk")``), the number of its visits that failed through the customer."""
    return Coalesce(Subquery(WorkOrderEvent.objects.filter(FAILED_VISIT, work_order=OuterRef("pk")).order_by()
                             .values("work_order").annotate(n=Count("pk")).values("n")), 0)


def cancelled_at():
    """Per order (``OuterRef("pk")``), when it was cancelled (its last cancel step)."""
    return Subquery(WorkOrderEvent.objects.filter(work_order=OuterRef("pk"), action="cancel")
                    .order_by("-created_at", "-pk").values("created_at")[:1])


def cancelled_after_failed_visits(brand_id: int, start: dt.datetime, end: dt.datetime) -> QuerySet:
    """The brand's orders cancelled in [start, end) after at least one failed visit, with ``settled_at`` (when
    they were cancelled) and ``failed`` (how many such visits) annotated."""
    return (WorkOrder.objects.filter(brand_id=brand_id, status=Status.CANCELLED, outlet__isnull=False)
            .filter(Exists(WorkOrderEvent.objects.filter(FAILED_VISIT, work_order=OuterRef("pk"))))
            .annotate(settled_at=cancelled_at()).filter(settled_at__gte=start, settled_at__lt=end)
            .annotate(failed=failed_visits()))


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


# A complaint whose verdict blames the brand, the product or the customer costs the outlet nothing.
NOT_THE_OUTLETS = (ResponsibleParty.BRAND, ResponsibleParty.PRODUCT, ResponsibleParty.CUSTOMER)


def rules_of(brand_id: int, first: dt.date, last: dt.date) -> list[Rule]:
    """The brand's active rules that share a day with [first, last], as plain data."""
    rows = (SettlementRule.objects.filter(brand_id=brand_id, is_active=True, valid_from__lte=last)
            .exclude(valid_to__lt=first).order_by("kind", "valid_from", "pk"))
    return [Rule(id=r.pk, kind=r.kind, amount=r.amount, share=r.share, threshold=r.threshold, days=r.days,
                 min_ratings=r.min_ratings, valid_from=r.valid_from, valid_to=r.valid_to, is_active=r.is_active)
            for r in rows]


def generate(*, brand: Organisation, period: dt.date) -> list[Statement]:
    """Build (or rebuild) every outlet's draft statement of ``period``'s month from the brand's orders completed
    in it; statements past draft are left as they are. Returns the statements rebuilt, by outlet.

    Set-based: the missing drafts are created in one bulk INSERT, the drafts are locked by a compare-and-set
    on ``state = draft`` (a version bump: a statement sent meanwhile is not among them and is not touched),
    their lines deleted in one DELETE and written again by settlement.setbased (INSERT … SELECT), then the other
    lines (settlement.extras), the fraud holds (settlement.fraud), and every touched draft's total and line count
    from the sum of its lines in one UPDATE. All in one transaction: running it twice gives the same lines."""
    if period.day != 1:
        raise InvalidInput(field="period")
    start, end = month_bounds(period)
    with transaction.atomic():
        outlets = set(WorkOrder.objects.filter(brand=brand, status__in=SETTLED_STATUSES, completed_at__gte=start,
                                               completed_at__lt=end, outlet__isnull=False)
                      .order_by().values_list("outlet_id", flat=True).distinct())
        outlets |= set(cancelled_after_failed_visits(brand.pk, start, end).values_list("outlet_id", flat=True))
        mine = Statement.objects.filter(brand=brand, period=period, technician__isnull=True)
        missing = outlets - set(mine.values_list("outlet_id", flat=True))
        Statement.objects.bulk_create([Statement(brand=brand, outlet_id=outlet_id, period=period)
                                       for outlet_id in sorted(missing)], ignore_conflicts=True)
        # A draft whose orders have all gone (reopened, moved to another outlet) is emptied too: every draft.
        drafts = dict(mine.filter(state=StatementState.DRAFT).select_for_update().values_list("outlet_id", "pk"))
        # Compare-and-set on the state: only drafts are rebuilt; a version bump marks each one rewritten.
        locked = Statement.objects.filter(pk__in=list(drafts.values()), state=StatementState.DRAFT).update(
            version=F("version") + 1)
        if locked != len(drafts):
            raise StaleVersion()  # one was sent meanwhile: nothing is rewritten (the transaction rolls back)
        _empty(list(drafts.values()))
        statements = dict(drafts)
        setbased.insert_lines(brand.pk, period, statements)
        extras.add_lines(brand.pk, period, statements)
        flags.hold_lines(brand.pk, period, statements)
        extras.retotal(set(statements.values()))
    return list(Statement.objects.filter(pk__in=list(drafts.values())).order_by("outlet_id"))


def _empty(statement_ids: list[int]) -> None:
    """Delete the drafts' lines in one DELETE. Raw, as the ORM's collector refuses a line that a reversal line
    of the same draft points to (``adjustment_of``, PROTECT) although both go; a draft has no disputes (a
    dispute is raised on a sent statement), whose rows would otherwise cascade."""
    if not statement_ids:
        return
    LineDispute.objects.filter(line__statement_id__in=statement_ids).delete()
    table = connection.ops.quote_name(SettlementLine._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE statement_id IN ({', '.join(['%s'] * len(statement_ids))})",
                       statement_ids)
