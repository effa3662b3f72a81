"""One order, now: the ranked candidates (dispatch.candidates) over the data dispatch.gather reads.

Which outlets are looked at follows the lifecycle: an order still with the brand (new) may go to any
outlet serving its region; one with an outlet already (assigned, dispatched, ...) stays with it, and
outlet staff only ever look at their own outlet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts.principal import Principal
from dispatch import gather, masters, travel
from dispatch.candidates import Ranking, Reason, rank
from dispatch.day import TechDay
from workorders.choices import Status
from workorders.models import WorkOrder


@dataclass(frozen=True)
class Choice:
    ranking: Ranking
    order: gather.OrderFacts
    clock: gather.Clock
    outlet_names: dict[int, str]
    tech_names: dict[int, str]


def fetch_order(user, pk) -> WorkOrder:
    """Through the one scoping point, with what a ranking reads of the order (one query)."""
    # The texts (estimate, symptom, reasons) are not needed for dispatching: left unread. Region codes come
    # from the per-process copy (dispatch.masters): two joins fewer, which PostgreSQL plans on every call.
    return (WorkOrder.objects.visible_to(user).defer("estimate", "symptom", "cancel_reason")
            .select_related("site", "product__product_model").get(pk=pk))


def candidates_for(order: WorkOrder, *, principal: Principal, day: dt.date | None = None,
                   now: dt.datetime | None = None, provider=None, only_technician: int | None = None) -> Choice:
    clk = gather.clock(day, now) if day is not None or now is not None else None
    facts = gather.order_facts(order, clk)
    clk = clk or gather.clock(facts.job.day)
    job = facts.job
    notes: list[Reason] = []
    crew = masters.crew(facts.brand_id)  # outlets and technicians: the per-process copy (dispatch.masters)
    only = None
    if principal.outlet_id is not None:
        only = [principal.outlet_id]
    elif order.status != Status.NEW and order.outlet_id is not None:
        only = [order.outlet_id]
    if facts.region_id is None and only is None:
        outlets = []
        notes.append(Reason("no_region"))
    else:
        outlets = crew.outlets_serving(facts.region_id if only is None else None, facts.category_id, only=only)
        if not outlets:
            notes.append(Reason("no_outlet_serves"))
    outlet_ids = [o["pk"] for o in outlets]
    techs = crew.technicians_of(outlet_ids, job.skill_id, clk.day,
                                only=[only_technician] if only_technician is not None else None)
    # Only the days of those who hold the skill, a current certificate and a shift are read and timed.
    able = {t["pk"] for t in techs if t["has_skill"] and t.get("certificate") is not False
            and t["shift"] is not None}
    jobs = gather.day_stops(facts.brand_id, outlet_ids, clk, technicians=able, exclude=order.pk) if able else []
    by_outlet = {o["pk"]: o for o in outlets}
    days_of = gather.tech_days([t for t in techs if t["pk"] in able], jobs, by_outlet, clk)
    # The others are refused before their day is looked at: an empty day stands in for theirs.
    idle = TechDay(shift=(0, 0), home=None)
    days_of.update({t["pk"]: idle for t in techs if t["pk"] not in days_of})
    booked = gather.outlet_load(outlet_ids, clk, exclude=order.pk)
    ranking = rank(job, gather.outlet_facts(outlets, booked),
                   gather.tech_facts(techs, days_of, {}, clk, job.skill_id),
                   gather.rule_of(facts.brand_id), provider or travel.provider())
    if notes:
        ranking = Ranking(job=ranking.job, candidates=ranking.candidates, excluded=ranking.excluded,
                          outlets_excluded=ranking.outlets_excluded, notes=(*notes, *ranking.notes),
                          travel_note=ranking.travel_note)
    return Choice(ranking=ranking, order=facts, clock=clk, outlet_names={o["pk"]: o["name"] for o in outlets},
                  tech_names={t["pk"]: t["name"] for t in techs})
