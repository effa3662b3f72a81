"""A courier's route events, pushed or queried, applied to the parcels and the units they carry.

Each event is kept once (unique per shipment and the courier's event id), so the same push twice changes
nothing. A parcel's status is the furthest stage any of its events reached, so a late "in transit" after
"arrived" moves nothing back; the unit's hop follows the inbound parcel forward only, and the outbound
parcel's delivery ends the case and completes the work order (its callback follows from there).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.principal import system_principal
from core.couriers import STAGE_RANK, RouteEvent, Stage
from core.errors import StaleVersion
from logistics import workflow
from logistics.choices import INBOUND_HOPS, Direction, Hop, ShipmentStatus
from logistics.models import MailIn, Shipment, ShipmentEvent
from workorders import workflow as order_workflow
from workorders.choices import Status

logger = logging.getLogger("aftersales.logistics")

# The parcel's status after a stage, and the unit's hop after an inbound parcel's stage.
STATUS_OF = {Stage.COLLECTED: ShipmentStatus.COLLECTED, Stage.IN_TRANSIT: ShipmentStatus.IN_TRANSIT,
             Stage.OUT_FOR_DELIVERY: ShipmentStatus.OUT_FOR_DELIVERY, Stage.DELIVERED: ShipmentStatus.DELIVERED}
STATUS_RANK = {ShipmentStatus.BOOKING: 0, ShipmentStatus.BOOKED: 0, ShipmentStatus.COLLECTED: 1,
               ShipmentStatus.IN_TRANSIT: 2, ShipmentStatus.OUT_FOR_DELIVERY: 3, ShipmentStatus.DELIVERED: 4}
INBOUND_HOP_OF = {Stage.COLLECTED: Hop.COLLECTED, Stage.IN_TRANSIT: Hop.IN_TRANSIT,
                  Stage.OUT_FOR_DELIVERY: Hop.IN_TRANSIT, Stage.DELIVERED: Hop.ARRIVED}
RETRIES = 3


def record(*, backend: str, events: Iterable[RouteEvent], now: dt.datetime | None = None) -> int:
    """Keep the events of parcels we know (another's waybill is ignored) and apply them; the number new."""
    now = now or timezone.now()
    by_waybill: dict[str, list[RouteEvent]] = defaultdict(list)
    for event in events:
        by_waybill[event.waybill].append(event)
    new = 0
    for waybill, found in by_waybill.items():
        shipment = Shipment.objects.filter(backend=backend, waybill=waybill).first()
        if shipment is None:
            logger.info("courier %s: route events of unknown waybill %s ignored", backend, waybill)
            continue
        added = [e for e in found if _keep(shipment, e, now)]
        new += len(added)
        if added and shipment.status != ShipmentStatus.CANCELLED:
            _apply(shipment.pk)
    return new


def _keep(shipment: Shipment, event: RouteEvent, now: dt.datetime) -> bool:
    try:
        with transaction.atomic():
            ShipmentEvent.objects.create(shipment=shipment, event_id=event.event_id[:64], stage=event.stage,
                                         at=event.at, place=event.place[:120], text=event.text[:255],
                                         provider_code=event.provider_code[:20], received_at=now)
    except IntegrityError:
        return False  # told before
    return True


def _furthest(shipment: Shipment) -> ShipmentEvent | None:
    """The event of the furthest stage the parcel reached (the earliest such, as it happened first)."""
    events = [e for e in ShipmentEvent.objects.filter(shipment=shipment) if STAGE_RANK.get(e.stage, 0) > 0]
    if not events:
        return None
    best = max(STAGE_RANK[e.stage] for e in events)
    return min((e for e in events if STAGE_RANK[e.stage] == best), key=lambda e: (e.at, e.pk))


def _apply(shipment_id: int) -> None:
    for _attempt in range(RETRIES):
        try:
            _apply_once(shipment_id)
            return
        except StaleVersion:
            continue  # the unit moved meanwhile (the bench, a second push): read it again
    logger.warning("shipment %s: route not applied after %s tries", shipment_id, RETRIES)


def _apply_once(shipment_id: int) -> None:
    with transaction.atomic():
        shipment = Shipment.objects.select_related("mail_in").get(pk=shipment_id)
        event = _furthest(shipment)
        if event is None:
            return
        status = STATUS_OF[event.stage]
        if STATUS_RANK[status] > STATUS_RANK.get(shipment.status, 0):
            changes = {"status": status}
            if event.stage == Stage.COLLECTED or shipment.collected_at is None:
                changes["collected_at"] = shipment.collected_at or event.at
            if event.stage == Stage.DELIVERED:
                changes["delivered_at"] = event.at
            Shipment.objects.filter(pk=shipment.pk, status=shipment.status).update(**changes)
        mail_in = MailIn.objects.select_related("work_order").get(pk=shipment.mail_in_id)
        if shipment.direction == Direction.INBOUND:
            _inbound(mail_in, shipment, event)
        elif event.stage == Stage.DELIVERED and mail_in.hop == Hop.SHIPPED:
            _delivered(mail_in, event)


def _inbound(mail_in: MailIn, shipment: Shipment, event: ShipmentEvent) -> None:
    hop = INBOUND_HOP_OF[event.stage]
    if mail_in.hop not in INBOUND_HOPS or workflow.RANK[hop] <= workflow.RANK[mail_in.hop]:
        return  # already further on (an older event came late, or the bench received it first)
    message = {"waybill": shipment.waybill} if hop == Hop.COLLECTED else None
    workflow.move(mail_in, hop, actor=system_principal(mail_in.brand_id), at=event.at, place=event.place,
                  data={"waybill": shipment.waybill, "courier": event.text}, message=message)


def _delivered(mail_in: MailIn, event: ShipmentEvent) -> None:
    actor = system_principal(mail_in.brand_id)
    workflow.move(mail_in, Hop.DELIVERED, actor=actor, at=event.at, place=event.place,
                  changes={"delivered_at": event.at}, data={"courier": event.text})
    order = mail_in.work_order
    if order.status == Status.ASSIGNED:
        order_workflow.transition(order, "redeliver", actor=actor)
