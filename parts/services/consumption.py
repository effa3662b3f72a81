"""Parts used on a job, from the technician's van, and the replaced parts they then owe their outlet."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from core.errors import IdempotencyConflict, IllegalTransition, InvalidInput, PermissionDenied
from parts import ledger, workflow
from parts.choices import CONSUMABLE_STATUSES, NOT_RETURNED_FAMILIES, DefectiveStatus
from parts.errors import AlreadyDecided
from parts.models import Consumption, DefectiveReturn
from parts.services.common import OUTLET_DESK, STOCK_DESK, Line, check_lines
from parts.services.requests import store_of, van_of
from workorders.models import WorkOrder

KEY_MAX = 128


def expects_return(line: Line) -> bool:
    if line.return_defective is not None:
        return line.return_defective
    return line.part.family not in NOT_RETURNED_FAMILIES


def _digest(order: WorkOrder, lines: Sequence[Line]) -> str:
    body = [order.pk, sorted([line.part.pk, line.quantity, line.return_defective] for line in lines)]
    return hashlib.sha256(json.dumps(body).encode()).hexdigest()


def _replay(technician_id: int, key: str, digest: str) -> Consumption | None:
    found = Consumption.objects.filter(technician_id=technician_id, idempotency_key=key).first()
    if found is None:
        return None
    if found.request_hash != digest:
        raise IdempotencyConflict(field="idempotency_key")
    found.replayed = True
    return found


def ensure_consumer(actor: Principal, order: WorkOrder) -> None:
    if not actor.is_technician or order.technician_id != actor.technician_id:
        raise PermissionDenied(_("Only the order's technician may use parts on it."))


def consume_on_job(*, order: WorkOrder, actor: Principal, lines: Sequence[Line],
                   idempotency_key: str) -> Consumption:
    """Take ``lines`` out of the technician's van for ``order``, once per ``idempotency_key``.

    Each line is a compare-and-set on the van's balance (``on_hand - reserved >= n``): with too few
    units the whole call is refused with InsufficientStock (409, ``insufficient_stock``) and nothing is
    written. The replaced part of each line is owed back to the outlet (a DefectiveReturn), unless the
    line says otherwise or its family is waste (filters, consumables, refrigerant).

    A retry with the same key and the same order and lines returns the first result (``replayed`` is
    True), even after the order has moved on; the same key with other content is IdempotencyConflict.
    Only the order's technician may do this (PermissionDenied), while the order is dispatched,
    accepted, en route or on site (IllegalTransition).
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > KEY_MAX:
        raise InvalidInput(_("Give an idempotency key of 1 to 128 characters."), field="idempotency_key")
    ensure_consumer(actor, order)
    lines = check_lines(lines, order.brand_id)
    digest = _digest(order, lines)
    replay = _replay(actor.technician_id, key, digest)
    if replay is not None:
        return replay
    if order.status not in CONSUMABLE_STATUSES:
        raise IllegalTransition(_("Parts can be used only on a job in progress."), from_status=order.status)
    van = van_of(actor.technician_id)
    try:
        with transaction.atomic():
            # Checked again under the order's row lock (PostgreSQL; SQLite serialises writers anyway), so
            # a completion committed meanwhile is seen and the parts are not booked on a finished job.
            if not WorkOrder.objects.select_for_update().filter(
                    pk=order.pk, technician_id=actor.technician_id, status__in=CONSUMABLE_STATUSES).exists():
                raise IllegalTransition(_("Parts can be used only on a job in progress."))
            now = timezone.now()
            # The unique (technician, key) row claims the action first: a concurrent retry waits on it.
            consumption = Consumption.objects.create(
                brand_id=order.brand_id, outlet_id=van.organisation_id, technician_id=actor.technician_id,
                work_order=order, van=van, idempotency_key=key, request_hash=digest, created_by=actor.user,
                created_at=now,
            )
            ledger.post([ledger.consume(van, line.part, line.quantity) for line in lines], actor=actor,
                        work_order=order, consumption=consumption)
            DefectiveReturn.objects.bulk_create([
                DefectiveReturn(brand_id=order.brand_id, outlet_id=van.organisation_id,
                                technician_id=actor.technician_id, work_order=order, consumption=consumption,
                                part=line.part, quantity=line.quantity, created_at=now)
                for line in lines if expects_return(line)
            ])
    except IntegrityError:
        replay = _replay(actor.technician_id, key, digest)
        if replay is None:
            raise
        return replay
    consumption.replayed = False
    return consumption


def receive_defective(*, defective: DefectiveReturn, actor: Principal) -> DefectiveReturn:
    """The technician handed the replaced part in: into the store's defective stock, and no longer owed."""
    allowed = (actor.role in STOCK_DESK and defective.brand_id == actor.brand_id
               or actor.role in OUTLET_DESK and defective.outlet_id == actor.outlet_id)
    if not allowed:
        raise PermissionDenied(_("Your role may not receive returned parts."))
    if defective.status != DefectiveStatus.OWED:
        raise AlreadyDecided(_("This part has already been received."))
    store = store_of(defective.outlet_id)
    with transaction.atomic():
        move = ledger.post([ledger.return_defective(store, defective.part, defective.quantity)], actor=actor,
                           work_order=defective.work_order, consumption=defective.consumption)[0]
        return workflow.transition_defective(defective, DefectiveStatus.RECEIVED, actor=actor, move=move)
