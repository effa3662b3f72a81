"""A mail-in case taken all the way back to the customer, through the services and the courier's pushes, with the
times of its hops set to given ones: what the turnaround report reads (logistics/selectors.py)."""

from __future__ import annotations

import datetime as dt

from accounts.principal import principal_of
from core.couriers import Stage
from logistics import bench, booking
from logistics.choices import Hop
from logistics.models import MailIn, MailInStep
from logistics.tests.setup import book, inbound, outbound, push
from workorders.models import WorkOrder

_serials = iter(range(1, 10_000))


def delivered_case(w, *, reported: dt.datetime, received: dt.datetime, shipped: dt.datetime,
                   delivered: dt.datetime, arrived: dt.datetime | None = None,
                   collected: dt.datetime | None = None, product=None) -> MailIn:
    """Book, collect (and scan in on arrival when ``arrived``), receive, diagnose, repair, check, ship and deliver;
    then the order's creation and each hop's step moved to the given times (a step is never written before the
    one it follows, so the walk runs now and the times are set afterwards)."""
    n = next(_serials)
    case = book(w, product=product)
    desk = principal_of(w.bench)
    booking.record_waybill(shipment=inbound(case), waybill=f"SFIN{n:010d}", actor=desk)
    if collected is not None:
        push(inbound(case), Stage.COLLECTED)
    if arrived is not None:
        push(inbound(case), Stage.DELIVERED)
    case.refresh_from_db()
    case = bench.receive(mail_in=case, actor=desk, serial=case.work_order.product.serial)
    case = bench.diagnose(mail_in=case, actor=desk, finding="进水阀卡滞")
    case = bench.repair(mail_in=case, actor=desk, note="清洗进水阀")
    case = bench.check_quality(mail_in=case, actor=desk, checks={p: True for p in bench.QC_POINTS})
    booking.record_waybill(shipment=bench.ship(mail_in=case, actor=desk), waybill=f"SFOUT{n:09d}", actor=desk)
    push(outbound(case), Stage.DELIVERED)
    WorkOrder.objects.filter(pk=case.work_order_id).update(created_at=reported)
    MailIn.objects.filter(pk=case.pk).update(delivered_at=delivered)
    for hop, at in ((Hop.COLLECTED, collected), (Hop.ARRIVED, arrived), (Hop.RECEIVED, received),
                    (Hop.SHIPPED, shipped), (Hop.DELIVERED, delivered)):
        MailInStep.objects.filter(mail_in=case, hop=hop).update(at=at)
    case.refresh_from_db()
    assert case.hop == Hop.DELIVERED
    return case
