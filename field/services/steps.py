"""The technician's lifecycle steps: each is workorders.workflow.transition plus what the visit records.

The status changes only through ``transition`` (STYLE.md §3); these add the visit's side in the same
transaction: when the technician set off and from where, where they checked in and how far from the site.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.principal import Principal
from core.errors import StaleVersion
from core.geo.distance import distance_m
from field.geo import Position
from field.models import Visit
from field.services.common import ensure_technician, happened_at, open_visit, remember_position
from workorders import workflow
from workorders.models import WorkOrder


def _step(order: WorkOrder, action: str, actor: Principal, **kwargs) -> WorkOrder:
    ensure_technician(actor, order)
    return workflow.transition(order, action, actor=actor, **kwargs)


def _update_visit(visit: Visit, **changes) -> None:
    if not Visit.objects.filter(pk=visit.pk, version=visit.version).update(
            version=F("version") + 1, updated_at=timezone.now(), **changes):
        raise StaleVersion()


def accept(*, order: WorkOrder, actor: Principal) -> WorkOrder:
    with transaction.atomic():
        order = _step(order, "accept", actor)
        open_visit(order, actor.technician_id)
    return order


def decline(*, order: WorkOrder, actor: Principal, reason: str) -> WorkOrder:
    """Back to the outlet with the technician's reason; the job leaves their list."""
    return _step(order, "decline", actor, reason=reason)


def depart(*, order: WorkOrder, actor: Principal, where: Position | None = None,
           at: dt.datetime | None = None) -> WorkOrder:
    """"On my way": the customer's tracking shows the technician coming; the phone's position, when the
    technician allows it, becomes their last known location (the ETA starts there)."""
    with transaction.atomic():
        order = _step(order, "depart", actor)
        visit = open_visit(order, actor.technician_id)
        moment = happened_at(at, floor=order.created_at)
        _update_visit(visit, departed_at=moment)
        remember_position(actor.technician_id, where, moment)
    return order


def arrive(*, order: WorkOrder, actor: Principal, where: Position | None = None,
           at: dt.datetime | None = None) -> WorkOrder:
    """Check in on site: the labour clock starts; the distance from the site's coordinates is kept."""
    with transaction.atomic():
        order = _step(order, "arrive", actor)
        visit = open_visit(order, actor.technician_id)
        moment = happened_at(at, floor=visit.departed_at or order.created_at)
        changes: dict = {"checked_in_at": moment, "checkin_latitude": None, "checkin_longitude": None,
                         "checkin_accuracy_m": None, "checkin_distance_m": None}
        if where is not None:
            changes.update(checkin_latitude=where.latitude, checkin_longitude=where.longitude,
                           checkin_accuracy_m=where.accuracy_m)
            site = order.site
            if site is not None and site.latitude is not None and site.longitude is not None:
                changes["checkin_distance_m"] = distance_m((where.latitude, where.longitude),
                                                           (site.latitude, site.longitude))
        _update_visit(visit, **changes)
        remember_position(actor.technician_id, where, moment)
    return order


def hold(*, order: WorkOrder, actor: Principal, hold_reason: str, reason: str) -> WorkOrder:
    return _step(order, "hold", actor, hold_reason=hold_reason, reason=reason)


def resume(*, order: WorkOrder, actor: Principal) -> WorkOrder:
    return _step(order, "resume", actor)
