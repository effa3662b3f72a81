"""The part request's lifecycle as a table (STYLE.md §3).

open → transferred (the store sent the parts to the van) | refused (with a reason) | cancelled.
``transition`` moves a request by compare-and-set on (status, version), inside the caller's
transaction; parts.services.requests does the stock moves that go with each step.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from core.errors import StaleVersion
from parts.choices import RequestStatus
from parts.errors import AlreadyDecided
from parts.models import PartRequest

S = RequestStatus
ALLOWED: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.TRANSFERRED, S.REFUSED, S.CANCELLED}),
    S.TRANSFERRED: frozenset(),
    S.REFUSED: frozenset(),
    S.CANCELLED: frozenset(),
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
    request.refresh_from_db()
    return request
