"""An outlet disputing single lines of a sent statement, and finance resolving each (docs/settlement.md).

The outlet's manager disputes a line with a reason (and, if they like, the amount they think it should be): the
statement goes to disputed. Finance decides each dispute: upheld, the line is brought to the amount decided by an
adjustment line in the same statement (the line itself never changes); rejected, the line stands and the reason
is kept. With no dispute left open, finance approves the statement or sends it back (settlement.workflow.act).
A statement's total stays the sum of its lines: the adjustment and the total change in one transaction.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.principal import Principal
from core.errors import IllegalTransition, InvalidInput, PermissionDenied, StaleVersion
from settlement import workflow
from settlement.arithmetic import money
from settlement.choices import DisputeState, LineKind, StatementState
from settlement.models import STATEMENT_BRAND_ROLES, LineDispute, SettlementLine, Statement

REASON_MAX = 500
OPEN_TO_DISPUTE = (StatementState.SENT, StatementState.DISPUTED)


class AlreadyDisputed(IllegalTransition):
    code = "already_disputed"
    default_message = _("This line already has an open dispute.")


def _amount(value, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Enter an amount in yuan, e.g. 120.50."), field=field) from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e10"):
        raise InvalidInput(_("Enter an amount in yuan, e.g. 120.50."), field=field)
    return money(amount)


def raise_dispute(line: SettlementLine, *, actor: Principal, reason: str, claimed_amount=None) -> LineDispute:
    """The outlet's manager disputes ``line`` of their sent statement; the statement becomes disputed."""
    statement = line.statement
    if actor.role != Role.OUTLET_MANAGER or actor.outlet_id != statement.outlet_id or statement.technician_id:
        raise PermissionDenied(_("Only the outlet's manager may dispute its statement's lines."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the line is wrong."), field="reason")
    claimed = _amount(claimed_amount, "claimed_amount")
    if statement.state not in OPEN_TO_DISPUTE:
        raise IllegalTransition(_("Only a statement sent to the outlet can be disputed."),
                                from_status=statement.state, to_status=StatementState.DISPUTED)
    with transaction.atomic():
        if statement.state == StatementState.SENT:
            statement = workflow.transition(statement, StatementState.DISPUTED, actor=actor, reason=reason,
                                            data={"line": line.pk})
        try:
            with transaction.atomic():
                dispute = LineDispute.objects.create(
                    statement=statement, line=line, reason=reason[:REASON_MAX], claimed_amount=claimed,
                    raised_by=actor.user, raised_at=timezone.now())
        except IntegrityError:
            raise AlreadyDisputed() from None
    return dispute


def resolve(dispute: LineDispute, *, actor: Principal, upheld: bool, resolution: str = "",
            decided_amount=None) -> LineDispute:
    """Finance decides ``dispute``. Upheld: an adjustment line brings the line to ``decided_amount`` (the amount
    claimed when none is given); rejected: the line stands, and the resolution says why."""
    statement = dispute.statement
    if not (actor.is_brand_staff and actor.role in STATEMENT_BRAND_ROLES and actor.brand_id == statement.brand_id):
        raise PermissionDenied(_("Only the brand's finance may resolve a dispute."))
    resolution = (resolution or "").strip()
    decided = _amount(decided_amount, "decided_amount")
    if upheld and decided is None:
        decided = dispute.claimed_amount
        if decided is None:
            raise InvalidInput(_("Give the amount the line should be."), field="decided_amount")
    if not upheld and not resolution:
        raise InvalidInput(_("Say why the line stands."), field="resolution")
    if statement.state != StatementState.DISPUTED:
        raise IllegalTransition(_("Only a disputed statement's lines are resolved."), from_status=statement.state,
                                to_status=StatementState.DISPUTED)
    now = timezone.now()
    with transaction.atomic():
        taken = LineDispute.objects.filter(pk=dispute.pk, state=DisputeState.OPEN).update(
            state=DisputeState.UPHELD if upheld else DisputeState.REJECTED, resolution=resolution[:REASON_MAX],
            decided_amount=decided if upheld else None, resolved_by=actor.user, resolved_at=now)
        if not taken:
            raise StaleVersion(_("Someone else resolved this dispute meanwhile."))
        line = dispute.line
        difference = (decided - line.amount) if upheld else Decimal("0.00")
        if difference:
            adjustment = SettlementLine.objects.create(
                brand_id=line.brand_id, statement=statement, outlet_id=line.outlet_id, technician_id=None,
                work_order_id=line.work_order_id, kind=LineKind.ADJUSTMENT, amount=difference,
                adjustment_of=line, basis={"order": line.basis.get("order"), "dispute": dispute.pk,
                                           "from": str(line.amount), "to": str(decided), "reason": resolution})
            moved = Statement.objects.filter(pk=statement.pk, state=StatementState.DISPUTED).update(
                total=F("total") + difference, line_count=F("line_count") + 1, version=F("version") + 1)
            if not moved:
                raise StaleVersion(_("The statement changed meanwhile."))
            LineDispute.objects.filter(pk=dispute.pk).update(adjustment=adjustment)
    dispute.refresh_from_db()
    return dispute
