"""Dispatch API: candidates for one order, one-click assignment, the day's plan previewed and applied.

Thin adapters (STYLE.md §2) over dispatch.choose, dispatch.services and dispatch.planning. Orders and
technicians come through visible_to (a foreign order is a 404; a foreign id in a body is a 422 on its
field); only dispatchers (brand or outlet) may use these routes (403 otherwise).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema
from pydantic import ConfigDict

from core.api import AUTH, ApiDateTime, principal, ref
from core.errors import NotFound
from core.schema import Day, Id, Input
from dispatch import choose, gather, planning, plans, services
from dispatch import reasons as say
from dispatch.candidates import Reason
from network.models import Technician
from workorders.models import WorkOrder

router = Router(tags=["dispatch"], auth=AUTH)
MAX_ASSIGNMENTS = 2000


class ReasonOut(Schema):
    code: str
    params: dict[str, Any]
    text: str


class Named(Schema):
    id: int
    name: str


class CandidateOut(Schema):
    technician: Named
    outlet: Named
    score: float
    arrives_at: ApiDateTime
    starts_at: ApiDateTime
    ends_at: ApiDateTime
    position: int
    added_travel_seconds: int
    distance_km: float
    sla_slack_seconds: int | None
    load: int
    capacity: int
    summary: str
    reasons: list[ReasonOut]


class ExcludedOut(Schema):
    technician: Named
    outlet: Named
    reason: ReasonOut


class OutletExcludedOut(Schema):
    outlet: Named
    reason: ReasonOut


class CandidatesOut(Schema):
    order_id: int
    version: int
    date: dt.date
    candidates: list[CandidateOut]
    excluded: list[ExcludedOut]
    outlets_excluded: list[OutletExcludedOut]
    notes: list[ReasonOut]
    travel_note: str


class AssignIn(Input):
    model_config = ConfigDict(extra="forbid")

    technician_id: Id
    version: Id
    date: Day | None = None
    # To give the order to a technician the ranking leaves out: why (recorded on the order's timeline).
    override_reason: str | None = Field(None, min_length=1, max_length=300)


class AssignOut(Schema):
    id: int
    status: str
    outlet_id: int | None
    technician_id: int | None
    version: int


class PlanIn(Input):
    model_config = ConfigDict(extra="forbid")

    date: Day | None = None
    outlet_id: Id | None = None
    region_id: Id | None = None
    time_limit: float | None = Field(None, gt=0, le=30)


class MetricsOut(Schema):
    served: int
    travel_seconds: int
    distance_km: float
    late: int
    unassigned: int
    overrun: int
    kept: int


class StopOut(Schema):
    order_id: int
    arrives_at: ApiDateTime
    starts_at: ApiDateTime
    ends_at: ApiDateTime
    travel_seconds: int
    moved: bool


class RouteOut(Schema):
    technician_id: int
    stops: list[StopOut]
    lunch_from: ApiDateTime | None


class UnassignedOut(Schema):
    order_id: int
    reason: str
    stays_with_technician: bool


class AssignmentIO(Input):
    model_config = ConfigDict(extra="forbid")

    order_id: Id
    version: Id
    technician_id: Id
    sequence: int = Field(0, ge=0, le=1000)


class PreviewOut(Schema):
    plan_id: int
    date: dt.date
    engine: str
    seconds: float
    before: MetricsOut
    after: MetricsOut
    moved: int
    routes: list[RouteOut]
    unassigned: list[UnassignedOut]
    assignments: list[AssignmentIO]
    back_to_queue: list[int]
    travel_note: str


class ApplyIn(Input):
    model_config = ConfigDict(extra="forbid")

    plan_id: Id


class ApplyOut(Schema):
    changed: list[int]
    placed: int


def _utc(clk: gather.Clock, seconds: int) -> dt.datetime:
    return clk.at(seconds).astimezone(dt.UTC)


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def reason_out(reason: Reason) -> dict:
    return {"code": reason.code, "params": {k: _plain(v) for k, v in reason.params.items()}, "text": say.say(reason)}


def _dispatcher(request):
    seat = principal(request)
    services.require_dispatcher(seat)
    return seat


def _order(request, order_id: Id) -> WorkOrder:
    try:
        return choose.fetch_order(request.user, order_id)
    except (WorkOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def candidates_out(choice: choose.Choice) -> dict:
    clk = choice.clock
    outlets = choice.outlet_names
    techs = choice.tech_names
    r = choice.ranking
    return {
        "order_id": choice.order.job.order_id, "version": choice.order.version, "date": clk.day,
        "candidates": [{
            "technician": {"id": c.technician_id, "name": techs[c.technician_id]},
            "outlet": {"id": c.outlet_id, "name": outlets[c.outlet_id]}, "score": c.score,
            "arrives_at": _utc(clk, c.arrival), "starts_at": _utc(clk, c.start), "ends_at": _utc(clk, c.end),
            "position": c.position, "added_travel_seconds": c.added_travel,
            "distance_km": round(c.leg_metres / 1000, 1),
            "sla_slack_seconds": c.sla_slack, "load": c.load, "capacity": c.capacity,
            "summary": say.say_all(c.reasons), "reasons": [reason_out(x) for x in c.reasons],
        } for c in r.candidates],
        "excluded": [{"technician": {"id": e.technician_id, "name": techs[e.technician_id]},
                      "outlet": {"id": e.outlet_id, "name": outlets[e.outlet_id]}, "reason": reason_out(e.reason)}
                     for e in r.excluded],
        "outlets_excluded": [{"outlet": {"id": pk, "name": outlets[pk]}, "reason": reason_out(reason)}
                             for pk, reason in r.outlets_excluded],
        "notes": [reason_out(n) for n in r.notes], "travel_note": r.travel_note,
    }


@router.get("/orders/{order_id}/candidates", response=CandidatesOut,
            summary="Who may take the order, best first, with reasons; who may not, and why")
def candidates(request, order_id: Id, date: Day | None = None):
    order = _order(request, order_id)
    seat = _dispatcher(request)
    return candidates_out(choose.candidates_for(order, principal=seat, day=date))


@router.post("/orders/{order_id}/assign", response=AssignOut,
             summary="Assign the order to a technician (assign to the outlet, dispatch; recall first if needed); "
                     "one the ranking leaves out only with an override_reason, recorded on the order's timeline")
def assign(request, order_id: Id, body: AssignIn):
    order = _order(request, order_id)
    seat = _dispatcher(request)
    technician = ref(Technician.objects.select_related("outlet"), request, body.technician_id, "technician_id")
    order = services.assign(order=order, technician=technician, actor=seat, version=body.version, day=body.date,
                            override_reason=body.override_reason or "")
    return {"id": order.pk, "status": order.status, "outlet_id": order.outlet_id,
            "technician_id": order.technician_id, "version": order.version}


def preview_out(p: planning.Preview, plan_id: int) -> dict:
    clk = p.clock

    def metrics(m: planning.Metrics) -> dict:
        return {"served": m.served, "travel_seconds": m.travel, "distance_km": round(m.metres / 1000, 1),
                "late": m.late, "unassigned": m.unassigned, "overrun": m.overrun, "kept": m.kept}

    return {
        "plan_id": plan_id, "date": clk.day, "engine": p.engine, "seconds": p.seconds, "before": metrics(p.before),
        "after": metrics(p.after), "moved": p.moved,
        "routes": [{"technician_id": tech_id, "lunch_from": _utc(clk, p.lunches[tech_id][0]) if tech_id in p.lunches
                    else None, "stops": [{"order_id": s.order_id, "arrives_at": _utc(clk, s.arrival),
                                          "starts_at": _utc(clk, s.start), "ends_at": _utc(clk, s.end),
                                          "travel_seconds": s.travel, "moved": s.moved} for s in stops]}
                   for tech_id, stops in p.routes.items()],
        "unassigned": [{"order_id": pk, "reason": why, "stays_with_technician": pk in p.kept}
                       for pk, why in p.unassigned],
        "assignments": [{"order_id": m.order_id, "version": m.version, "technician_id": m.technician_id,
                         "sequence": m.sequence} for m in p.moves],
        "back_to_queue": [m.order_id for m in p.recalls],
        "travel_note": p.travel_note,
    }


@router.post("/plans/preview", response=PreviewOut,
             summary="Optimise the day of an outlet or a region; nothing changes until the plan is applied by its id")
def plan_preview(request, body: PlanIn):
    seat = _dispatcher(request)
    scope = planning.scope_for(seat, request.user, outlet_id=body.outlet_id, region_id=body.region_id)
    preview = planning.preview(scope, gather.clock(body.date), time_limit=body.time_limit)
    return preview_out(preview, plans.record(preview, seat).pk)


@router.post("/plans/apply", response=ApplyOut,
             summary="Apply a previewed plan by its id, exactly as previewed: every move or none (409 plan_outdated "
                     "when the day changed since the preview, 409 plan_applied when applied already)")
def plan_apply(request, body: ApplyIn):
    seat = _dispatcher(request)
    applied = plans.apply(plan_id=body.plan_id, actor=seat)
    return {"changed": applied.changed, "placed": applied.placed}
