"""What mail-in repair does when the layers below it say so (core/hooks.py)."""

from __future__ import annotations

from django.db import transaction

from accounts.principal import Principal
from catalog.choices import ServiceType
from logistics import booking, tasks, workflow
from logistics.choices import Hop
from notifications.messages import STEP_LABELS
from workorders.intake import courier_fee, mail_in_booked
from workorders.models import WorkOrder
from workorders.workflow import cancelling


@mail_in_booked.connect
def _open_case(*, order: WorkOrder, actor: Principal) -> None:
    _case, shipment = booking.open_case(order=order, actor=actor)
    transaction.on_commit(lambda: tasks.book_pickup.enqueue(shipment.pk))


@cancelling.connect
def _cancel_case(*, order: WorkOrder, actor: Principal, reason: str) -> None:
    if order.type == ServiceType.MAIL_IN:
        booking.cancel_case(order=order, actor=actor, reason=reason)


STEP_LABELS.update(Hop.choices)
# Intake's preview of a mail-in repair prices the courier as the bench's quote does.
courier_fee.register(workflow.courier_fee)
