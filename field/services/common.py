"""What every field service shares: whose job it is, the visit in progress, claiming it, the phone's clock."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from core.errors import PermissionDenied, StaleVersion
from field.errors import JobFinished, NotOnSite
from field.geo import Position
from field.models import Visit
from network.models import Technician
from workorders.choices import Status
from workorders.models import WorkOrder

FINISHED = frozenset({Status.COMPLETED, Status.CLOSED, Status.CANCELLED})
# How far ahead of the server's clock a phone's clock may run before its times are not believed.
CLOCK_SKEW = dt.timedelta(minutes=5)


def ensure_technician(actor: Principal, order: WorkOrder) -> None:
    """Only the order's own technician acts on it in the field app."""
    if not actor.is_technician or order.technician_id != actor.technician_id:
        raise PermissionDenied(_("Only the technician the job is dispatched to may do this."))


def open_visit(order: WorkOrder, technician_id: int) -> Visit:
    """The technician's visit in progress for the order, made on first use."""
    found = Visit.objects.filter(work_order=order, technician_id=technician_id, completed_at__isnull=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Visit.objects.create(work_order=order, technician_id=technician_id)
    except IntegrityError:  # a concurrent first action made it
        return Visit.objects.get(work_order=order, technician_id=technician_id, completed_at__isnull=True)


def current_visit(order: WorkOrder, technician_id: int) -> Visit | None:
    return Visit.objects.filter(work_order=order, technician_id=technician_id, completed_at__isnull=True).first()


def latest_visit(order: WorkOrder, technician_id: int | None = None) -> Visit | None:
    visits = Visit.objects.filter(work_order=order)
    if technician_id is not None:
        visits = visits.filter(technician_id=technician_id)
    return visits.order_by("-created_at", "-pk").first()


def _status_refusal(status: str):
    return JobFinished() if status in FINISHED else NotOnSite()


def claim(order: WorkOrder, actor: Principal) -> Visit:
    """Take the visit for one change while the job is on site, by compare-and-set on its version.

    Call inside a transaction. A change that races the completion loses here: the completion bumps the
    version first, so this one is a StaleVersion (retried) and then JobFinished, never a change to a
    finished job.
    """
    ensure_technician(actor, order)
    status = WorkOrder.objects.filter(pk=order.pk).values_list("status", flat=True).first()
    if status != Status.ON_SITE:
        raise _status_refusal(status)
    visit = current_visit(order, actor.technician_id)
    if visit is None:
        raise NotOnSite()
    now = timezone.now()
    if not Visit.objects.filter(pk=visit.pk, version=visit.version, completed_at__isnull=True).update(
            version=F("version") + 1, updated_at=now):
        if Visit.objects.filter(pk=visit.pk, completed_at__isnull=False).exists():
            raise JobFinished()
        raise StaleVersion(current_version=Visit.objects.values_list("version", flat=True).get(pk=visit.pk))
    status = WorkOrder.objects.filter(pk=order.pk, technician_id=actor.technician_id).values_list(
        "status", flat=True).first()
    if status != Status.ON_SITE:
        raise _status_refusal(status)
    visit.version += 1
    visit.updated_at = now
    return visit


def happened_at(at: dt.datetime | None, *, floor: dt.datetime | None) -> dt.datetime:
    """When the phone says the step happened (it may have been queued offline), kept between the previous
    step and now. A phone clock far in the future is not believed: the server's time is used instead."""
    now = timezone.now()
    if at is None or timezone.is_naive(at) or at > now + CLOCK_SKEW:
        return now
    at = min(at, now)
    if floor is not None and at < floor:
        return floor
    return at


def remember_position(technician_id: int, where: Position | None, at: dt.datetime) -> None:
    """The technician's last known location (the customer's tracking ETA starts from it); an older report
    arriving late from an offline queue never overwrites a newer one."""
    if where is None:
        return
    Technician.objects.filter(pk=technician_id).filter(
        Q(last_located_at__isnull=True) | Q(last_located_at__lte=at)
    ).update(last_latitude=where.latitude, last_longitude=where.longitude, last_located_at=at)
