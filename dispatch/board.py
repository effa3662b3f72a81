"""The dispatcher board as plain rows for the templates: technician lanes on the day's timeline, the queue.

Positions are percentages of the timeline (``FIRST_HOUR`` to ``LAST_HOUR``), computed here so the template
only prints them: a board of 60 lanes and 600 jobs renders as one pass over prepared dicts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.db.models import Count

from dispatch import gather, planning, travel
from dispatch import reasons as say
from dispatch.day import Schedule
from dispatch.services import time_stops
from workorders.choices import OPEN_STATUSES, Status
from workorders.models import WorkOrder
from workorders.selectors import sla_state_of

FIRST_HOUR = 7
LAST_HOUR = 21
SPAN = (LAST_HOUR - FIRST_HOUR) * 3600
SLA_ORDER = {"breached": 0, "at_risk": 1, "ok": 2, "": 3}


def pct(seconds: int) -> float:
    return round(min(max(seconds - FIRST_HOUR * 3600, 0), SPAN) * 100 / SPAN, 3)


def width(start: int, end: int) -> float:
    return round(max(pct(end) - pct(start), 0.25), 3)


def place(start: int, end: int) -> str:
    """The block's inline style, written here: a template would localise the decimal point."""
    return f"left:{pct(start):.3f}%;width:{width(start, end):.3f}%"


def hours() -> list[dict]:
    return [{"label": f"{h:02d}:00", "style": f"left:{pct(h * 3600):.3f}%"} for h in range(FIRST_HOUR, LAST_HOUR)]


def job_view(row: dict, clk: gather.Clock) -> dict:
    window, passed = gather.window_of(row["slot_start"], row["slot_end"], clk)
    sla = sla_state_of(row["status"], row["onsite_due"], row["arrived_at"], clk.now)
    return {
        "id": row["pk"], "number": row["number"], "version": row["version"], "status": row["status"],
        "type": row["type"], "priority": row["priority"], "sla": sla,
        "window": f"{say.clock(window[0])}–{say.clock(window[1])}" if window else "",
        "passed": passed, "minutes": row["minutes"] or 0, "technician_id": row["technician_id"],
        "movable": row["status"] in (Status.NEW, Status.ASSIGNED, Status.DISPATCHED),
    }


def lane_view(tech: dict, schedule: Schedule, rows: dict[int, dict], clk: gather.Clock, shift, *,
              moved: frozenset[int] = frozenset()) -> dict:
    blocks = []
    free_from = 0  # where the technician is free to drive on: after the last job, or after lunch
    for timed in schedule.stops:
        job = job_view(rows[timed.key], clk)
        if schedule.lunch and free_from <= schedule.lunch[0] < timed.start:
            free_from = schedule.lunch[1]
        if timed.travel:
            # Drawn as the technician would drive: leaving as late as the next start allows.
            begin = max(timed.start - timed.travel, free_from)
            blocks.append({"kind": "travel", "style": place(begin, max(timed.start, begin + 60)),
                           "title": say.span(timed.travel)})
        free_from = timed.end
        blocks.append({"kind": "job", "style": place(timed.start, timed.end), "job": job,
                       "from": say.clock(timed.start), "to": say.clock(timed.end), "moved": timed.key in moved,
                       "late": schedule.problem_at == timed.key})
    if schedule.lunch:
        blocks.append({"kind": "lunch", "style": place(*schedule.lunch),
                       "title": f"{say.clock(schedule.lunch[0])}–{say.clock(schedule.lunch[1])}"})
    off = shift is None
    return {
        "id": tech["pk"], "name": tech["name"], "outlet_id": tech["outlet_id"], "blocks": blocks,
        "load": len(schedule.stops), "capacity": tech["daily_capacity"], "off": off,
        "shift_style": "" if off else place(*shift),
        "shift": "" if off else f"{say.clock(shift[0])}–{say.clock(shift[1])}",
        "travel": say.span(schedule.travel), "problem": schedule.problem,
    }


def board(data: planning.DayData, provider=None) -> dict:
    provider = provider or travel.provider()
    clk = data.clock
    rows = {r["pk"]: r for r in data.jobs}
    lanes = []
    for tech in sorted(data.techs, key=lambda t: (data.outlets[t["outlet_id"]]["name"], t["name"], t["pk"])):
        day = data.days[tech["pk"]]
        schedule = time_stops(day, day.stops, provider, data.scope.region_code)
        lanes.append(lane_view(tech, schedule, rows, clk, gather.shift_of(tech["working_hours"], clk.day)))
    queue = sorted((job_view(r, clk) for r in data.queue),
                   key=lambda j: (SLA_ORDER.get(j["sla"], 3), j["window"] or "99", j["id"]))
    now = f"left:{pct(clk.not_before):.3f}%" if clk.is_today else ""
    return {"lanes": lanes, "queue": queue, "hours": hours(), "now_style": now,
            "outlets": {pk: o["name"] for pk, o in data.outlets.items()},
            "jobs_on_lanes": sum(lane["load"] for lane in lanes), "fingerprint": fingerprint(data.scope, clk)}


def proposed(preview: planning.Preview, data: planning.DayData, provider=None) -> list[dict]:
    """The plan's lanes, drawn like the board's, jobs that move marked."""
    from dispatch.day import Schedule, Timed

    clk = data.clock
    rows = {r["pk"]: r for r in (*data.jobs, *data.new)}
    lanes = []
    for tech in sorted(data.techs, key=lambda t: (data.outlets[t["outlet_id"]]["name"], t["name"], t["pk"])):
        stops = preview.routes.get(tech["pk"], ())
        timed = tuple(Timed(s.order_id, s.arrival, s.start, s.end, s.travel, 0) for s in stops)
        schedule = Schedule(stops=timed, lunch=preview.lunches.get(tech["pk"]), back=0, back_travel=(0, 0),
                            travel=sum(s.travel for s in stops), metres=0)
        lanes.append(lane_view(tech, schedule, rows, clk, gather.shift_of(tech["working_hours"], clk.day),
                               moved=frozenset(s.order_id for s in stops if s.moved)))
    return lanes


def fingerprint(scope: planning.Scope, clk: gather.Clock) -> str:
    """What the board shows changes only with these: the polled partial compares them (two light queries)."""
    parts: list[Sequence] = []
    if scope.outlet_ids:
        parts += WorkOrder.objects.filter(outlet_id__in=scope.outlet_ids, status__in=list(gather.WITH_OUTLET)).filter(
            gather.on_the_day(clk)).order_by("pk").values_list("pk", "version", "visit__planned_start",
                                                                "visit__technician_id")
    if scope.region_ids:
        parts += WorkOrder.objects.filter(brand_id=scope.brand_id, status=Status.NEW,
                                          region_id__in=scope.region_ids).filter(
            gather.on_the_day(clk)).order_by("pk").values_list("pk", "version")
    minute = clk.now.replace(second=0, microsecond=0).isoformat() if clk.is_today else ""
    # The SLA colours move with the clock: a new fingerprint every ten minutes of today.
    text = repr((parts, minute[:15]))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def busiest_region(brand_id: int, user, clk: gather.Clock) -> int | None:
    """The default region of a brand dispatcher's board: the one with the most open orders that day."""
    from network.models import Region

    regions = Region.objects.visible_to(user).filter(outlets__isnull=False).distinct()
    counts = dict(WorkOrder.objects.filter(brand_id=brand_id, status__in=sorted(OPEN_STATUSES),
                                           region_id__in=regions.values("pk")).filter(gather.on_the_day(clk))
                  .order_by().values("region_id").annotate(n=Count("pk")).values_list("region_id", "n"))
    if counts:
        return max(sorted(counts), key=lambda pk: counts[pk])
    first = regions.order_by("code").values_list("pk", flat=True).first()
    return first
