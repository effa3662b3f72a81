"""What a connected unit's report does, by the brand's rules (DeviceRule), called from integrations'
``device_reported`` hook inside the alert's transaction (registered in maintenance/hooks.py):

- ``reset``: the device says the part was replaced: its schedule restarts that day (record_replacement, via
  the device, with the meters of this very report); an older or repeated report changes nothing;
- ``order``: a predicted fault (filter life below 10 %, pressure dropping) opens a proactive maintenance order
  (unless the unit has an open order already);
- ``remind``: it reminds the customer of the part now, through the reminder job's own insert (so the message,
  the link and the opt-outs are the job's).
An order or a reminder comes once per cycle of the part (until it is next replaced): DeviceRuleFiring is
unique per (rule, unit, cycle), so a device repeating itself, or two deliveries at once, act once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.principal import system_principal
from catalog.choices import Priority, ServiceType
from core.dates import brand_tz
from customers.models import InstalledProduct
from integrations.services.orders import open_channel_order, open_order_for
from maintenance.choices import Comparison, DeviceAction, ReplacedVia, ScheduleKind
from maintenance.models import DeviceRule, DeviceRuleFiring, Reminder, Schedule
from maintenance.reminders import send_reminders
from maintenance.schedules import record_replacement
from workorders.choices import Channel


def rules_for(product: InstalledProduct) -> list[DeviceRule]:
    model = product.product_model
    scope = (Q(product_model_id=model.pk) | Q(product_model__isnull=True, category_id=model.category_id)
             | Q(product_model__isnull=True, category__isnull=True))
    return list(DeviceRule.objects.filter(scope, brand_id=product.brand_id, is_active=True).order_by("pk"))


def matches(rule: DeviceRule, *, fault_code: str, readings: dict[str, Decimal]) -> bool:
    if rule.fault_code:
        return rule.fault_code.upper() == (fault_code or "").upper()
    value = readings.get(rule.metric)
    if value is None or rule.threshold is None:
        return False
    return value < rule.threshold if rule.comparison == Comparison.BELOW else value > rule.threshold


def _schedule(product: InstalledProduct, rule: DeviceRule) -> Schedule | None:
    found = Schedule.objects.filter(product=product, is_active=True)
    found = (found.filter(kind=ScheduleKind.CONSUMABLE, rule__part_id=rule.part_id) if rule.part_id
             else found.order_by("due_on"))
    return found.first()


def cycle_of(schedule: Schedule | None) -> str:
    """The part's cycle: since its last replacement (or since the unit was installed)."""
    if schedule is None or schedule.last_done_on is None:
        return "first"
    return schedule.last_done_on.isoformat()


def on_device_report(*, alert, product: InstalledProduct, readings: dict[str, Decimal]) -> None:
    day = timezone.localtime(alert.occurred_at, brand_tz()).date()
    for rule in rules_for(product):
        if not matches(rule, fault_code=alert.fault_code, readings=readings):
            continue
        if rule.action == DeviceAction.RESET:
            record_replacement(product=product, part=rule.part, on=day, via=ReplacedVia.DEVICE)
            continue
        schedule = _schedule(product, rule)
        fire(rule=rule, product=product, schedule=schedule, reading=_said(rule, alert, readings), at=alert.occurred_at)


def _said(rule: DeviceRule, alert, readings: dict[str, Decimal]) -> str:
    if rule.fault_code:
        return alert.fault_code
    return f"{rule.metric}={readings[rule.metric].normalize():f}"


def fire(*, rule: DeviceRule, product: InstalledProduct, schedule: Schedule | None, reading: str,
         at: dt.datetime) -> DeviceRuleFiring | None:
    """Act on the rule for the unit once in this cycle; None when it already did."""
    try:
        with transaction.atomic():
            firing = DeviceRuleFiring.objects.create(rule=rule, product=product, cycle=cycle_of(schedule),
                                                     fired_at=timezone.now())
    except IntegrityError:
        return None
    if rule.action == DeviceAction.ORDER:
        order = open_order_for(product)
        if order is None:
            order = open_channel_order(
                actor=system_principal(product.brand_id), product=product, channel=Channel.IOT,
                service_type=ServiceType.MAINTENANCE, priority=Priority.NORMAL,
                description=f"{rule.name}（{reading}）")
        firing.work_order = order
    elif rule.action == DeviceAction.REMIND and schedule is not None:
        # Due now, by the device's word: the reminder job reminds of it within its lead from today.
        today = timezone.localtime(at, brand_tz()).date()
        if schedule.due_on is None or schedule.due_on > today:
            Schedule.objects.filter(pk=schedule.pk).update(due_on=today, version=schedule.version + 1,
                                                           updated_at=timezone.now())
        send_reminders(schedule_ids=[schedule.pk])
        firing.reminder = Reminder.objects.filter(schedule=schedule).order_by("-pk").first()
    firing.save(update_fields=["work_order", "reminder"])
    return firing
