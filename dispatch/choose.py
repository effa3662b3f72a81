"""One order, now: the ranked candidates (dispatch.candidates) over the data dispatch.gather reads.

Which outlets are looked at follows the lifecycle: an order still with the brand (new) may go to any
outlet serving its region; one with an outlet already (assigned, dispatched, ...) stays with it, and
outlet staff only ever look at their own outlet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from accounts.principal import Principal
from catalog.choices import ServiceType
from core.dates import brand_tz
from dispatch import gather, masters, travel
from dispatch.candidates import JobFacts, Ranking, Reason, rank
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


Window = tuple[dt.datetime, dt.datetime]


def staffable(*, product, site, service_type: str, windows: list[Window], outlet_id: int | None = None,
              now: dt.datetime | None = None, provider=None) -> dict[Window, set[int]]:
    """For each window, the serving outlets one of whose technicians can take a job of this product and service
    type at this site in it, as the dispatcher's ranking says: skill and certificate, shift, travel from and
    back home around the day's other jobs, lunch, and the technician's and the outlet's capacity.

    A slot is offered (dispatch.selectors) and booked only where this finds someone: what the customer is
    promised, the board can staff. ``product`` and ``site`` were fetched through visible_to by the caller.
    """
    found: dict[Window, set[int]] = {w: set() for w in windows}
    if site is None or site.region_id is None or not windows:
        return found
    model = product.product_model
    brand_id = product.brand_id
    minutes, skill_id, skill_name = gather.standard_of(brand_id, model.pk, service_type)
    crew = masters.crew(brand_id)
    outlets = crew.outlets_serving(site.region_id, model.category_id,
                                   only=[outlet_id] if outlet_id is not None else None)
    if not outlets:
        return found
    outlet_ids = [o["pk"] for o in outlets]
    by_outlet = {o["pk"]: o for o in outlets}
    region = masters.region_codes(brand_id).get(site.region_id, "")
    where = gather.point(site.latitude, site.longitude)
    rule = gather.rule_of(brand_id)
    price = None if model.list_price is None else Decimal(str(model.list_price))
    provider = provider or travel.provider()
    by_day: dict[dt.date, list[Window]] = {}
    for w in windows:
        by_day.setdefault(w[0].astimezone(brand_tz()).date(), []).append(w)
    for day, day_windows in sorted(by_day.items()):
        clk = gather.clock(day, now)
        techs = crew.technicians_of(outlet_ids, skill_id, clk.day)
        able = {t["pk"] for t in techs if t["has_skill"] and t.get("certificate") is not False
                and t["shift"] is not None}
        if not able:
            continue
        jobs = gather.day_stops(brand_id, outlet_ids, clk, technicians=able)
        days_of = gather.tech_days([t for t in techs if t["pk"] in able], jobs, by_outlet, clk)
        idle = TechDay(shift=(0, 0), home=None)
        days_of.update({t["pk"]: idle for t in techs if t["pk"] not in days_of})
        outlet_facts = gather.outlet_facts(outlets, gather.outlet_load(outlet_ids, clk))
        tech_facts = gather.tech_facts(techs, days_of, {}, clk, skill_id)
        waiting = _booked_unplaced(outlet_ids, clk)
        for w in day_windows:
            job = JobFacts(order_id=0, day=clk.day, point=where, region=region, skill_id=skill_id,
                           skill_name=skill_name, minutes=minutes, list_price=price,
                           window=(clk.seconds(w[0]), clk.seconds(w[1])))
            ranking = rank(job, outlet_facts, tech_facts, rule, provider)
            able_at: dict[int, int] = {}
            for c in ranking.candidates:
                able_at[c.outlet_id] = able_at.get(c.outlet_id, 0) + 1
            # Bookings of the window not yet on anyone's day will take one of those technicians each.
            found[w] = {o for o, n in able_at.items()
                        if n > sum(1 for b in waiting if b[0] == o and b[1] < w[1] and b[2] > w[0])}
    return found


def _booked_unplaced(outlet_ids: list[int], clk: gather.Clock) -> list[tuple[int, dt.datetime, dt.datetime]]:
    """The outlets' booked orders of the day not yet on a technician's day: (outlet, slot start, slot end)."""
    return list(WorkOrder.objects.filter(outlet_id__in=outlet_ids, status=Status.ASSIGNED, slot_start__isnull=False,
                                         slot_start__lt=clk.end, slot_end__gt=clk.start_utc)
                .exclude(type=ServiceType.MAIL_IN).order_by().values_list("outlet_id", "slot_start", "slot_end"))
