"""The day's plan for an outlet or a region: the optimiser's problem built from the database, its answer
compared with the day as it stands, and the moves that would apply it (dispatch.services.apply_plan).

The problem: every active technician on shift that day (home start and end, the outlet's place when
no home is on file, lunch, the skills held with a current certificate where one is on file), every
open job of the day in scope (the customer's window, the standard minutes for the model and service
type, a priority from the SLA). Rules that are not time become skills the optimiser matches:
``skill:<id>`` the required skill; ``cat:<id>`` the outlet's authorisation for the category; ``region:<id>``
an outlet serving the region (orders still with the brand); ``outlet:<id>`` an order already with an
outlet stays there; ``in-house`` complex or high-value jobs when the brand's rule says only in-house.
Jobs accepted or started are pinned to their technician; the one on site opens the route.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.choices import OrgKind, OutletType
from accounts.models import Organisation
from accounts.principal import Principal
from catalog.models import ProductModel
from catalog.standards import Standard
from core.errors import InvalidInput, NotFound
from dispatch import conf, gather, masters, travel
from dispatch import reasons as say
from dispatch.candidates import Reason, Rule
from dispatch.day import Point
from dispatch.services import Move, time_stops
from network.models import Certification, Region
from network.models import Technician as TechnicianModel
from workorders.choices import Priority, SlaState, Status
from workorders.sla_state import sla_state_of

S = Status
BASE_PRIORITY = {Priority.URGENT: 60, Priority.HIGH: 40, Priority.NORMAL: 20, Priority.LOW: 0}
SLA_BONUS = {SlaState.BREACHED: 40, SlaState.AT_RISK: 30}
DUE_TODAY_BONUS = 15


class PlanFailed(InvalidInput):
    code = "plan_invalid"
    default_message = _("The day could not be planned.")


@dataclass(frozen=True)
class Scope:
    brand_id: int
    outlet_ids: tuple[int, ...]
    region_ids: tuple[int, ...]  # orders still with the brand are taken from these regions
    region_code: str  # for travel speeds
    outlet_id: int | None = None
    region_id: int | None = None


def scope_for(principal: Principal, user, *, outlet_id: int | None = None, region_id: int | None = None) -> Scope:
    """What this dispatcher plans: outlet staff their outlet; brand staff an outlet or a region of theirs (404)."""
    outlets = Organisation.objects.visible_to(user).filter(kind=OrgKind.OUTLET, is_active=True)
    if principal.outlet_id is not None:
        outlet_id, region_id = principal.outlet_id, None
    if outlet_id is not None:
        outlet = outlets.filter(pk=outlet_id).first()
        if outlet is None:
            raise NotFound()
        regions = list(Region.objects.filter(outlets=outlet, brand_id=principal.brand_id).values_list("pk", "code"))
        brand_side = () if principal.outlet_id is not None else tuple(pk for pk, _code in regions)
        return Scope(brand_id=principal.brand_id, outlet_ids=(outlet.pk,), region_ids=brand_side,
                     region_code=regions[0][1] if regions else "", outlet_id=outlet.pk)
    if region_id is None:
        raise InvalidInput(_("Choose an outlet or a region."), field="region_id")
    region = Region.objects.visible_to(user).filter(pk=region_id).first()
    if region is None:
        raise NotFound()
    ids = tuple(outlets.filter(service_regions=region).order_by("pk").values_list("pk", flat=True))
    return Scope(brand_id=principal.brand_id, outlet_ids=ids, region_ids=(region.pk,), region_code=region.code,
                 region_id=region.pk)


KEEP_DISPATCHED_BONUS = 25  # already promised to a technician: moved, but kept on someone's day first


def priority_of(row: dict, clk: gather.Clock) -> int:
    """0..100 for the optimiser: accepted or started jobs are never the ones left out; then the SLA decides."""
    if row["status"] in gather.PINNED:
        return 100
    value = BASE_PRIORITY.get(row["priority"], 20)
    if row["status"] == S.DISPATCHED:
        value += KEEP_DISPATCHED_BONUS
    state = sla_state_of(row["status"], row["onsite_due"], row["arrived_at"], clk.now)
    if state in SLA_BONUS:
        value += SLA_BONUS[state]
    elif row["onsite_due"] is not None and row["onsite_due"] < clk.end:
        value += DUE_TODAY_BONUS
    return min(100, value)


@dataclass
class DayData:
    """Everything about the scope's day, read once: the board and the plan both start here."""

    scope: Scope
    clock: gather.Clock
    outlets: dict[int, dict]
    techs: list[dict]
    jobs: list[dict]  # with an outlet
    new: list[dict]  # still with the brand
    days: dict[int, gather.TechDay]
    rule: Rule

    @property
    def queue(self) -> list[dict]:
        return [*self.new, *(r for r in self.jobs if r["status"] == S.ASSIGNED)]


def day_data(scope: Scope, clk: gather.Clock) -> DayData:
    outlets = {o["pk"]: o for o in gather.outlets_serving(scope.brand_id, None, None, only=scope.outlet_ids)}
    techs = gather.technicians_of(list(outlets))
    jobs = gather.day_jobs(scope.brand_id, list(outlets), clk)
    new = gather.new_jobs(scope.brand_id, scope.region_ids, clk) if scope.region_ids else []
    return DayData(scope=scope, clock=clk, outlets=outlets, techs=techs, jobs=jobs, new=new,
                   days=gather.tech_days(techs, jobs, outlets, clk), rule=gather.rule_of(scope.brand_id))


# --- the optimiser's problem -----------------------------------------------------------------------

@dataclass
class DayProblem:
    problem: Any  # dispatch.optimiser.Problem
    data: DayData
    jobs: dict[str, dict]  # optimiser job id -> order row
    techs: dict[str, dict]  # optimiser technician id -> technician row
    left_out: list[tuple[int, Reason]] = field(default_factory=list)  # orders not given to the optimiser
    travel_note: str = ""


def _skills(data: DayData) -> dict[int, frozenset[str]]:
    """Each technician's skills for the optimiser: skills held (certificate current where one is on file),
    the outlet's categories and regions, the outlet itself, in-house."""
    tech_ids = [t["pk"] for t in data.techs]
    held: dict[int, set[int]] = {}
    for tech_id, skill_id in TechnicianModel.skills.through.objects.filter(technician_id__in=tech_ids).values_list(
            "technician_id", "skill_id"):
        held.setdefault(tech_id, set()).add(skill_id)
    spans: dict[tuple[int, int], list] = {}
    for tech_id, skill_id, start, end in Certification.objects.filter(technician_id__in=tech_ids).values_list(
            "technician_id", "skill_id", "valid_from", "expires_on"):
        spans.setdefault((tech_id, skill_id), []).append((start, end))
    categories: dict[int, set[int]] = {}
    for outlet_id, category_id in Organisation.authorised_categories.through.objects.filter(
            organisation_id__in=list(data.outlets)).values_list("organisation_id", "productcategory_id"):
        categories.setdefault(outlet_id, set()).add(category_id)
    regions: dict[int, set[int]] = {}
    for outlet_id, region_id in Region.outlets.through.objects.filter(
            organisation_id__in=list(data.outlets)).values_list("organisation_id", "region_id"):
        regions.setdefault(outlet_id, set()).add(region_id)
    found = {}
    for t in data.techs:
        outlet = data.outlets[t["outlet_id"]]
        skills = {f"skill:{s}" for s in held.get(t["pk"], ())
                  if gather.certificate_on(spans.get((t["pk"], s)), data.clock.day) is not False}
        skills |= {f"cat:{c}" for c in categories.get(outlet["pk"], ())}
        skills |= {f"region:{r}" for r in regions.get(outlet["pk"], ())}
        skills.add(f"outlet:{outlet['pk']}")
        if outlet["outlet_type"] == OutletType.OWN:
            skills.add("in-house")
        found[t["pk"]] = frozenset(skills)
    return found


def _required(row: dict, data: DayData, standards: dict) -> frozenset[str]:
    found = standards.get((row["product__product_model_id"], row["type"]))
    skill_id = found.skill_id if found else None
    needs = set()
    if skill_id is not None:
        needs.add(f"skill:{skill_id}")
    if row["product__product_model__category_id"] is not None:
        needs.add(f"cat:{row['product__product_model__category_id']}")
    if row["status"] == S.NEW:
        if row["region_id"] is not None:
            needs.add(f"region:{row['region_id']}")
    elif row["outlet_id"] is not None:
        needs.add(f"outlet:{row['outlet_id']}")
    rule = data.rule
    price = row.get("list_price")
    complex_ = (row["minutes"] or 0) >= rule.complex_minutes or (price is not None and price >= rule.high_value_price)
    if rule.mode == "require" and complex_:
        needs.add("in-house")
    return frozenset(needs)


def _add_list_prices(rows: Sequence[dict]) -> None:
    """Each job row gets its product model's list price (what a missed job would cost the brand)."""
    models = {r["product__product_model_id"] for r in rows if r["product__product_model_id"] is not None}
    prices = dict(ProductModel.objects.filter(pk__in=models).values_list("pk", "list_price"))
    for r in rows:
        r["list_price"] = prices.get(r["product__product_model_id"])


def _optimiser() -> ModuleType:
    """dispatch.optimiser, loaded the first time a day is planned."""
    # Call-time on purpose: its solvers (pyvrp, vroom) take seconds to load and only planning needs them;
    # the board and the ranking, which import this module, never do.
    import dispatch.optimiser

    return dispatch.optimiser


def build_problem(data: DayData, provider, *, frozen: frozenset[int] = frozenset()) -> DayProblem:
    """The optimiser's problem; ``frozen`` technicians (and the jobs on their days) are left as they are."""
    optimiser = _optimiser()
    Break, Job, Problem, Technician = optimiser.Break, optimiser.Job, optimiser.Problem, optimiser.Technician  # noqa: N806

    clk = data.clock
    skills = _skills(data)
    the_lunch = gather.lunch()
    rows = [*data.new, *data.jobs]
    _add_list_prices(rows)
    standards: dict[tuple[int, str], Standard] = masters.standards(data.scope.brand_id)
    points: list[Point] = []
    techs, tech_rows = [], {}
    for t in data.techs:
        day = data.days[t["pk"]]
        shift = gather.shift_of(t["working_hours"], clk.day)
        if shift is None or day.home is None or t["pk"] in frozen:
            continue
        start = max(shift[0], clk.not_before)
        if start >= shift[1]:
            continue
        breaks = ()
        if the_lunch is not None and start <= the_lunch.window[0] \
                and the_lunch.window[1] + the_lunch.duration <= shift[1]:
            breaks = (Break(window=the_lunch.window, duration=the_lunch.duration),)
        key = f"t{t['pk']}"
        techs.append(Technician(id=key, start_location=len(points), shift=(start, shift[1]), skills=skills[t["pk"]],
                                breaks=breaks, max_jobs=t["daily_capacity"]))
        tech_rows[key] = t
        points.append(day.home)
    jobs, job_rows, left_out = [], {}, []
    started_by: set[str] = set()
    for row in rows:
        if row["technician_id"] in frozen and row["status"] in gather.ON_A_TECHNICIANS_DAY:
            left_out.append((row["pk"], Reason("technician_day_kept")))
            continue
        where = gather.point(row["site_lat"], row["site_lon"])
        if where is None and row["outlet_id"] in data.outlets:
            outlet = data.outlets[row["outlet_id"]]
            where = gather.point(outlet["latitude"], outlet["longitude"])
        if where is None:
            left_out.append((row["pk"], Reason("site_without_coordinates")))
            continue
        stop = gather.job_stop(row, clk)
        pinned = f"t{row['technician_id']}" if row["status"] in gather.PINNED else None
        if pinned is not None and pinned not in tech_rows:
            left_out.append((row["pk"], Reason("technician_not_working")))
            continue
        started = stop.started and pinned not in started_by
        if started:
            started_by.add(pinned)
        key = f"o{row['pk']}"
        jobs.append(Job(id=key, location=len(points), duration=stop.duration,
                        windows=(stop.window,) if stop.window else (), skills=_required(row, data, standards),
                        priority=priority_of(row, clk), pinned_to=pinned, started=started))
        job_rows[key] = row
        points.append(where)
    table = provider.table(points, points, region=data.scope.region_code)
    problem = Problem(technicians=techs, jobs=jobs, durations=table.durations, distances=table.distances)
    return DayProblem(problem=problem, data=data, jobs=job_rows, techs=tech_rows, left_out=left_out,
                      travel_note=table.note)


# --- preview: the plan against the day as it stands ----------------------------------------------------

@dataclass(frozen=True)
class Metrics:
    served: int  # jobs on someone's route
    travel: int  # seconds
    metres: int
    late: int  # jobs started after their on-site deadline
    unassigned: int  # jobs waiting in the queue (not on anyone's day)
    overrun: int = 0  # technicians whose day ends after their shift
    kept: int = 0  # jobs on a technician's day that the plan cannot fit: applying leaves them where they are

    @property
    def travel_per_job(self) -> int:
        return round(self.travel / self.served) if self.served else 0


@dataclass(frozen=True)
class PlannedStop:
    order_id: int
    arrival: int
    start: int
    end: int
    travel: int
    moved: bool  # to another technician, or from the queue


@dataclass(frozen=True)
class Preview:
    scope: Scope
    clock: gather.Clock
    routes: dict[int, tuple[PlannedStop, ...]]  # technician id -> stops
    lunches: dict[int, tuple[int, int]]
    unassigned: tuple[tuple[int, str], ...]  # (order id, why)
    kept: frozenset[int]  # of those, the ones that stay on their technician's day (accepted, or a day left as it is)
    recalls: tuple[Move, ...]  # of those, dispatched jobs the plan leaves out: applying puts them back in the queue
    before: Metrics
    after: Metrics
    moves: tuple[Move, ...]
    seconds: float
    engine: str
    travel_note: str = ""
    fingerprint: str = ""  # the day as planned: applying is refused once it differs (dispatch.services)

    @property
    def moved(self) -> int:
        return sum(s.moved for stops in self.routes.values() for s in stops)


def current_metrics(data: DayData, provider) -> Metrics:
    clk = data.clock
    due = {r["pk"]: gather.due_of(r["onsite_due"], r["slot_end"], clk) for r in data.jobs}
    served = travel_s = metres = late = overrun = 0
    for t in data.techs:
        day = data.days[t["pk"]]
        if not day.stops:
            continue
        schedule = time_stops(day, day.stops, provider, data.scope.region_code)
        overrun += schedule.back > day.shift[1]
        served += len(schedule.stops)
        travel_s += schedule.travel
        metres += schedule.metres
        late += sum(1 for s in schedule.stops if due.get(s.key) is not None and s.start > due[s.key])
    return Metrics(served=served, travel=travel_s, metres=metres, late=late, unassigned=len(data.queue),
                   overrun=overrun)


def plan_metrics(problem: DayProblem, plan) -> Metrics:
    clk = problem.data.clock
    late = 0
    for route in plan.routes:
        for s in route.stops:
            row = problem.jobs[s.job_id]
            due = gather.due_of(row["onsite_due"], row["slot_end"], clk)
            late += due is not None and s.start > due
    out = [problem.jobs[u.job_id] for u in plan.unassigned]
    kept = sum(1 for row in out if row["status"] in gather.ON_A_TECHNICIANS_DAY)
    queued = {r["pk"] for r in problem.data.queue}
    return Metrics(served=plan.served, travel=plan.travel_time, metres=plan.distance or 0, late=late,
                   unassigned=len(out) - kept + sum(1 for pk, _r in problem.left_out if pk in queued), kept=kept)


MAX_FREEZES = 3


def _pinned_out(problem: DayProblem, plan) -> frozenset[int]:
    """Technicians with an accepted or started job the plan could not fit (or could not place at all): their day
    is left exactly as it is, so that the plan never puts other work over a job the technician has said yes to."""
    out = {problem.jobs[u.job_id]["technician_id"] for u in plan.unassigned
           if problem.jobs[u.job_id]["status"] in gather.PINNED}
    planned = {t["pk"] for t in problem.techs.values()}
    rows = {r["pk"]: r for r in (*problem.data.jobs, *problem.data.new)}
    out |= {rows[pk]["technician_id"] for pk, reason in problem.left_out
            if rows[pk]["status"] in gather.PINNED and rows[pk]["technician_id"] in planned}
    return frozenset(out)


def _kept_overruns(data: DayData, routes: dict, kept: frozenset[int], provider) -> int:
    """Days the plan leaves as they are (kept) that end past the shift, or fall on a day off: the proposal says
    so rather than claim every day ends in time."""
    found = 0
    for t in data.techs:
        day = data.days[t["pk"]]
        stops = [s for s in day.stops if s.key in kept]
        if t["pk"] in routes or not stops:
            continue
        off = gather.shift_of(t["working_hours"], data.clock.day) is None
        found += off or time_stops(day, stops, provider, data.scope.region_code).back > day.shift[1]
    return found


def fingerprint(data: DayData) -> str:
    """The day as the plan saw it: every order in scope (version, technician, placement) and every technician's
    shift and capacity. Anything else that changes does not make a plan wrong."""
    orders = sorted((r["pk"], r["version"], r["status"], r["technician_id"], r["visit__technician_id"],
                     str(r["visit__day"]), str(r["visit__planned_start"])) for r in (*data.jobs, *data.new))
    techs = sorted((t["pk"], repr(gather.shift_of(t["working_hours"], data.clock.day)), t["daily_capacity"])
                   for t in data.techs)
    text = repr((data.clock.day.isoformat(), orders, techs))
    return hashlib.sha256(text.encode()).hexdigest()


def preview(scope: Scope, clk: gather.Clock, *, provider=None, time_limit: float | None = None,
            seed: int = 0) -> Preview:
    provider = provider or travel.provider()
    data = day_data(scope, clk)
    optimiser = _optimiser()
    frozen: frozenset[int] = frozenset()
    for _attempt in range(MAX_FREEZES + 1):
        problem = build_problem(data, provider, frozen=frozen)
        try:
            plan = optimiser.solve(problem.problem, time_limit=time_limit or float(conf.get("PLAN_SECONDS")), seed=seed)
        except optimiser.InvalidProblem as error:
            raise PlanFailed(detail_code=error.code) from error
        more = _pinned_out(problem, plan)
        if not more:
            break
        frozen |= more
    else:
        raise PlanFailed(detail_code="pinned_unplaceable")
    routes, lunches, moves = {}, {}, []
    for route in plan.routes:
        tech = problem.techs[route.technician_id]
        stops = []
        for k, s in enumerate(route.stops):
            row = problem.jobs[s.job_id]
            moved = row["technician_id"] != tech["pk"] or row["status"] not in gather.ON_A_TECHNICIANS_DAY
            stops.append(PlannedStop(order_id=row["pk"], arrival=s.arrival, start=s.start, end=s.end, travel=s.travel,
                                     moved=moved))
            moves.append(Move(order_id=row["pk"], version=row["version"], technician_id=tech["pk"], sequence=k))
        routes[tech["pk"]] = tuple(stops)
        if route.breaks:
            lunches[tech["pk"]] = (route.breaks[0].start, route.breaks[0].end)
    unassigned = [(problem.jobs[u.job_id]["pk"], str(say.UNPLANNED.get(u.reason, u.reason))) for u in plan.unassigned]
    unassigned += [(pk, say.say(reason)) for pk, reason in problem.left_out]
    rows = {r["pk"]: r for r in (*data.jobs, *data.new)}
    out = [rows[pk] for pk, _why in unassigned]
    recalls = tuple(Move(order_id=r["pk"], version=r["version"], technician_id=r["technician_id"], sequence=0)
                    for r in out if r["status"] == S.DISPATCHED and r["technician_id"] not in frozen)
    recalled = {m.order_id for m in recalls}
    kept = frozenset(r["pk"] for r in out if r["status"] in gather.ON_A_TECHNICIANS_DAY and r["pk"] not in recalled)
    after = plan_metrics(problem, plan)
    after = Metrics(served=after.served, travel=after.travel, metres=after.metres, late=after.late,
                    unassigned=sum(1 for r in out if r["pk"] not in kept),
                    overrun=after.overrun + _kept_overruns(data, routes, kept, provider), kept=len(kept))
    return Preview(scope=scope, clock=clk, routes=routes, lunches=lunches, unassigned=tuple(unassigned),
                   kept=kept, recalls=recalls, before=current_metrics(data, provider), after=after,
                   moves=tuple(moves), seconds=plan.seconds, engine=plan.engine, travel_note=problem.travel_note,
                   fingerprint=fingerprint(data))


def moves_from(raw: Sequence[dict]) -> list[Move]:
    try:
        return [Move(order_id=int(m["order_id"]), version=int(m["version"]), technician_id=int(m["technician_id"]),
                     sequence=int(m.get("sequence", 0))) for m in raw]
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidInput(_("The plan is not readable."), field="assignments") from error


def day_param(value: str | dt.date | None, clk_now: dt.datetime | None = None) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if not value:
        return gather.clock(now=clk_now).day
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise InvalidInput(_("Enter a valid date (YYYY-MM-DD)."), field="date") from error
