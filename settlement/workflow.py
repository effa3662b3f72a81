"""A statement's lifecycle as a table (STYLE.md §3): ``ALLOWED`` from → {to}, and one ``transition`` that moves a
statement by compare-and-set on (state, version) and writes its ``StatementEvent``, in one transaction. Nothing else
changes ``Statement.state``.

draft → sent → confirmed | disputed; a dispute goes back to sent once finance has resolved its lines; confirmed →
approved → paid. Only a draft is regenerated (settlement/services.py); approved and paid never change again.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from core.errors import IllegalTransition, InvalidInput, StaleVersion
from settlement.choices import StatementState
from settlement.models import Statement, StatementEvent

S = StatementState
ALLOWED: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SENT}),
    S.SENT: frozenset({S.CONFIRMED, S.DISPUTED}),
    S.DISPUTED: frozenset({S.SENT}),  # finance resolved the disputed lines: the outlet looks again
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
