"""Demo consumable schedules and reminders (issue 16, reminders part): ``seed_schedules(brand, now=...)``.

Consumable rules for the water purifiers (PP cotton 6 months or 2,000 litres, carbon 12 months, RO membrane 24
months), the brand's device rules (a "filter replaced" code resets the PP cotton; filter life below 10 % reminds
the customer), every unit's schedules (maintenance.schedules.ensure_schedules), the usage rates from the
readings demo/integrations.py stored (so some schedules are usage-driven), PP cotton due this week for a few
households (the demo customer's first purifier among them), the reminder job run once, and one reminder
booked as a visit (an open maintenance order of the history).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.models import Organisation
from catalog.models import Part, ProductCategory
from core.dates import add_months
from customers.models import InstalledProduct
from integrations.choices import Metric
from maintenance.choices import ReminderStatus
from maintenance.models import ConsumableRule, DeviceRule, Reminder, Schedule
from maintenance.reminders import send_reminders
from maintenance.schedules import ensure_schedules, recompute
from maintenance.usage import refresh_usage
from workorders.choices import OPEN_STATUSES
from workorders.models import WorkOrder

# part code → (months, litres, self-replaceable)
RULES = {"pp-cotton": (6, 2000, True), "post-carbon": (12, None, True), "ro-membrane": (24, None, False)}
DUE_THIS_WEEK = 6


def seed_schedules(brand: Organisation, *, now: dt.datetime) -> dict[str, int]:
    category = ProductCategory.objects.filter(brand=brand, code="purifier").first()
    if category is None:
        return {}
    parts = {p.code: p for p in Part.objects.filter(brand=brand, code__in=list(RULES))}
    for code, (months, litres, self_replaceable) in RULES.items():
        if code in parts:
            ConsumableRule.objects.get_or_create(
                brand=brand, part=parts[code], category=category,
                defaults={"months": months, "litres": litres, "self_replaceable": self_replaceable,
                          "lead_days": 14, "repeat_after_days": 7, "max_reminders": 3})
    if "pp-cotton" in parts:
        DeviceRule.objects.get_or_create(brand=brand, name="PP棉滤芯已更换（设备上报 F9）", defaults={
            "category": category, "fault_code": "F9", "action": "reset", "part": parts["pp-cotton"]})
        DeviceRule.objects.get_or_create(brand=brand, name="滤芯寿命低于10%", defaults={
            "category": category, "metric": Metric.FILTER_LIFE_PCT, "comparison": "below",
            "threshold": Decimal("10"), "action": "remind", "part": parts["pp-cotton"]})
    created = ensure_schedules(brand_id=brand.pk)
    today = now.astimezone(dt.UTC).date()
    _due_this_week(brand, parts.get("pp-cotton"), today)
    refreshed = refresh_usage(now=now)
    run = send_reminders(now=now)
    booked = _book_one(brand, now)
    return {"schedules": created, "usage_driven": Schedule.objects.filter(brand=brand, due_by="litres").count(),
            "usage_refreshed": refreshed, "reminders": run.reminders, "reminders_booked": booked}


def _due_this_week(brand: Organisation, pp: Part | None, today: dt.date) -> None:
    """The PP cotton of a few purifiers was last replaced six months ago, less a few days: due this week."""
    if pp is None:
        return
    units = list(InstalledProduct.objects.filter(brand=brand, product_model__category__code="purifier",
                                                 customer__user__username="customer").order_by("serial")[:1])
    units += list(InstalledProduct.objects.filter(brand=brand, product_model__category__code="purifier")
                  .exclude(customer__user__username="customer").order_by("serial")[:DUE_THIS_WEEK - 1])
    for n, unit in enumerate(units):
        done = add_months(today + dt.timedelta(days=2 + n), -6)
        Schedule.objects.filter(product=unit, rule__part=pp).update(last_done_on=done, last_done_via="visit")
    recompute(Schedule.objects.filter(product__in=units, rule__part=pp))


def _book_one(brand: Organisation, now: dt.datetime) -> int:
    """Another household booked its visit from the reminder: the demo history's open maintenance order of a
    reminded unit (built with the history's own times by demo/orders.py) is the visit it booked; the demo
    customer's reminder stays open to try."""
    reminded = (Reminder.objects.filter(brand=brand, status=ReminderStatus.SENT)
                .exclude(customer__user__username="customer").values("schedule__product_id"))
    order = (WorkOrder.objects.filter(brand=brand, type="maintenance", status__in=sorted(OPEN_STATUSES),
                                      product_id__in=reminded).order_by("pk").first())
    if order is None:
        return 0
    reminder = Reminder.objects.filter(brand=brand, status=ReminderStatus.SENT,
                                       schedule__product_id=order.product_id).order_by("pk").first()
    return Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.SENT).update(
        status=ReminderStatus.BOOKED, work_order=order, acted_at=now)
