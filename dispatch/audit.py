"""The day as written, checked from the database alone: no job outside its technician's shift, its booked
window or the technician's capacity, no two jobs at once.

Shares nothing with the optimiser or with dispatch.day's timing: it reads the orders, their planned visits and
the technicians' rosters, and tests each rule on the stored times. Applying a plan runs it on the days it wrote
(and refuses the plan if it finds anything); tests run it after every applied plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from dispatch import gather
from dispatch.models import Visit
from network.models import Technician
from workorders.models import WorkOrder


@dataclass(frozen=True)
class Violation:
    technician_id: int
    order_id: int | None
    rule: str  # capacity, shift, window, overlap, unplaced
    detail: str

    def __str__(self) -> str:
        return f"technician {self.technician_id}, order {self.order_id}: {self.rule} ({self.detail})"


def day_violations(technician_ids: Iterable[int], day: dt.date, *, now: dt.datetime | None = None) -> list[Violation]:
    clk = gather.clock(day, now)
    found: list[Violation] = []
    techs = {t.pk: t for t in Technician.objects.filter(pk__in=list(technician_ids))}
    orders = WorkOrder.objects.filter(technician_id__in=list(techs), status__in=list(gather.ON_A_TECHNICIANS_DAY)) \
        .filter(gather.on_the_day(clk))
    visits = {v.work_order_id: v for v in Visit.objects.filter(work_order__in=orders)}
    mine: dict[int, list] = {}
    for order in orders.order_by("pk"):
        mine.setdefault(order.technician_id, []).append(order)
    for tech_id, tech in techs.items():
        jobs = mine.get(tech_id, [])
        if len(jobs) > tech.daily_capacity:
            found.append(Violation(tech_id, None, "capacity", f"{len(jobs)} jobs of {tech.daily_capacity}"))
        shift = gather.shift_of(tech.working_hours, day)
        placed = []
        for order in jobs:
            visit = visits.get(order.pk)
            if visit is None or visit.technician_id != tech_id or visit.day != day:
                found.append(Violation(tech_id, order.pk, "unplaced", "no visit on this technician's day"))
                continue
            start, end = clk.seconds(visit.planned_start), clk.seconds(visit.planned_end)
            placed.append((start, end, order.pk))
            if shift is None:
                found.append(Violation(tech_id, order.pk, "shift", "the technician is off that day"))
            elif start < shift[0] or end > shift[1]:
                found.append(Violation(tech_id, order.pk, "shift", f"{start}-{end} outside {shift}"))
            started = order.status == "on_site"
            passed = clk.is_today and order.slot_end is not None and order.slot_end < clk.now
            if order.slot_start is not None and not started and not passed and order.slot_start >= clk.start_utc:
                low, high = clk.seconds(order.slot_start), clk.seconds(order.slot_end)
                if not low <= start <= high:
                    found.append(Violation(tech_id, order.pk, "window", f"starts {start}, window {low}-{high}"))
        placed.sort()
        for (_s1, e1, a), (s2, _e2, b) in zip(placed, placed[1:], strict=False):
            if s2 < e1:
                found.append(Violation(tech_id, b, "overlap", f"starts before order {a} ends"))
    return found
