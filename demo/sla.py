"""Demo data for the SLA clocks: an enterprise contract, paused orders, and the watch run once.

Everything goes through the real code: the lifecycle's ``transition`` for the pauses (with ``now`` set,
as the tests travel in time) and the periodic watch itself for the at-risk and breached marks, so the
timelines and the dispatchers' notifications are what production would have written.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Max

from accounts.principal import principal_of
from customers.choices import CustomerKind
from customers.models import Customer
from workorders import workflow
from workorders.choices import HoldReason, Priority, Status
from workorders.models import SlaContract, SlaContractTerm, WorkOrder, WorkOrderEvent
from workorders.sla_watch import sweep

# Tighter than the brand's defaults: what a hotel chain pays for.
CONTRACT_TERMS = {Priority.URGENT: (15, 180), Priority.HIGH: (30, 360), Priority.NORMAL: (60, 12 * 60),
                  Priority.LOW: (120, 24 * 60)}


def seed_sla(brand, *, now: dt.datetime) -> dict[str, int]:
    counts = {"sla_contracts": _contract(brand, now)}
    counts["sla_paused_orders"] = _pauses(brand, now)
    # Hundreds of old orders are late at once here; their log lines would bury the demo's own output.
    log = logging.getLogger("aftersales.notifications")
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        moved = sweep(now=now)
    finally:
        log.setLevel(level)
    counts["sla_marks"] = sum(moved.values())
    return counts


def _contract(brand, now: dt.datetime) -> int:
    customer = Customer.objects.filter(brand=brand, kind=CustomerKind.ENTERPRISE).order_by("pk").first()
    if customer is None:
        return 0
    today = now.date()
    # A hotel chain's contract: tighter minutes, counted round the clock.
    contract = SlaContract.objects.create(customer=customer, reference="ENT-2026-001",
                                          starts_on=today.replace(month=1, day=1), ends_on=None, round_the_clock=True)
    SlaContractTerm.objects.bulk_create([
        SlaContractTerm(contract=contract, priority=p, response_minutes=r, onsite_minutes=o)
        for p, (r, o) in CONTRACT_TERMS.items()])
    return 1


def _pauses(brand, now: dt.datetime) -> int:
    # The bulk-loaded orders on hold for the customer: their pause began at their hold step.
    held = WorkOrder.objects.filter(brand=brand, status=Status.ON_HOLD, hold_reason=HoldReason.WAITING_CUSTOMER,
                                    sla_paused_at__isnull=True)
    for order in held:
        started = (WorkOrderEvent.objects.filter(work_order=order, action="hold").aggregate(t=Max("created_at"))["t"]
                   or order.updated_at)
        WorkOrder.objects.filter(pk=order.pk).update(sla_paused_at=started)
    paused = held.count()
    # Two orders a technician has accepted: one waited for the customer and went on, one waits now.
    quiet = now - dt.timedelta(hours=3)
    accepted = (WorkOrder.objects.filter(brand=brand, status=Status.ACCEPTED, technician__user__isnull=False)
                .annotate(last=Max("events__created_at")).filter(last__lt=quiet).order_by("pk")[:2])
    for i, order in enumerate(list(accepted)):
        tech = principal_of(order.technician.user)
        if tech is None:
            continue
        start = now - dt.timedelta(hours=2, minutes=30)
        order = workflow.transition(order, "hold", actor=tech, reason="客户不在家，约定稍后上门",
                                    hold_reason=HoldReason.WAITING_CUSTOMER, now=start)
        if i == 0:
            workflow.transition(order, "resume", actor=tech, now=start + dt.timedelta(minutes=85))
        paused += 1
    return paused
