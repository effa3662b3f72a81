"""Part requests: a technician asks their outlet's store for parts for an order; the outlet sends them.

request_parts reserves every line at the store (all or none); transfer_request moves the reserved
units to the technician's van in one step; refuse_request and cancel_request release them.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from core.errors import IllegalTransition, PermissionDenied
from parts import ledger, workflow
from parts.choices import REQUESTABLE_STATUSES, RequestStatus, WarehouseKind
from parts.errors import NoWarehouse
from parts.models import PartRequest, PartRequestLine, Warehouse
from parts.services.common import OUTLET_DESK, STOCK_DESK, Line, check_lines, check_reason
from workorders.models import WorkOrder

DECIDERS = OUTLET_DESK | STOCK_DESK


def store_of(outlet_id: int) -> Warehouse:
    store = Warehouse.objects.filter(kind=WarehouseKind.STORE, organisation_id=outlet_id, is_active=True).first()
    if store is None:
        raise NoWarehouse(_("Your outlet has no parts store yet."))
    return store


def van_of(technician_id: int) -> Warehouse:
    van = Warehouse.objects.filter(kind=WarehouseKind.VAN, technician_id=technician_id, is_active=True).first()
    if van is None:
        raise NoWarehouse(_("You have no van stock yet; ask your outlet to set it up."))
    return van


def ensure_requester(actor: Principal, order: WorkOrder) -> None:
    if not actor.is_technician or order.technician_id != actor.technician_id:
        raise PermissionDenied(_("Only the order's technician may request parts for it."))


def request_parts(*, order: WorkOrder, actor: Principal, lines: Sequence[Line], note: str = "") -> PartRequest:
    """The order's technician asks their outlet's store for ``lines``; each is reserved there at once.

    Refused, with nothing written: another's order (PermissionDenied), an order not in hand
    (IllegalTransition), no store or van (NoWarehouse), a bad line (InvalidInput), a line the store
    cannot cover from its free stock (InsufficientStock, 409, ``detail.part_id``).
    """
    ensure_requester(actor, order)
    if order.status not in REQUESTABLE_STATUSES:
        raise IllegalTransition(_("Parts can be requested only for a job in hand."), from_status=order.status)
    store, van = store_of(actor.outlet_id), van_of(actor.technician_id)
    lines = check_lines(lines, order.brand_id)
    note = check_reason(note, required=False, field="note")
    with transaction.atomic():
        request = PartRequest.objects.create(
            brand_id=order.brand_id, outlet_id=actor.outlet_id, technician_id=actor.technician_id,
            work_order=order, store=store, van=van, note=note, requested_by=actor.user,
        )
        PartRequestLine.objects.bulk_create(
            [PartRequestLine(request=request, part=line.part, quantity=line.quantity) for line in lines])
        ledger.post([ledger.reserve(store, line.part, line.quantity) for line in lines], actor=actor,
                    work_order=order, request=request)
    return request


def _ensure_decider(actor: Principal, request: PartRequest) -> None:
    if actor.role in STOCK_DESK and request.brand_id == actor.brand_id:
        return
    if actor.role in OUTLET_DESK and request.outlet_id == actor.outlet_id:
        return
    raise PermissionDenied(_("Your role may not deal with part requests."))


def _lines(request: PartRequest) -> list[PartRequestLine]:
    return list(request.lines.select_related("part"))


def transfer_request(*, request: PartRequest, actor: Principal, version: int | None = None) -> PartRequest:
    """Send every reserved line from the store to the technician's van, in one step.

    A request already dealt with is AlreadyDecided (409); a stale ``version`` is StaleVersion (409).
    """
    _ensure_decider(actor, request)
    store, van = request.store, request.van
    with transaction.atomic():
        request = workflow.transition(request, RequestStatus.TRANSFERRED, actor=actor, version=version)
        entries = [e for line in _lines(request)
                   for e in ledger.transfer(store, van, line.part, line.quantity, reserved=True)]
        ledger.post(entries, actor=actor, work_order=request.work_order, request=request)
    return request


def _release(request: PartRequest, to: str, *, actor: Principal, reason: str, version: int | None) -> PartRequest:
    with transaction.atomic():
        request = workflow.transition(request, to, actor=actor, reason=reason, version=version)
        ledger.post([ledger.release(request.store, line.part, line.quantity) for line in _lines(request)],
                    actor=actor, reason=reason, work_order=request.work_order, request=request)
    return request


def refuse_request(*, request: PartRequest, actor: Principal, reason: str,
                   version: int | None = None) -> PartRequest:
    """Turn the request down with a reason the technician reads; its reservations are released."""
    _ensure_decider(actor, request)
    reason = check_reason(reason, required=True)
    return _release(request, RequestStatus.REFUSED, actor=actor, reason=reason, version=version)


def cancel_request(*, request: PartRequest, actor: Principal, reason: str = "",
                   version: int | None = None) -> PartRequest:
    """The technician no longer needs the parts (or the desk withdraws the request); reservations released."""
    if not (actor.is_technician and request.technician_id == actor.technician_id):
        _ensure_decider(actor, request)
    reason = check_reason(reason, required=False)
    return _release(request, RequestStatus.CANCELLED, actor=actor, reason=reason, version=version)



def release_for_order(*, order: WorkOrder, actor: Principal, reason: str) -> list[PartRequest]:
    """Cancel the order's open requests and release what they reserved at the store.

    For the order's lifecycle to call when the job ends without the parts (cancelled, recalled,
    declined, returned to the brand): whoever may take that step may release these, so no role is
    checked here beyond the brand; ``actor`` is recorded on the moves. Requests already transferred
    stay as they are (the parts are in the van).
    """
    if order.brand_id != actor.brand_id:
        raise PermissionDenied()
    reason = check_reason(reason, required=False)
    released = []
    with transaction.atomic():
        for request in PartRequest.objects.filter(work_order=order, status=RequestStatus.OPEN).order_by("pk"):
            released.append(_release(request, RequestStatus.CANCELLED, actor=actor, reason=reason, version=None))
    return released
