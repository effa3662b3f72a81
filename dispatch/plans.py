"""A previewed day kept and applied by id: what the dispatcher saw is exactly what the technicians get.

``record(preview, actor)`` keeps the preview's routes and times (dispatch.models.DayPlan). ``apply(plan_id=...)``
applies them, every move or none: each order through the lifecycle (dispatch.services.walk_moves), dispatched
jobs the plan leaves out recalled to the queue, each visit written at the previewed time. It is refused, with
the reason and a code, when the day changed since the preview (``plan_outdated``: an order, a placement, a
shift or a capacity differs; or, today, the plan would start in the past) or the plan was applied already
(``plan_applied``). Before it commits, dispatch.audit checks the days it wrote from the database alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from core.errors import DomainError, NotFound
from dispatch import audit, gather, planning, services
from dispatch.models import DayPlan, Visit
from dispatch.services import Move
from workorders import workflow
from workorders.models import WorkOrder

# A plan starts its first stops as early as it may: now, when it was made. Applied a little later, such a stop
# starts those seconds late, which is no reason to refuse it; a plan whose stops lie further in the past is stale.
APPLY_GRACE_SECONDS = 300


class PlanOutdated(DomainError):
    code = "plan_outdated"
    status = 409
    default_message = _("The day has changed since this plan was made: optimise again.")


class PlanApplied(DomainError):
    code = "plan_applied"
    status = 409
    default_message = _("This plan has been applied already.")


class PlanBreaksRules(DomainError):
    code = "plan_breaks_rules"
    status = 409
    default_message = _("The plan would put a job outside a shift, a booked window or a capacity; nothing was "
                        "changed.")


def record(preview: planning.Preview, actor: Principal) -> DayPlan:
    services.require_dispatcher(actor)
    scope = preview.scope
    routes = {str(tech_id): [{"order": s.order_id, "arrival": s.arrival, "start": s.start, "end": s.end,
                              "travel": s.travel} for s in stops] for tech_id, stops in preview.routes.items()}
    versions = {m.order_id: m.version for m in preview.moves}
    for stops in routes.values():
        for stop in stops:
            stop["version"] = versions[stop["order"]]
    return DayPlan.objects.create(
        brand_id=scope.brand_id, outlet_id=scope.outlet_id, region_id=scope.region_id, day=preview.clock.day,
        routes=routes, lunches={str(k): list(v) for k, v in preview.lunches.items()},
        recalls=[{"order": m.order_id, "version": m.version} for m in preview.recalls],
        fingerprint=preview.fingerprint, created_by=actor.user)


def fetch(plan_id: int, actor: Principal) -> DayPlan:
    plan = DayPlan.objects.visible_to(actor.user).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound()
    return plan


def apply(*, plan_id: int, actor: Principal, now: dt.datetime | None = None) -> services.Applied:
    services.require_dispatcher(actor)
    plan = fetch(plan_id, actor)
    if plan.applied_at is not None:
        raise PlanApplied()
    clk = gather.clock(plan.day, now)
    scope = planning.scope_for(actor, actor.user, outlet_id=plan.outlet_id, region_id=plan.region_id)
    moves = [Move(order_id=s["order"], version=s["version"], technician_id=int(tech_id), sequence=k)
             for tech_id, stops in plan.routes.items() for k, s in enumerate(stops)]
    starts = [s["start"] for stops in plan.routes.values() for s in stops]
    if planning.fingerprint(planning.day_data(scope, clk)) != plan.fingerprint or \
            (starts and min(starts) < clk.not_before - APPLY_GRACE_SECONDS):
        raise PlanOutdated()
    orders, techs = services.fetch_moves(moves, actor) if moves else ({}, {})
    recalls = list(WorkOrder.objects.visible_to(actor.user).filter(pk__in=[r["order"] for r in plan.recalls]))
    with transaction.atomic():
        # Compare and set: of two clicks on one plan, one applies it.
        if not DayPlan.objects.filter(pk=plan.pk, applied_at__isnull=True).update(applied_at=now or timezone.now()):
            raise PlanApplied()
        changed = services.walk_moves(moves, orders, techs, clk, actor)
        versions = {r["order"]: r["version"] for r in plan.recalls}
        for order in recalls:
            workflow.transition(order, "recall", actor=actor, version=versions[order.pk],
                                reason=gettext("Left out of the day's plan"))
            changed.append(order.pk)
        Visit.objects.filter(work_order_id__in=[o.pk for o in recalls]).delete()
        placed = _write_visits(plan, clk)
        found = audit.day_violations({int(t) for t in plan.routes}, plan.day, now=now)
        if found:
            raise PlanBreaksRules(violations=[str(v) for v in found[:20]])
    return services.Applied(changed=changed, placed=placed)


def _write_visits(plan: DayPlan, clk: gather.Clock) -> int:
    stops = {s["order"]: (int(tech_id), k, s) for tech_id, route in plan.routes.items() for k, s in enumerate(route)}
    existing = {v.work_order_id: v for v in Visit.objects.filter(work_order_id__in=list(stops))}
    new, changed = [], []
    for order_id, (tech_id, k, s) in stops.items():
        values = dict(technician_id=tech_id, day=plan.day, sequence=k, planned_start=clk.at(s["start"]),
                      planned_end=clk.at(s["end"]), travel_seconds=s["travel"], travel_metres=0)
        visit = existing.get(order_id)
        if visit is None:
            new.append(Visit(work_order_id=order_id, **values))
        else:
            for name, value in values.items():
                setattr(visit, name, value)
            changed.append(visit)
    Visit.objects.bulk_create(new)
    Visit.objects.bulk_update(changed, ["technician_id", "day", "sequence", "planned_start", "planned_end",
                                        "travel_seconds", "travel_metres"])
    return len(stops)
