"""A finished visit restarts what it replaced: the outbox sink of ``order.completed`` (maintenance/hooks.py).

Every completion path (the technician's app, the console, an import) records ``order.completed``, so every one
counts: the consumables the visit used (its ``parts`` CONSUME moves) restart their schedules on the completion
day; a maintenance order restarts the unit's maintenance schedules (its contract's plan when it was a planned
visit) and the schedule of the reminder that booked it; the reminders it answered are done. Idempotent per
event: a restart on or before the last one recorded changes nothing (maintenance.schedules.record_replacement).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from catalog.choices import ServiceType
from catalog.models import Part
from core import outbox
from core.dates import brand_tz
from core.models import OutboxEvent
from maintenance.choices import ReminderStatus, ReplacedVia, ScheduleKind
from maintenance.models import MaintenancePlan, Reminder, Schedule
from maintenance.schedules import record_replacement
from parts.choices import MoveKind
from parts.models import StockMove
from workorders.models import WorkOrder

SINK = "maintenance_resets"


def restart_after(order: WorkOrder) -> list[Schedule]:
    """Restart what the finished ``order`` replaced or serviced; returns the schedules restarted."""
    if order.product_id is None:
        return []
    day = timezone.localtime(order.completed_at or timezone.now(), brand_tz()).date()
    product = order.product
    restarted: list[Schedule] = []
    used = (StockMove.objects.filter(work_order_id=order.pk, kind=MoveKind.CONSUME)
            .values_list("part_id", flat=True).distinct())
    for part in Part.objects.filter(pk__in=list(used)):
        restarted += record_replacement(product=product, part=part, on=day, via=ReplacedVia.VISIT)
    booked = list(Reminder.objects.filter(work_order_id=order.pk).select_related("schedule__rule__part"))
    if order.type == ServiceType.MAINTENANCE:
        plans = set(Schedule.objects.filter(product=product, kind=ScheduleKind.MAINTENANCE, is_active=True)
                    .values_list("plan_id", flat=True))
        visit = getattr(order, "contract_visit", None)
        if visit is not None:
            plans = {visit.contract.plan_id}
        for plan in MaintenancePlan.objects.filter(pk__in=plans):
            restarted += record_replacement(product=product, plan=plan, on=day, via=ReplacedVia.VISIT)
        for reminder in booked:
            schedule = reminder.schedule
            if schedule.kind == ScheduleKind.CONSUMABLE:
                restarted += record_replacement(product=product, part=schedule.rule.part, on=day,
                                                via=ReplacedVia.VISIT)
    Reminder.objects.filter(work_order_id=order.pk).exclude(status=ReminderStatus.DONE).update(
        status=ReminderStatus.DONE, acted_at=timezone.now())
    return restarted


def deliver(event: OutboxEvent) -> None:
    order = (WorkOrder.objects.select_related("product__product_model").filter(pk=event.work_order_id).first()
             if event.work_order_id else None)
    if order is None:
        return
    with transaction.atomic():
        restart_after(order)


def sink() -> outbox.Sink:
    return outbox.Sink(name=SINK, kinds=frozenset({"order.completed"}), deliver=deliver)
