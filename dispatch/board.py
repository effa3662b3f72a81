"""The dispatcher board as plain rows for the templates: technician lanes on the day's timeline, the queue.

Positions are percentages of the timeline (``FIRST_HOUR`` to ``LAST_HOUR``, widened to every block drawn),
computed here so the template only prints them: a board of 60 lanes and 600 jobs renders as one pass over
prepared dicts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count

from core.geo.gazetteer import DISTRICT, Gazetteer
from dispatch import gather, planning, travel
from dispatch import reasons as say
from dispatch.day import Schedule, Timed
from dispatch.services import time_stops
from network.models import Region, Technician
from workorders.choices import OPEN_STATUSES, Status, WorkOrderType
from workorders.models import WorkOrder
from workorders.sla_state import sla_state_of

FIRST_HOUR = 7
LAST_HOUR = 21
SLA_ORDER = {"breached": 0, "at_risk": 1, "ok": 2, "": 3}


@dataclass(frozen=True)
class Span:
    """The timeline's hours: 07:00 to 21:00, widened to take in every block (a job at 23:30 is drawn, not cut)."""

    first: int = FIRST_HOUR
    last: int = LAST_HOUR

    @property
    def seconds(self) -> int:
        return (self.last - self.first) * 3600

    def pct(self, seconds: int) -> float:
        return round(min(max(seconds - self.first * 3600, 0), self.seconds) * 100 / self.seconds, 3)

    def place(self, start: int, end: int) -> str:
        """The block's inline style, written here: a template would localise the decimal point."""
        width = round(max(self.pct(end) - self.pct(start), 0.25), 3)
        return f"left:{self.pct(start):.3f}%;width:{width:.3f}%"

    def hours(self) -> list[dict]:
        return [{"label": say.clock(h * 3600), "style": f"left:{self.pct(h * 3600):.3f}%"}
                for h in range(self.first, self.last)]


def span_of(lanes: Sequence[dict]) -> Span:
    edges = [edge for lane in lanes for b in lane["blocks"] for edge in (b["start"], b["end"])]
    if not edges:
        return Span()
    return Span(first=min(FIRST_HOUR, max(0, min(edges)) // 3600), last=max(LAST_HOUR, -(-max(edges) // 3600)))


def _styled(lanes: list[dict], extra: Sequence[int] = ()) -> tuple[list[dict], Span]:
    span = span_of(lanes)
    for lane in lanes:
        for b in lane["blocks"]:
            b["style"] = span.place(b["start"], b["end"])
        lane["shift_style"] = span.place(*lane["shift_span"]) if lane["shift_span"] else ""
    return lanes, span


def hours() -> list[dict]:
    return Span().hours()


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
    outside = 0
    for timed in schedule.stops:
        job = job_view(rows[timed.key], clk)
        if schedule.lunch and free_from <= schedule.lunch[0] < timed.start:
            free_from = schedule.lunch[1]
        if timed.travel:
            # Drawn as the technician would drive: leaving as late as the next start allows.
            begin = max(timed.start - timed.travel, free_from)
            blocks.append({"kind": "travel", "start": begin, "end": max(timed.start, begin + 60),
                           "title": say.span(timed.travel)})
        free_from = timed.end
        off_shift = shift is None or timed.start < shift[0] or timed.end > shift[1]
        outside += off_shift
        blocks.append({"kind": "job", "start": timed.start, "end": timed.end, "job": job,
                       "from": say.clock(timed.start), "to": say.clock(timed.end), "moved": timed.key in moved,
                       "late": schedule.problem_at == timed.key or off_shift})
    if schedule.lunch:
        blocks.append({"kind": "lunch", "start": schedule.lunch[0], "end": schedule.lunch[1],
                       "title": f"{say.clock(schedule.lunch[0])}–{say.clock(schedule.lunch[1])}"})
    off = shift is None
    return {
        "id": tech["pk"], "name": tech["name"], "outlet_id": tech["outlet_id"], "blocks": blocks,
        "load": len(schedule.stops), "capacity": tech["daily_capacity"], "off": off,
        "over_capacity": len(schedule.stops) > tech["daily_capacity"], "outside_shift": outside,
        "shift_span": None if off else shift,
        "shift": "" if off else f"{say.clock(shift[0])}–{say.clock(shift[1])}",
        "travel": say.span(schedule.travel), "problem": schedule.problem,
    }


def placed_schedule(tech_id: int, stops: Sequence, rows: dict[int, dict], clk: gather.Clock) -> Schedule | None:
    """The day as its visits were written (an applied plan's times, an assignment's), when every job of it has a
    visit on this technician's day; else None (the board times the day itself)."""
    timed = []
    for stop in stops:
        row = rows[stop.key]
        if row.get("visit__technician_id") != tech_id or row.get("visit__day") != clk.day \
                or row.get("visit__planned_start") is None or row.get("visit__planned_end") is None:
            return None
        start, end = clk.seconds(row["visit__planned_start"]), clk.seconds(row["visit__planned_end"])
        travel_s = row.get("visit__travel_seconds") or 0
        timed.append(Timed(stop.key, start, start, end, travel_s, 0))
    timed.sort(key=lambda t: (t.start, t.key))
    return Schedule(stops=tuple(timed), lunch=_lunch_between(timed), back=timed[-1].end if timed else 0,
                    back_travel=(0, 0), travel=sum(t.travel for t in timed), metres=0)


def _lunch_between(timed: Sequence[Timed]) -> tuple[int, int] | None:
    """Where lunch fits among stored times: the first free stretch that opens inside the lunch window."""
    the_lunch = gather.lunch()
    if the_lunch is None or not timed:
        return None
    gaps = [(0, timed[0].start - timed[0].travel)]
    gaps += [(a.end, b.start - b.travel) for a, b in zip(timed, timed[1:], strict=False)]
    gaps.append((timed[-1].end, 86400))
    for low, high in gaps:
        begin = max(low, the_lunch.window[0])
        if begin <= the_lunch.window[1] and begin + the_lunch.duration <= high:
            return begin, begin + the_lunch.duration
    return None


@dataclass(frozen=True)
class QueueFilter:
    """What the dispatcher narrows the queue to: words found in the number, customer, district, product or
    address (all of them), and a service type."""

    text: str = ""
    type: str = ""

    def keeps(self, job: dict) -> bool:
        if self.type and job["type"] != self.type:
            return False
        hay = " ".join(str(job.get(k) or "") for k in ("number", "customer", "district", "product", "address",
                                                          "type_label")).casefold()
        return all(word in hay for word in self.text.casefold().split())


def _district(adcode: str, address: str) -> str:
    """The site's district: from its division code when it has one, else the first district its address names."""
    places = Gazetteer.shared()
    division = places.by_code.get(adcode or "")
    if division is not None and division.level == DISTRICT:
        return division.name
    for match in places.scan(address or ""):
        found = next((d for d in match.divisions if d.level == DISTRICT), None)
        if found is not None:
            return found.name
    return ""


def queue_details(ids: Sequence[int]) -> dict[int, dict]:
    """What a queue card says beyond the job itself: customer, district, product (one query)."""
    found = {}
    for row in WorkOrder.objects.filter(pk__in=list(ids)).values(
            "pk", "customer__name", "site__address", "site__geo_adcode", "product__product_model__name"):
        found[row["pk"]] = {"customer": row["customer__name"] or "", "address": row["site__address"] or "",
                            "district": _district(row["site__geo_adcode"], row["site__address"]),
                            "product": row["product__product_model__name"] or ""}
    return found


def board(data: planning.DayData, provider=None, *, queue_filter: QueueFilter = QueueFilter()) -> dict:
    provider = provider or travel.provider()
    clk = data.clock
    rows = {r["pk"]: r for r in data.jobs}
    lanes = []
    for tech in sorted(data.techs, key=lambda t: (data.outlets[t["outlet_id"]]["name"], t["name"], t["pk"])):
        day = data.days[tech["pk"]]
        schedule = placed_schedule(tech["pk"], day.stops, rows, clk) if day.stops else None
        if schedule is None:
            schedule = time_stops(day, day.stops, provider, data.scope.region_code)
        lanes.append(lane_view(tech, schedule, rows, clk, gather.shift_of(tech["working_hours"], clk.day)))
    lanes, span = _styled(lanes)
    waiting = [job_view(r, clk) for r in data.queue]
    details = queue_details([j["id"] for j in waiting])
    for job in waiting:
        job.update(details.get(job["id"], {}), type_label=WorkOrderType(job["type"]).label
                   if job["type"] in WorkOrderType.values else job["type"])
    queue = sorted((j for j in waiting if queue_filter.keeps(j)),
                   key=lambda j: (SLA_ORDER.get(j["sla"], 3), j["window"] or "99", j["id"]))
    now = f"left:{span.pct(clk.not_before):.3f}%" if clk.is_today else ""
    return {"lanes": lanes, "queue": queue, "waiting": len(waiting), "hours": span.hours(), "now_style": now,
            "outlets": {pk: o["name"] for pk, o in data.outlets.items()},
            "jobs_on_lanes": sum(lane["load"] for lane in lanes), "fingerprint": fingerprint(data.scope, clk)}


def proposed(preview: planning.Preview, data: planning.DayData, provider=None) -> dict:
    """The plan's lanes, drawn like the board's, jobs that move marked: {"lanes", "hours"}."""
    clk = data.clock
    rows = {r["pk"]: r for r in (*data.jobs, *data.new)}
    lanes = []
    for tech in sorted(data.techs, key=lambda t: (data.outlets[t["outlet_id"]]["name"], t["name"], t["pk"])):
        if tech["pk"] in preview.routes:
            stops = preview.routes[tech["pk"]]
            timed = tuple(Timed(s.order_id, s.arrival, s.start, s.end, s.travel, 0) for s in stops)
            schedule = Schedule(stops=timed, lunch=preview.lunches.get(tech["pk"]), back=0, back_travel=(0, 0),
                                travel=sum(s.travel for s in stops), metres=0)
            moved = frozenset(s.order_id for s in stops if s.moved)
        else:
            # Not in the plan: the day stays as it is (kept, off, or emptied: its jobs move or go back).
            day = data.days[tech["pk"]]
            kept = tuple(s for s in day.stops if s.key in preview.kept)
            schedule = placed_schedule(tech["pk"], kept, rows, clk) if kept else None
            if schedule is None:
                schedule = time_stops(day, kept, provider or travel.provider(), data.scope.region_code)
            moved = frozenset()
        lanes.append(lane_view(tech, schedule, rows, clk, gather.shift_of(tech["working_hours"], clk.day),
                               moved=moved))
    lanes, span = _styled(lanes)
    return {"lanes": lanes, "hours": span.hours()}


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


# Today is the default day while some technician's shift has at least this much left: less is too short to start
# new work (the way there and a job of half an hour or more), and the dispatcher plans the next day instead.
WORK_LEFT = 7200


def default_day(brand_id: int, now=None) -> dt.date:
    """The board's day when none is asked for: today while someone still has two hours of shift left, else the
    next day someone works (after hours the dispatcher plans tomorrow; an empty evening board shows nothing)."""
    clk = gather.clock(None, now)
    hours = list(Technician.objects.filter(outlet__brand_id=brand_id, is_active=True)
                 .values_list("working_hours", flat=True))
    shift_ends = [s[1] for s in (gather.shift_of(h, clk.day) for h in hours) if s is not None]
    if any(end - WORK_LEFT >= clk.not_before for end in shift_ends):
        return clk.day
    for ahead in range(1, 8):
        day = clk.day + dt.timedelta(days=ahead)
        if any(gather.shift_of(h, day) is not None for h in hours):
            return day
    return clk.day


def busiest_region(brand_id: int, user, clk: gather.Clock) -> int | None:
    """The default region of a brand dispatcher's board: the one with the most open orders that day."""
    regions = Region.objects.visible_to(user).filter(outlets__isnull=False).distinct()
    counts = dict(WorkOrder.objects.filter(brand_id=brand_id, status__in=sorted(OPEN_STATUSES),
                                           region_id__in=regions.values("pk")).filter(gather.on_the_day(clk))
                  .order_by().values("region_id").annotate(n=Count("pk")).values_list("region_id", "n"))
    if counts:
        return max(sorted(counts), key=lambda pk: counts[pk])
    first = regions.order_by("code").values_list("pk", flat=True).first()
    return first
