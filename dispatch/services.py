"""Dispatch decisions applied: always through workorders.workflow.transition, each call one transaction.

- ``assign``: one order to one technician (the candidate the dispatcher clicked or dragged): assign to
  the technician's outlet when the order is still the brand's, dispatch, or recall a not yet accepted
  job and dispatch it again. The technician must be eligible (dispatch.choose says why not).
- ``walk_moves``: the moves of an optimised day through the lifecycle, all or none (dispatch.plans applies a
  previewed day by id, with the times it showed).

``assign`` places the technician's day (dispatch.models.Visit) as timed by dispatch.day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.principal import Principal
from core.errors import IllegalTransition, InvalidInput, PermissionDenied, StaleVersion
from dispatch import gather
from dispatch import reasons as say
from dispatch.candidates import UNKNOWN_HOP, Reason, tech_refusal
from dispatch.choose import candidates_for
from dispatch.day import Schedule, Stop, TechDay, time_day
from dispatch.models import Visit
from network.models import Technician
from workorders import events, workflow
from workorders.choices import Status
from workorders.models import WorkOrder

S = Status
DISPATCH_ROLES = frozenset({Role.BRAND_ADMIN, Role.DISPATCHER, Role.OUTLET_MANAGER, Role.OUTLET_DISPATCHER})


class NotEligible(InvalidInput):
    code = "not_eligible"
    default_message = _("This technician cannot take this order.")


def may_dispatch(principal: Principal | None) -> bool:
    return principal is not None and principal.role in DISPATCH_ROLES


def require_dispatcher(principal: Principal) -> None:
    if not may_dispatch(principal):
        raise PermissionDenied(_("Only dispatchers may assign technicians."))


def _steps(order: WorkOrder, technician: Technician) -> list[str]:
    """The lifecycle steps that put ``order`` on ``technician``'s day (none when it is there already)."""
    if order.status == S.NEW:
        return ["assign", "dispatch"]
    if order.status == S.ASSIGNED:
        return ["dispatch"]
    if order.status == S.DISPATCHED:
        return [] if order.technician_id == technician.pk else ["recall", "dispatch"]
    if order.status in gather.PINNED and order.technician_id == technician.pk:
        return []
    # Accepted (or further) by someone else, or done: the lifecycle itself refuses, with its 409.
    return ["dispatch"]


def _walk(order: WorkOrder, technician: Technician, *, actor: Principal, version: int, outlet) -> WorkOrder:
    steps = _steps(order, technician)
    if not steps and version != order.version:
        raise StaleVersion(current_version=order.version, order=order.number)
    for k, step in enumerate(steps):
        expected = version if k == 0 else order.version
        kwargs = {}
        if step == "assign":
            kwargs["outlet"] = outlet
        elif step == "dispatch":
            kwargs["technician"] = technician
        elif step == "recall":
            kwargs["reason"] = gettext("Reassigned to %(name)s") % {"name": technician.name}
        try:
            order = workflow.transition(order, step, actor=actor, version=expected, **kwargs)
        except StaleVersion as stale:
            stale.detail.setdefault("order", order.number)
            raise
        except IllegalTransition as illegal:
            illegal.detail.setdefault("order", order.number)
            raise
    return order


NOT_OVERRIDABLE = frozenset({"not_this_outlet"})  # who may hold the order is tenancy, not a dispatcher's judgement


def assign(*, order: WorkOrder, technician: Technician, actor: Principal, version: int,
           day: dt.date | None = None, now: dt.datetime | None = None, provider=None,
           override_reason: str = "") -> WorkOrder:
    """Put ``order`` on ``technician``'s day; both fetched through visible_to(actor.user) by the caller.

    A technician the ranking leaves out (no skill, off shift, fully booked, cannot make the window...) takes the
    order only with ``override_reason``: the dispatcher's reason and the ranking's are recorded on the order's
    timeline, and the board then shows the day as it really is (late or over capacity).
    """
    require_dispatcher(actor)
    choice = candidates_for(order, principal=actor, day=day, now=now, provider=provider,
                            only_technician=technician.pk)
    chosen = next((c for c in choice.ranking.candidates if c.technician_id == technician.pk), None)
    override_reason = (override_reason or "").strip()
    refusal = None
    if chosen is None:
        refusal = next((e.reason for e in choice.ranking.excluded if e.technician_id == technician.pk),
                       Reason("not_this_outlet"))
        if not override_reason or refusal.code in NOT_OVERRIDABLE:
            raise NotEligible(say.say(refusal), field="technician", reason=refusal.code,
                              overridable=refusal.code not in NOT_OVERRIDABLE)
    if len(override_reason) > OVERRIDE_MAX:
        raise InvalidInput(_("The reason is too long."), field="override_reason", max_length=OVERRIDE_MAX)
    with transaction.atomic():
        order = _walk(order, technician, actor=actor, version=version, outlet=technician.outlet)
        if chosen is not None:
            _place(technician.pk, choice.clock, chosen.schedule)
        else:
            # No feasible place in the day: the board times the day as it is, and shows what breaks.
            Visit.objects.filter(work_order=order).delete()
            _record_override(order, technician, actor, refusal, override_reason)
    return order


OVERRIDE_MAX = 300


def _record_override(order: WorkOrder, technician: Technician, actor: Principal, refusal: Reason, text: str) -> None:
    said = gettext("Dispatched to %(name)s over the ranking (%(why)s): %(reason)s") % {
        "name": technician.name, "why": say.say(refusal), "reason": text}
    events.noted(
        order_id=order.pk, actor=actor, text=said[:500], at=timezone.now(),
        data={"override": refusal.code, "technician": technician.name, "technician_id": technician.pk, "reason": text})


def _place(technician_id: int, clk: gather.Clock, schedule: Schedule) -> None:
    keys = [t.key for t in schedule.stops]
    existing = {v.work_order_id: v for v in Visit.objects.filter(work_order_id__in=keys)}
    new, changed = [], []
    for k, timed in enumerate(schedule.stops):
        values = dict(technician_id=technician_id, day=clk.day, sequence=k, planned_start=clk.at(timed.start),
                      planned_end=clk.at(timed.end), travel_seconds=timed.travel, travel_metres=timed.metres)
        visit = existing.get(timed.key)
        if visit is None:
            new.append(Visit(work_order_id=timed.key, **values))
        else:
            for name, value in values.items():
                setattr(visit, name, value)
            changed.append(visit)
    Visit.objects.bulk_create(new)
    Visit.objects.bulk_update(changed, ["technician_id", "day", "sequence", "planned_start", "planned_end",
                                        "travel_seconds", "travel_metres"])


# --- a whole plan --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Move:
    order_id: int
    version: int
    technician_id: int
    sequence: int


@dataclass(frozen=True)
class Applied:
    changed: list[int]  # orders moved through the lifecycle
    placed: int  # visits written


def fetch_moves(moves: Sequence[Move], actor: Principal) -> tuple[dict[int, WorkOrder], dict[int, Technician]]:
    """The plan's orders and technicians through visible_to: an unknown or foreign id refuses the plan (422)."""
    require_dispatcher(actor)
    if len({m.order_id for m in moves}) != len(moves):
        raise InvalidInput(_("An order appears twice in the plan."), field="assignments")
    user = actor.user
    orders = {o.pk: o for o in WorkOrder.objects.visible_to(user).select_related(
        "site", "product__product_model", "region", "site__region").filter(pk__in=[m.order_id for m in moves])}
    techs = {t.pk: t for t in Technician.objects.visible_to(user).select_related("outlet").filter(
        pk__in={m.technician_id for m in moves}, is_active=True)}
    for m in moves:
        if m.order_id not in orders:
            raise InvalidInput(_("Unknown id."), field="assignments", order_id=m.order_id)
        if m.technician_id not in techs:
            raise InvalidInput(_("Unknown id."), field="assignments", technician_id=m.technician_id)
    return orders, techs


def walk_moves(moves: Sequence[Move], orders: dict, techs: dict, clk: gather.Clock, actor: Principal) -> list[int]:
    """Every move through the lifecycle (in the caller's transaction), after the eligibility checks."""
    _check_eligible(moves, orders, techs, clk, actor)
    changed = []
    for m in sorted(moves, key=lambda m: m.order_id):  # a fixed order: two plans never deadlock
        order, tech = orders[m.order_id], techs[m.technician_id]
        if _steps(order, tech):
            _walk(order, tech, actor=actor, version=m.version, outlet=tech.outlet)
            changed.append(order.pk)
    return changed


def _check_eligible(moves: Sequence[Move], orders: dict, techs: dict, clk: gather.Clock, actor: Principal) -> None:
    """Skill, certificate, shift and outlet rules for each move (the plan's times are the optimiser's)."""
    facts = {pk: gather.order_facts(o, clk) for pk, o in orders.items()}
    by_skill: dict[int | None, list[int]] = {}
    for f in facts.values():
        by_skill.setdefault(f.job.skill_id, [])
    for m in moves:
        by_skill[facts[m.order_id].job.skill_id].append(m.technician_id)
    rows, spans = {}, {}
    for skill_id, tech_ids in by_skill.items():
        for row in gather.technicians_of({techs[t].outlet_id for t in tech_ids}, skill_id, only=tech_ids):
            rows[(skill_id, row["pk"])] = row
        spans[skill_id] = gather.certificates(tech_ids, skill_id)
    for m in moves:
        order, tech, job = orders[m.order_id], techs[m.technician_id], facts[m.order_id].job
        if order.status != S.NEW and order.outlet_id != tech.outlet_id and order.status not in gather.PINNED:
            raise NotEligible(say.say(Reason("not_this_outlet")), field="assignments", order=order.number)
        if actor.outlet_id is not None and tech.outlet_id != actor.outlet_id:
            raise NotEligible(say.say(Reason("not_this_outlet")), field="assignments", order=order.number)
        if order.status in gather.PINNED:
            continue  # the technician has it already; the lifecycle refuses any other
        row = rows[(job.skill_id, tech.pk)]
        facts_of = gather.tech_facts([row], {tech.pk: TechDay(shift=(0, 0), home=None)}, spans[job.skill_id], clk,
                                     job.skill_id)[0]
        refusal = tech_refusal(facts_of, job, count_load=False)
        if refusal is not None:
            raise NotEligible(f"{order.number}: {say.say(refusal)}", field="assignments", order=order.number,
                              reason=refusal.code)


def time_stops(day: TechDay, stops: Sequence[Stop], provider, region: str = "") -> Schedule:
    chain = [day.home, *(s.point for s in stops), day.home]
    pairs = [(chain[k], chain[k + 1]) for k in range(len(stops) + 1)]
    known = [(a, b) for a, b in pairs if a is not None and b is not None]
    found, _note = provider.legs(known, region=region) if known else ([], "")
    answers = iter(found)
    hops = [next(answers) if a is not None and b is not None else UNKNOWN_HOP for a, b in pairs]
    return time_day(day, stops, hops)
