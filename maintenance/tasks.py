"""Background work of maintenance (STYLE.md §8): idempotent, safe to run twice and in two processes at once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from customers.models import InstalledProduct
from maintenance.models import ConsumableRule, Schedule
from maintenance.reminders import send_reminders
from maintenance.schedules import ensure_schedules, recompute
from maintenance.usage import refresh_usage
from maintenance.visits import order_due_visits

# Units added or changed within this window get their consumable schedules at the next pass.
NEW_UNITS = dt.timedelta(days=2)


@task()
def order_contract_visits(today: str | None = None) -> dict[str, int]:
    """The periodic job (settings.PERIODIC_TASKS): contract visits due within the next weeks become maintenance
    orders (maintenance/visits.py); ``today`` (ISO date) only for tests and replays."""
    return order_due_visits(today=dt.date.fromisoformat(today) if today else None)


@task()
def refresh_schedules(now: str | None = None) -> dict[str, int]:
    """Schedules for units added lately (set-based, per brand with rules), then the usage rates and due dates
    from the devices' readings (settings.PERIODIC_TASKS)."""
    at = dt.datetime.fromisoformat(now) if now else timezone.now()
    created = 0
    for brand_id in ConsumableRule.objects.filter(is_active=True).values_list("brand_id", flat=True).distinct():
        recent = InstalledProduct.objects.filter(brand_id=brand_id, updated_at__gte=at - NEW_UNITS)
        created += ensure_schedules(products=recent, brand_id=brand_id)
    return {"created": created, "refreshed": refresh_usage(now=at)}


@task()
def send_due_reminders(now: str | None = None) -> dict[str, int]:
    """The reminder job (maintenance/reminders.py) on what falls due now (settings.PERIODIC_TASKS)."""
    run = send_reminders(now=dt.datetime.fromisoformat(now) if now else None)
    return {"reminders": run.reminders, "events": run.events}


@task()
def apply_consumable_rules(brand_id: int) -> dict[str, int]:
    """A brand changed its consumable rules: every unit of the brand gets the schedules the rules now give
    (a new rule covers the installed base, not only units added later), and every schedule's due date follows
    the rule's new months or litres. Set-based and idempotent: a second run creates and changes nothing."""
    created = ensure_schedules(brand_id=brand_id)
    changed = recompute(Schedule.objects.filter(brand_id=brand_id, rule__isnull=False))
    return {"created": created, "changed": changed}


def consumable_rules_changed(brand_id: int) -> None:
    """Apply a brand's rule change once the change is committed (the admin and any editor call this)."""
    transaction.on_commit(lambda: apply_consumable_rules.enqueue(brand_id))
