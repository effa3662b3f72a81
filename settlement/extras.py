"""The lines of a month's generation beyond the tariff's and the rules' per-order lines (docs/settlement.md):

- **parts**: a part the warranty covered on the charge frozen at completion is the brand's to pay: the outlet
  earns the tariff's transfer price for it (a part without a transfer price makes a 0 line with the reason
  ``no_transfer_price``, so the gap shows). Parts the customer paid for are the outlet's own sale: no line.
- **part not returned**: a defective part still owed (parts.DefectiveReturn) past the rule's days at the month's
  end costs the outlet its transfer price, once (a part already charged in another statement is not again).
- **late adjustments**: an order settled in an earlier statement that has left draft is never edited; when a
  complaint against it is upheld later, the difference between what the rules now say and what its lines (and
  earlier adjustments) already hold becomes an ``adjustment`` line in this month's draft of its outlet.
- **technicians' statements**: per technician and month, the piece rate (the tariff's ``technician_share`` of
  each of their jobs' fee line) and the commissions of their won leads (revenue.Commission) earned in the month.

``add_lines`` is called by ``settlement.services.generate`` after the per-order lines are in, inside its run, with
the outlets' draft statements of the month (outlet id → statement id); it adds to that mapping the drafts it
opens for adjustments. Everything is read set-wise (a query per kind of fact, none per order) and is idempotent:
the drafts' lines were emptied before, the technicians' drafts are emptied here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from complaints.choices import COUNTED_OUTCOMES, DECIDED_STATUSES
from complaints.models import Complaint
from core.dates import add_months, brand_tz
from parts.choices import DefectiveStatus
from parts.models import DefectiveReturn
from revenue.models import Commission
from settlement import arithmetic, facts, services
from settlement.arithmetic import Job, money
from settlement.choices import LineKind, RuleKind, StatementState
from settlement.models import SettlementLine, Statement, TariffPart
from workorders.models import WorkOrder

ZERO = Decimal("0.00")
NO_TRANSFER_PRICE = "no_transfer_price"
LATE = "late_change"  # the reason on an adjustment line made by a later change to an order already settled


def add_lines(brand_id: int, period: dt.date, statements: dict[int, int]) -> None:
    """Add the parts, part-not-returned and late adjustment lines to the outlets' drafts of ``period`` and rebuild
    the technicians' drafts of the month (see the module's docstring)."""
    last = add_months(period, 1) - dt.timedelta(days=1)
    tariffs = services.Tariffs(brand_id, period, last)
    start, end = services.month_bounds(period)
    orders = WorkOrder.objects.filter(brand_id=brand_id, status__in=services.SETTLED_STATUSES,
                                      completed_at__gte=start, completed_at__lt=end,
                                      outlet_id__in=list(statements))
    before = set(statements.values())
    lines = _parts(brand_id, statements, orders, tariffs)
    lines += _parts_not_returned(brand_id, period, statements, tariffs, services.rules_of(brand_id, period, last))
    lines += _missing_photos(brand_id, period, statements, orders)
    lines += _late_adjustments(brand_id, period, statements)
    SettlementLine.objects.bulk_create(lines)
    retotal(set(statements.values()) - before)  # the drafts opened here for an adjustment alone
    _technicians(brand_id, period, statements, orders)


def _new_line(brand_id: int, statement_id: int, outlet_id: int, order_id: int, number: str, kind: str,
              amount: Decimal, *, tariff_id: int | None = None, rule_id: int | None = None, basis: dict,
              technician_id: int | None = None) -> SettlementLine:
    return SettlementLine(brand_id=brand_id, statement_id=statement_id, outlet_id=outlet_id,
                          technician_id=technician_id, work_order_id=order_id, kind=kind, amount=amount,
                          tariff_id=tariff_id, rule_id=rule_id, basis={"order": number, **basis})


def _prices(tariff_ids, codes, brand_id: int) -> dict[tuple[int, str], Decimal]:
    """(tariff id, part code) → transfer price."""
    rows = (TariffPart.objects.filter(tariff_id__in=list(tariff_ids), part__code__in=list(codes),
                                      part__brand_id=brand_id)
            .values_list("tariff_id", "part__code", "transfer_price"))
    return {(tariff_id, code): price for tariff_id, code, price in rows}


def _parts(brand_id: int, statements: dict[int, int], orders, tariffs) -> list[SettlementLine]:
    visits = {order_id: visit for order_id, visit in facts.visits_of(orders).items() if visit.covered_parts}
    if not visits:
        return []
    tz = brand_tz()
    rows = orders.filter(pk__in=list(visits)).values_list("pk", "number", "outlet_id", "completed_at")
    wanted = []
    for order_id, number, outlet_id, completed_at in rows:
        tariff = tariffs.on(completed_at.astimezone(tz).date())[0]
        wanted.append((order_id, number, outlet_id, tariff.pk if tariff is not None else None))
    prices = _prices({t for *_, t in wanted if t is not None},
                     {code for visit in visits.values() for code, _q in visit.covered_parts}, brand_id)
    lines = []
    for order_id, number, outlet_id, tariff_id in sorted(wanted):
        for code, quantity in visits[order_id].covered_parts:
            price = prices.get((tariff_id, code))
            basis = {"part": code, "quantity": quantity, "tariff_id": tariff_id}
            if price is None:
                amount, basis = money(0), {**basis, "reason": NO_TRANSFER_PRICE}
            else:
                exact = price * quantity
                amount, basis = money(exact), {**basis, "transfer_price": str(price), "exact": str(exact)}
            lines.append(_new_line(brand_id, statements[outlet_id], outlet_id, order_id, number, LineKind.PART,
                                   amount, tariff_id=tariff_id, basis=basis))
    return lines


def _others(statements: dict[int, int]):
    """Lines outside the drafts being rebuilt: what earlier runs and statements already hold."""
    return SettlementLine.objects.exclude(statement_id__in=list(statements.values()))


def _parts_not_returned(brand_id: int, period: dt.date, statements: dict[int, int], tariffs,
                        rules) -> list[SettlementLine]:
    last = add_months(period, 1) - dt.timedelta(days=1)
    rule = arithmetic.rules_on(rules, last).get(RuleKind.PART_NOT_RETURNED)
    if rule is None:
        return []
    _start, end = services.month_bounds(period)
    overdue = end - dt.timedelta(days=rule.days or 0)
    rows = list(DefectiveReturn.objects.filter(brand_id=brand_id, outlet_id__in=list(statements),
                                               status=DefectiveStatus.OWED, created_at__lt=overdue)
                .values_list("pk", "outlet_id", "work_order_id", "work_order__number", "part__code", "quantity",
                             "created_at").order_by("pk"))
    if not rows:
        return []
    charged = set(_others(statements).filter(kind=LineKind.PART_NOT_RETURNED, outlet_id__in=list(statements))
                  .values_list("basis__defective_return", flat=True))
    tariff = tariffs.on(last)[0]
    prices = _prices([tariff.pk] if tariff is not None else [], {row[4] for row in rows}, brand_id)
    lines = []
    for pk, outlet_id, order_id, number, code, quantity, created_at in rows:
        if pk in charged:
            continue
        price = prices.get((tariff.pk if tariff is not None else None, code))
        exact = -(price if price is not None else (rule.amount or ZERO)) * quantity
        lines.append(_new_line(brand_id, statements[outlet_id], outlet_id, order_id, number,
                               LineKind.PART_NOT_RETURNED, money(exact), rule_id=rule.id, basis={
                                   "defective_return": pk, "part": code, "quantity": quantity,
                                   "owed_since": created_at.astimezone(brand_tz()).date().isoformat(),
                                   "days": rule.days, "transfer_price": None if price is None else str(price),
                                   "rule_id": rule.id, "exact": str(exact)}))
    return lines


def _missing_photos(brand_id: int, period: dt.date, statements: dict[int, int], orders) -> list[SettlementLine]:
    """A job completed without a photo its job template requires: the rule's amount, or its share of the fee."""
    last = add_months(period, 1) - dt.timedelta(days=1)
    rules = [rule for rule in services.rules_of(brand_id, period, last) if rule.kind == RuleKind.MISSING_PHOTO]
    if not rules:
        return []
    missing = facts.missing_photos(orders)
    if not missing:
        return []
    fees = dict(SettlementLine.objects.filter(statement_id__in=list(statements.values()), kind=arithmetic.FEE,
                                              work_order_id__in=list(missing))
                .values_list("work_order_id", "amount"))
    tz = brand_tz()
    lines = []
    for order_id, number, outlet_id, completed_at in (orders.filter(pk__in=list(missing)).order_by("pk")
                                                      .values_list("pk", "number", "outlet_id", "completed_at")):
        job = Job(service_type="", completed_day=completed_at.astimezone(tz).date(), missing_photos=missing[order_id])
        for draft in arithmetic.rule_lines(job, rules, fees.get(order_id, ZERO)):
            lines.append(_new_line(brand_id, statements[outlet_id], outlet_id, order_id, number, draft.kind,
                                   draft.amount, rule_id=draft.rule_id, basis=draft.basis))
    return lines


def _draft_of(brand_id: int, outlet_id: int, period: dt.date, statements: dict[int, int]) -> int | None:
    """The outlet's draft statement of ``period`` (opened when it has none); None when it has left draft."""
    if outlet_id in statements:
        return statements[outlet_id]
    statement, _created = Statement.objects.get_or_create(brand_id=brand_id, outlet_id=outlet_id, technician=None,
                                                          period=period)
    if statement.state != StatementState.DRAFT:
        return None
    statements[outlet_id] = statement.pk
    return statement.pk


def _late_adjustments(brand_id: int, period: dt.date, statements: dict[int, int]) -> list[SettlementLine]:
    """An upheld complaint on an order whose statement (of an earlier month) has left draft: the difference
    between the complaint deduction the rules now make and what is already on the books for it."""
    settled = (SettlementLine.objects.filter(brand_id=brand_id, kind=arithmetic.FEE, statement__period__lt=period,
                                             statement__technician__isnull=True)
               .exclude(statement__state=StatementState.DRAFT))
    complaints = (Complaint.objects.filter(work_order__brand_id=brand_id, outcome__in=sorted(COUNTED_OUTCOMES),
                                           status__in=sorted(DECIDED_STATUSES),
                                           work_order_id__in=settled.values("work_order_id"))
                  .exclude(responsible__in=services.NOT_THE_OUTLETS).order_by("work_order_id", "pk")
                  .values_list("work_order_id", "pk", "compensation"))
    by_order: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for order_id, pk, amount in complaints:
        by_order[order_id].append((pk, amount))
    if not by_order:
        return []
    fee = settled.filter(work_order_id=OuterRef("pk")).values("work_order_id").annotate(s=Sum("amount")).values("s")
    orders = list(WorkOrder.objects.filter(pk__in=list(by_order), completed_at__isnull=False, outlet__isnull=False)
                  .annotate(fee=Coalesce(Subquery(fee), ZERO)).order_by("pk")
                  .values_list("pk", "number", "outlet_id", "completed_at", "fee"))
    if not orders:
        return []
    tz = brand_tz()
    days = [completed_at.astimezone(tz).date() for _pk, _n, _o, completed_at, _f in orders]
    rules = services.rules_of(brand_id, min(days), max(days))  # each order by the rules of its own day
    booked = defaultdict(lambda: ZERO)
    others = _others(statements).filter(work_order_id__in=list(by_order))
    for order_id, amount in (others.filter(kind=RuleKind.COMPLAINT).values_list("work_order_id", "amount")):
        booked[order_id] += amount
    for order_id, amount in (others.filter(kind=LineKind.ADJUSTMENT, basis__reason=LATE, basis__kind=RuleKind.COMPLAINT)
                             .values_list("work_order_id", "amount")):
        booked[order_id] += amount
    lines = []
    for (order_id, number, outlet_id, _completed, fee_amount), day in zip(orders, days, strict=True):
        job = Job(service_type="", completed_day=day, upheld_complaints=tuple(by_order[order_id]))
        due = sum((d.amount for d in arithmetic.rule_lines(job, rules, fee_amount) if d.kind == RuleKind.COMPLAINT),
                  ZERO)
        difference = due - booked[order_id]
        if not difference:
            continue
        statement_id = _draft_of(brand_id, outlet_id, period, statements)
        if statement_id is None:
            continue  # the outlet's month has left draft: a later month's generation picks it up
        lines.append(_new_line(brand_id, statement_id, outlet_id, order_id, number, LineKind.ADJUSTMENT, difference,
                               basis={"reason": LATE, "kind": RuleKind.COMPLAINT, "due": str(due),
                                      "booked": str(booked[order_id]),
                                      "complaints": [[pk, str(a)] for pk, a in by_order[order_id]]}))
    return lines


def _technicians(brand_id: int, period: dt.date, statements: dict[int, int], orders) -> None:
    """Rebuild the technicians' draft statements of the month: piece rate and lead commissions."""
    drafts = Statement.objects.filter(brand_id=brand_id, period=period, technician__isnull=False,
                                      state=StatementState.DRAFT)
    SettlementLine.objects.filter(statement__in=drafts).delete()
    fees = (SettlementLine.objects.filter(statement_id__in=list(statements.values()), kind=arithmetic.FEE,
                                          work_order__technician__isnull=False, tariff__technician_share__gt=0)
            .values_list("work_order_id", "work_order__number", "work_order__technician_id", "outlet_id", "amount",
                         "tariff_id", "tariff__technician_share"))
    start, end = services.month_bounds(period)
    commissions = (Commission.objects.filter(brand_id=brand_id, earned_at__gte=start, earned_at__lt=end)
                   .values_list("pk", "lead_id", "lead__work_order_id", "lead__work_order__number", "technician_id",
                                "outlet_id", "amount", "base_value"))
    wanted: dict[tuple[int, int], list] = defaultdict(list)  # (outlet, technician) → line drafts
    for order_id, number, technician_id, outlet_id, fee, tariff_id, share in fees:
        exact = fee * share / 100
        if money(exact):
            wanted[(outlet_id, technician_id)].append((order_id, number, LineKind.PIECE_RATE, money(exact), tariff_id,
                                                       {"fee": str(fee), "share": str(share), "exact": str(exact)}))
    for pk, lead_id, order_id, number, technician_id, outlet_id, amount, base in commissions:
        wanted[(outlet_id, technician_id)].append((order_id, number, LineKind.LEAD_COMMISSION, money(amount), None,
                                                   {"commission": pk, "lead": lead_id, "value": str(base)}))
    existing = {(s.outlet_id, s.technician_id): s for s in
                Statement.objects.filter(brand_id=brand_id, period=period, technician__isnull=False)}
    lines, touched = [], {s.pk for s in existing.values() if s.state == StatementState.DRAFT}
    for (outlet_id, technician_id), rows in sorted(wanted.items()):
        statement = existing.get((outlet_id, technician_id))
        if statement is None:
            statement = Statement.objects.create(brand_id=brand_id, outlet_id=outlet_id, technician_id=technician_id,
                                                 period=period)
            touched.add(statement.pk)
        if statement.state != StatementState.DRAFT:
            continue
        for order_id, number, kind, amount, tariff_id, basis in rows:
            lines.append(_new_line(brand_id, statement.pk, outlet_id, order_id, number, kind, amount,
                                   tariff_id=tariff_id, basis=basis, technician_id=technician_id))
    SettlementLine.objects.bulk_create(lines)
    retotal(touched)


def retotal(statement_ids) -> None:
    """Each draft's total and line count from its lines, in one UPDATE (nothing past draft is rewritten)."""
    ids = list(statement_ids)
    if not ids:
        return
    lines = SettlementLine.objects.filter(statement_id=OuterRef("pk")).order_by().values("statement_id")
    Statement.objects.filter(pk__in=ids, state=StatementState.DRAFT).update(
        total=Coalesce(Subquery(lines.annotate(t=Sum("amount")).values("t")), ZERO),
        line_count=Coalesce(Subquery(lines.annotate(c=Count("pk")).values("c")), 0),
        generated_at=timezone.now(), version=F("version") + 1)
