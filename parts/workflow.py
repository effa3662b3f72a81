"""The parts lifecycles as tables (STYLE.md §3), each status change writing its event (parts.events).

A part request: open → transferred (the store sent the parts to the van) | refused (with a reason) |
cancelled. ``transition`` moves a request by compare-and-set on (status, version), inside the caller's
transaction; parts.services.requests does the stock moves that go with each step.

A replaced part owed: owed → received (handed in at the outlet). ``transition_defective`` moves it by
compare-and-set on its status, with the stock move that took it into the store's defective stock.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from core.errors import StaleVersion
from parts import events
from parts.choices import DefectiveStatus, RequestStatus
from parts.errors import AlreadyDecided
from parts.models import DefectiveReturn, PartRequest, StockMove

S = RequestStatus
ALLOWED: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.TRANSFERRED, S.REFUSED, S.CANCELLED}),
    S.TRANSFERRED: frozenset(),
    S.REFUSED: frozenset(),
    S.CANCELLED: frozenset(),
}
D = DefectiveStatus
DEFECTIVE_ALLOWED: dict[str, frozenset[str]] = {
    D.OWED: frozenset({D.RECEIVED}),
    D.RECEIVED: frozenset(),
}


def transition(request: PartRequest, to: str, *, actor: Principal, reason: str = "",
               version: int | None = None) -> PartRequest:
    assert transaction.get_connection().in_atomic_block, "parts.workflow.transition needs a transaction"
    expected = request.version if version is None else version
    if to not in ALLOWED[request.status]:
        raise AlreadyDecided(_("This request is no longer open."), status=request.status)
    if expected != request.version:
        raise StaleVersion(current_version=request.version)
    now = timezone.now()
    updated = PartRequest.objects.filter(pk=request.pk, status=request.status, version=expected).update(
        status=to, version=F("version") + 1, decided_by=actor.user, decided_at=now, decision_reason=reason,
        updated_at=now,
    )
    if not updated:
        current = PartRequest.objects.values("status", "version").get(pk=request.pk)
        if current["status"] != request.status:
            raise AlreadyDecided(_("Someone has already dealt with this request."), status=current["status"])
        raise StaleVersion(current_version=current["version"])
    events.request_moved(request=request, from_status=request.status, to_status=to, actor=actor, reason=reason,
                         at=now)
    request.refresh_from_db()
    return request


def transition_defective(defective: DefectiveReturn, to: str, *, actor: Principal, move: StockMove) -> DefectiveReturn:
    """Receive a replaced part: ``move`` is the ledger's entry that took it into the store's defective stock."""
    assert transaction.get_connection().in_atomic_block, "parts.workflow.transition_defective needs a transaction"
    source = defective.status
    if to not in DEFECTIVE_ALLOWED[source]:
        raise AlreadyDecided(_("This part has already been received."))
    now = timezone.now()
    if not DefectiveReturn.objects.filter(pk=defective.pk, status=source).update(
            status=to, received_at=now, received_by=actor.user, received_move=move):
        raise AlreadyDecided(_("This part has already been received."))
    events.defective_moved(defective=defective, from_status=source, to_status=to, actor=actor, at=now)
    defective.refresh_from_db()
    return defective
