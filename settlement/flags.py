"""What a fraud flag does to money (docs/settlement.md, "Fraud checks"): while open, its order's lines are held (not
payable); a reviewer of the brand's finance decides it: cleared, the lines are released; upheld, each line of the
order is reversed by a ``reversal`` line of its own, in the same statement while it is not approved, else in the
outlet's next open (draft) statement: an approved statement never changes. ``settlement.services.generate`` calls
``hold_lines`` for the drafts it rebuilt."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from core.dates import add_months
from core.errors import IllegalTransition, InvalidInput, PermissionDenied, StaleVersion
from settlement.choices import FlagState, LineKind, StatementState
from settlement.models import STATEMENT_BRAND_ROLES, FraudFlag, SettlementLine, Statement

# Statements whose lines may still change (held, released, reversed in place).
NOT_APPROVED = (StatementState.DRAFT, StatementState.SENT, StatementState.CONFIRMED, StatementState.DISPUTED)


def hold_lines(brand_id: int, period: dt.date, statements: dict[int, int]) -> None:
    """After ``settlement.services.generate`` has rebuilt the drafts of ``period`` (``statements``: outlet id →
    draft statement id), hold their lines whose order has an open flag, in one UPDATE. The month's technicians'
    drafts too: their piece rate on a flagged order waits with it, and stays held once a flag is upheld (only
    the outlet's lines, what the brand pays, are reversed).

    A rebuild empties a draft, so the reversals of upheld flags that were in it are made again here (set-wise,
    with the drafts' totals): an outlet's line of an order with an upheld flag that has no reversal gets one, in
    its own draft, or, for a line of an approved statement of an earlier month, in its outlet's draft among
    ``statements``.
    """
    ids = sorted(set(statements.values()))
    if not ids:
        return
    drafts = Statement.objects.filter(pk__in=ids, brand_id=brand_id, period=period, technician__isnull=True,
                                      state=StatementState.DRAFT)
    technicians = Statement.objects.filter(brand_id=brand_id, period=period, technician__isnull=False,
                                           state=StatementState.DRAFT)
    flagged = FraudFlag.objects.filter(brand_id=brand_id, work_order_id=OuterRef("work_order_id"))
    open_flag = Exists(flagged.filter(state=FlagState.OPEN))
    decided_against = Exists(flagged.filter(state__in=(FlagState.OPEN, FlagState.UPHELD)))
    (SettlementLine.objects.filter(held=False)
     .filter((Q(statement_id__in=drafts.values("pk")) & Q(open_flag))
             | (Q(statement_id__in=technicians.values("pk")) & Q(decided_against)))
     .update(held=True))
    _reverse_upheld_again(brand_id, period, drafts, statements)


def _not_reversed(lines: QuerySet) -> QuerySet:
    """Of ``lines``, those that are no reversal themselves and that no reversal undoes yet."""
    undone = SettlementLine.objects.filter(adjustment_of=OuterRef("pk"), kind=LineKind.REVERSAL)
    return lines.exclude(kind=LineKind.REVERSAL).exclude(Exists(undone))


def _reversal(line: SettlementLine, statement_id: int, flag: FraudFlag) -> SettlementLine:
    return SettlementLine(
        brand_id=line.brand_id, statement_id=statement_id, outlet_id=line.outlet_id, technician_id=line.technician_id,
        work_order_id=line.work_order_id, kind=LineKind.REVERSAL, amount=-line.amount, adjustment_of=line,
        basis={"order": line.basis.get("order", ""), "flag": flag.pk, "check": flag.kind, "note": flag.note,
               "reverses": line.pk, "reverses_kind": line.kind, "period": line.statement.period.isoformat()})


def _book(lines: list[SettlementLine], reversals: list[SettlementLine], states: Iterable[str]) -> None:
    """Release the reversed ``lines`` (of statements not approved), write the ``reversals`` and add them to their
    statements' totals (each still in one of ``states``, else StaleVersion: the caller's transaction rolls back)."""
    SettlementLine.objects.filter(pk__in=[line.pk for line in lines], held=True,
                                  statement__state__in=NOT_APPROVED).update(held=False)
    if not reversals:
        return
    SettlementLine.objects.bulk_create(reversals)
    by_statement: dict[int, list[SettlementLine]] = defaultdict(list)
    for reversal in reversals:
        by_statement[reversal.statement_id].append(reversal)
    for statement_id, added in sorted(by_statement.items()):
        delta = sum((line.amount for line in added), Decimal("0.00"))
        updated = Statement.objects.filter(pk=statement_id, state__in=list(states)).update(
            total=F("total") + delta, line_count=F("line_count") + len(added), version=F("version") + 1)
        if not updated:
            raise StaleVersion(_("A statement changed meanwhile; try again."))


def _reverse_upheld_again(brand_id: int, period: dt.date, drafts: QuerySet, statements: dict[int, int]) -> None:
    upheld = FraudFlag.objects.filter(brand_id=brand_id, state=FlagState.UPHELD)
    here = Q(statement_id__in=drafts.values("pk"))
    earlier = Q(statement__state__in=(StatementState.APPROVED, StatementState.PAID), statement__period__lt=period,
                statement__technician__isnull=True, outlet_id__in=list(statements))
    lines = list(_not_reversed(SettlementLine.objects.filter(brand_id=brand_id,
                                                             work_order_id__in=upheld.values("work_order_id")))
                 .filter(here | earlier).select_related("statement").order_by("pk"))
    if not lines:
        return
    flags: dict[int, FraudFlag] = {}
    for flag in upheld.filter(work_order_id__in={line.work_order_id for line in lines}).order_by("decided_at", "pk"):
        flags.setdefault(flag.work_order_id, flag)
    draft_ids = set(drafts.values_list("pk", flat=True))
    reversals = []
    for line in lines:
        target = line.statement_id if line.statement_id in draft_ids else statements.get(line.outlet_id)
        if target in draft_ids and line.amount:
            reversals.append(_reversal(line, target, flags[line.work_order_id]))
    _book(lines, reversals, (StatementState.DRAFT,))


# ---------------------------------------------------------------------------------------------------- deciding


def may_decide(actor: Principal | None, flag: FraudFlag) -> bool:
    """The brand's finance and its admin, of the flag's brand."""
    return (actor is not None and actor.is_brand_staff and actor.role in STATEMENT_BRAND_ROLES
            and actor.brand_id == flag.brand_id)


def decide(flag: FraudFlag, *, actor: Principal | None, upheld: bool, note: str = "") -> FraudFlag:
    """Clear or uphold an open flag, by compare-and-set on (state open, version), or refuse having changed nothing.

    Cleared: the order's lines in statements not yet approved are released (unless another flag of the order is
    still open). Upheld (a note is required): each line of the order is reversed by a ``reversal`` line, in its own
    statement while that is not approved, else in the outlet's next open statement; totals follow in the same
    transaction. PermissionDenied (403) for anyone but the brand's finance or admin; InvalidInput (422) without a
    note; IllegalTransition (409) for a flag already decided; StaleVersion (409) when it changed since read."""
    if not may_decide(actor, flag):
        raise PermissionDenied(_("Only the brand's finance or its admin may decide a fraud flag."))
    note = (note or "").strip()
    if upheld and not note:
        raise InvalidInput(_("Say why the flag is upheld."), field="note")
    to = FlagState.UPHELD if upheld else FlagState.CLEARED
    if flag.state != FlagState.OPEN:
        raise IllegalTransition(_("This flag has already been decided."), from_status=flag.state, to_status=to,
                                allowed=[])
    with transaction.atomic():
        updated = FraudFlag.objects.filter(pk=flag.pk, state=FlagState.OPEN, version=flag.version).update(
            state=to, version=F("version") + 1, decided_by=actor.user, decided_at=timezone.now(), note=note[:500])
        if not updated:
            state, version = FraudFlag.objects.values_list("state", "version").get(pk=flag.pk)
            if state != FlagState.OPEN:
                raise IllegalTransition(_("This flag has already been decided."), from_status=state, to_status=to,
                                        allowed=[])
            raise StaleVersion(current_version=version)
        flag.refresh_from_db()
        if upheld:
            _reverse(flag)
        else:
            _release(flag)
    return flag


def _release(flag: FraudFlag) -> None:
    """The order's lines not yet approved become payable, unless another flag of the order is still open (or,
    for the technicians' lines, upheld)."""
    others = set(FraudFlag.objects.filter(work_order_id=flag.work_order_id).exclude(pk=flag.pk)
                 .values_list("state", flat=True))
    if FlagState.OPEN in others:
        return
    lines = SettlementLine.objects.filter(brand_id=flag.brand_id, work_order_id=flag.work_order_id, held=True,
                                          statement__state__in=NOT_APPROVED)
    if FlagState.UPHELD in others:  # the technician's piece rate of an upheld order stays unpaid
        lines = lines.filter(statement__technician__isnull=True)
    lines.update(held=False)


def _next_open(statement: Statement) -> Statement:
    """The outlet's statement of the first month after ``statement``'s that is still a draft, opened when there
    is none."""
    period = statement.period
    while True:
        period = add_months(period, 1)
        draft, _made = Statement.objects.get_or_create(brand_id=statement.brand_id, outlet_id=statement.outlet_id,
                                                       technician=None, period=period)
        if draft.state == StatementState.DRAFT:
            return draft


def _reverse(flag: FraudFlag) -> None:
    """Reverse each of the order's lines on its outlet's statements (what the brand pays) that is not reversed yet
    by a line of its own (−amount, ``adjustment_of`` it): in the line's statement while it is not approved, else
    in the outlet's next open statement. The technician's piece rate of the order stays held (hold_lines)."""
    order_lines = SettlementLine.objects.filter(brand_id=flag.brand_id, work_order_id=flag.work_order_id,
                                                statement__technician__isnull=True)
    # Lock the statements first (PostgreSQL): a second decision on the same order waits, then sees these reversals.
    list(Statement.objects.select_for_update().filter(pk__in=order_lines.values("statement_id")).order_by("pk")
         .values_list("pk", flat=True))
    lines = list(_not_reversed(order_lines).select_related("statement").order_by("statement__period", "pk"))
    reversals, targets = [], {}
    for line in lines:
        target = line.statement
        if target.state not in NOT_APPROVED:
            target = targets.get(line.statement_id) or _next_open(line.statement)
            targets[line.statement_id] = target
        if line.amount:
            reversals.append(_reversal(line, target.pk, flag))
    _book(lines, reversals, NOT_APPROVED)
