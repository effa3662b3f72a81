"""Usage rates from the devices' readings, set-based (the periodic job of maintenance/tasks.py).

For every active schedule whose rule (or plan) counts litres or running hours, the unit's cumulative meter
over the last ``USAGE_WEEKS`` weeks gives its rate a day (first to last reading), its value now and the day it
was read; the meter at the last replacement comes from the readings by that day when it was not recorded.
One grouped query over the readings, one over the schedules, and bulk updates of what changed: running it
twice changes nothing the second time, and two at once write the same values.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Min, Q
from django.utils import timezone

from core.dates import brand_tz
from integrations.choices import Metric
from integrations.models import UsageReading
from maintenance.forecast import rate
from maintenance.models import Schedule
from maintenance.schedules import BATCH, forecast_of, meters_on

USAGE_WEEKS = 4
METERS = {Metric.LITRES_FILTERED: "litres", Metric.RUNNING_HOURS: "hours"}
FIELDS = ["litres_per_day", "hours_per_day", "litres_now", "hours_now", "read_on", "litres_at_last",
          "hours_at_last", "due_on", "due_by"]


def metered() -> Q:
    return (Q(rule__litres__isnull=False) | Q(rule__hours__isnull=False) | Q(plan__interval_litres__isnull=False)
            | Q(plan__interval_hours__isnull=False))


def usage_stats(*, product_ids, since: dt.datetime, until: dt.datetime) -> dict[int, dict[str, tuple]]:
    """Per product and meter: (rate a day or None, the value now, the day it was read)."""
    rows = (UsageReading.objects.filter(metric__in=list(METERS), read_at__gte=since, read_at__lte=until,
                                        product_id__in=product_ids)
            .values("product_id", "metric").order_by()
            .annotate(first=Min("value"), last=Max("value"), first_at=Min("read_at"), last_at=Max("read_at")))
    stats: dict[int, dict[str, tuple]] = {}
    for row in rows:
        per_day = rate(first=row["first"], last=row["last"], first_at=row["first_at"], last_at=row["last_at"])
        read_on = timezone.localtime(row["last_at"], brand_tz()).date()
        stats.setdefault(row["product_id"], {})[METERS[row["metric"]]] = (per_day, row["last"], read_on)
    return stats


def refresh_usage(*, now: dt.datetime | None = None, weeks: int = USAGE_WEEKS) -> int:
    """Refresh the usage rates and meters of the metered schedules, and their due dates; returns how many
    schedules changed."""
    now = now or timezone.now()
    schedules = Schedule.objects.filter(metered(), is_active=True)
    stats = usage_stats(product_ids=schedules.values("product_id"), since=now - dt.timedelta(weeks=weeks),
                        until=now)
    if not stats:
        return 0
    changed: list[Schedule] = []
    count = 0
    rows = (schedules.filter(product_id__in=list(stats)).select_related("rule", "plan", "contract", "product")
            .order_by("pk").iterator(chunk_size=BATCH))
    for schedule in rows:
        before = tuple(getattr(schedule, name) for name in FIELDS)
        for meter, (per_day, value, read_on) in stats[schedule.product_id].items():
            if per_day is not None:
                setattr(schedule, f"{meter}_per_day", per_day)
            setattr(schedule, f"{meter}_now", value)
            schedule.read_on = read_on
        if schedule.last_done_on is not None and (schedule.litres_at_last is None and schedule.hours_at_last is None):
            then = meters_on(product_id=schedule.product_id, day=schedule.last_done_on)
            schedule.litres_at_last, schedule.hours_at_last = then["litres"], then["hours"]
        result = forecast_of(schedule)
        schedule.due_on, schedule.due_by = result.due_on, result.due_by
        if tuple(getattr(schedule, name) for name in FIELDS) != before:
            changed.append(schedule)
        if len(changed) >= BATCH:
            count += _store(changed)
            changed = []
    return count + _store(changed)


def _store(changed: list[Schedule]) -> int:
    if changed:
        Schedule.objects.bulk_update(changed, FIELDS, batch_size=BATCH)
    return len(changed)
