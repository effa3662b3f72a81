"""The history of the parts lifecycles: one function per kind of event, each writing one ``PartEvent`` row
(as workorders/events.py does for the order's timeline). parts.workflow calls them on every status change."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from parts.models import DefectiveReturn, PartEvent, PartRequest

if TYPE_CHECKING:
    from accounts.principal import Principal


def _record(subject: PartRequest | DefectiveReturn, *, actor: Principal, at: dt.datetime, **fields: Any) -> PartEvent:
    # The event is scoped as its subject is: the subject's brand, outlet and technician go on the row.
    return PartEvent.objects.create(brand_id=subject.brand_id, outlet_id=subject.outlet_id,
                                    technician_id=subject.technician_id, actor=actor.user, actor_role=actor.role,
                                    created_at=at, **fields)


def request_moved(*, request: PartRequest, from_status: str, to_status: str, actor: Principal, reason: str,
                  at: dt.datetime) -> PartEvent:
    """A part request was transferred to the van, refused or cancelled."""
    return _record(request, actor=actor, at=at, request=request, from_status=from_status, to_status=to_status,
                   reason=reason)


def defective_moved(*, defective: DefectiveReturn, from_status: str, to_status: str, actor: Principal,
                    at: dt.datetime) -> PartEvent:
    """A replaced part the technician owed was handed in at the outlet."""
    return _record(defective, actor=actor, at=at, defective=defective, from_status=from_status, to_status=to_status)
