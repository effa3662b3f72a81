"""A statement's lifecycle as a table (STYLE.md §3): ``ALLOWED`` from → {to}, and one ``transition`` that moves a
statement by compare-and-set on (state, version) and writes its ``StatementEvent``, in one transaction. Nothing else
changes ``Statement.state``.

draft → sent → confirmed | disputed; once finance has resolved a disputed statement's lines it approves it or sends
it back; confirmed → approved → paid. ``act`` is the door for people: it checks who may make which move (finance
sends, approves and pays; the outlet's manager confirms or disputes) and that nothing is left open before an
approval (a dispute, a held line). Only a draft is regenerated (settlement/services.py); approved and paid never
change again.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.principal import Principal
from core.errors import IllegalTransition, InvalidInput, PermissionDenied, StaleVersion
from settlement.choices import DisputeState, StatementState
from settlement.models import STATEMENT_BRAND_ROLES, Statement, StatementEvent

S = StatementState
ALLOWED: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SENT}),
    S.SENT: frozenset({S.CONFIRMED, S.DISPUTED}),
    # finance resolved the disputed lines: it approves, or sends the statement back for the outlet to look again
    S.DISPUTED: frozenset({S.SENT, S.APPROVED}),
    S.CONFIRMED: frozenset({S.APPROVED}),
    S.APPROVED: frozenset({S.PAID}),
    S.PAID: frozenset(),
}
# The moment each state is reached, kept on the statement itself for its lists.
STAMPS = {S.SENT: "sent_at", S.APPROVED: "approved_at", S.PAID: "paid_at"}


def transition(statement: Statement, to: str, *, actor: Principal | None, reason: str = "",
               payment_reference: str = "", data: dict[str, Any] | None = None) -> Statement:
    """Move ``statement`` to state ``to``, or refuse having changed nothing.

    IllegalTransition (409) when ``to`` does not follow the present state; StaleVersion (409) when someone changed
    the statement since it was read. Paying needs the payment's reference."""
    source = statement.state
    if to not in ALLOWED.get(source, frozenset()):
        raise IllegalTransition(_("The statement cannot go from this state to that one."), from_status=source,
                                to_status=to, allowed=sorted(ALLOWED.get(source, ())))
    reference = payment_reference.strip()
    if to == S.PAID and not reference:
        raise InvalidInput(_("Give the payment's reference."), field="payment_reference")
    now = timezone.now()
    fields: dict[str, Any] = {"state": to}
    if to in STAMPS:
        fields[STAMPS[to]] = now
    if to == S.PAID:
        fields["payment_reference"] = reference[:80]
    with transaction.atomic():
        updated = Statement.objects.filter(pk=statement.pk, state=source, version=statement.version).update(
            version=F("version") + 1, **fields)
        if not updated:
            raise StaleVersion(current_version=Statement.objects.values_list("version", flat=True)
                               .get(pk=statement.pk))
        StatementEvent.objects.create(
            statement=statement, from_state=source, state=to, at=now, reason=reason[:500],
            actor=actor.user if actor is not None and actor.user is not None else None,
            actor_role=actor.role if actor is not None else "", data=data or {})
    statement.refresh_from_db()
    return statement


class Unresolved(IllegalTransition):
    """An approval asked of a statement that still has an open dispute or a line held by a fraud flag."""

    code = "unresolved_lines"
    default_message = _("Resolve the open disputes and the held lines before approving.")


# The moves people ask for by name (the API's and the pages' actions), and who may make each: the brand's
# finance (and its admin) sends, approves and pays; the outlet's manager confirms. Disputing is a move of its own
# (settlement.disputes.raise_dispute), made line by line.
ACTIONS: dict[str, str] = {"send": S.SENT, "confirm": S.CONFIRMED, "approve": S.APPROVED, "pay": S.PAID}
BY_THE_BRAND = frozenset({S.SENT, S.APPROVED, S.PAID})
BY_THE_OUTLET = frozenset({S.CONFIRMED, S.DISPUTED})
# The moves of an outlet's statement its technicians' statements follow: to → from which states.
FOLLOWED: dict[str, frozenset[str]] = {S.SENT: frozenset({S.DRAFT}), S.APPROVED: frozenset({S.SENT}),
                                       S.PAID: frozenset({S.SENT, S.APPROVED})}


def may_move(actor: Principal, statement: Statement, to: str) -> bool:
    """Whether ``actor`` may move ``statement`` to ``to`` (the state's own order aside)."""
    if statement.technician_id is not None:
        return False  # a technician's statement follows its outlet's (settlement.extras), never moved by hand
    if to in BY_THE_BRAND:
        return actor.is_brand_staff and actor.role in STATEMENT_BRAND_ROLES and actor.brand_id == statement.brand_id
    if to in BY_THE_OUTLET:
        return actor.role == Role.OUTLET_MANAGER and actor.outlet_id == statement.outlet_id
    return False


def act(statement: Statement, action: str, *, actor: Principal, reason: str = "",
        payment_reference: str = "") -> Statement:
    """A person's move of an outlet's statement by the action's name (``ACTIONS``). PermissionDenied (403) when
    ``actor`` may not make it; Unresolved (409) for an approval while a dispute is open or a line is held."""
    to = ACTIONS.get(action)
    if to is None:
        raise InvalidInput(_("Unknown action."), field="action", allowed=sorted(ACTIONS))
    if not may_move(actor, statement, to):
        raise PermissionDenied(_("You may not make this move on this statement."))
    if to == S.APPROVED and (statement.disputes.filter(state=DisputeState.OPEN).exists()
                             or statement.lines.filter(held=True).exists()):
        raise Unresolved()
    moved = transition(statement, to, actor=actor, reason=reason, payment_reference=payment_reference)
    if to in FOLLOWED:
        # The technicians' statements of the outlet's month go out, are approved and are paid with it (they are
        # what the outlet owes its people, worked out by the brand): the technician sees each step in the app.
        Statement.objects.filter(brand_id=statement.brand_id, outlet_id=statement.outlet_id,
                                 period=statement.period, technician__isnull=False,
                                 state__in=FOLLOWED[to]).update(state=to, version=F("version") + 1,
                                                                **{STAMPS[to]: getattr(moved, STAMPS[to])})
    return moved
