"""Who may take one order now, best first, each with its reasons: plain data in, a ranking out (no ORM).

Outlets first (authorised for the category, room left in the day, the brand's in-house rule), then
their technicians (the skill, a certificate current on the job's day where the technician has one for
it, a shift that day, not booked up), then the cheapest feasible place in each one's day
(dispatch.day.best_insertion). The score is in minutes, lower is better:

    added travel
    + SLA: minutes late at the door x LATE_WEIGHT + LATE_FLAT, else a little for each minute of
      slack under SLA_COMFORT (an early arrival is worth more when the deadline is near)
    + load: LOAD_WEIGHT x the share of the technician's day already booked
    + the partner penalty of the brand's rule, for a complex or high-value job at a partner
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dispatch import day as days
from dispatch.day import Hop, Point, Stop, TechDay

LATE_WEIGHT = 3.0
LATE_FLAT = 120.0
SLA_COMFORT = 2 * 3600  # the at-risk window: slack below this costs a little
COMFORT_WEIGHT = 0.25
LOAD_WEIGHT = 30.0
UNKNOWN_HOP: Hop = (30 * 60, 0)  # a place without coordinates: the slot maths' allowance between two jobs


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    complex_minutes: int = 120
    high_value_price: Decimal = Decimal("8000.00")
    mode: str = "prefer"  # or "require"
    partner_penalty_minutes: int = 60


@dataclass(frozen=True)
class JobFacts:
    order_id: int
    day: dt.date
    point: Point | None
    region: str  # region code (travel speeds)
    skill_id: int | None
    skill_name: str
    minutes: int  # standard labour minutes
    list_price: Decimal | None
    window: tuple[int, int] | None  # seconds of the day; None: any time
    window_passed: bool = False  # the booked window is over already: as soon as possible instead
    onsite_due: int | None = None  # seconds of the day (may be negative or past midnight)

    def is_complex(self, rule: Rule) -> bool:
        return self.minutes >= rule.complex_minutes

    def is_high_value(self, rule: Rule) -> bool:
        return self.list_price is not None and self.list_price >= rule.high_value_price


@dataclass(frozen=True)
class OutletFacts:
    outlet_id: int
    name: str
    in_house: bool
    authorised: bool
    daily_capacity: int
    booked: int  # jobs on the day already, this order left out
    point: Point | None = None


@dataclass(frozen=True)
class TechFacts:
    technician_id: int
    name: str
    outlet_id: int
    has_skill: bool
    # None: no certificate on file for the skill (holding it is enough); else the expiry of the one
    # current on the job's day, or False when none is current.
    certificate: dt.date | bool | None
    weekday_off: bool
    daily_capacity: int
    day: TechDay  # shift, home (or the outlet's place), the day's jobs in their order


@dataclass(frozen=True)
class Candidate:
    technician_id: int
    outlet_id: int
    score: float
    position: int
    arrival: int
    start: int
    end: int
    added_travel: int  # seconds
    leg_metres: int  # from the place before
    sla_slack: int | None  # seconds between the start and the on-site deadline (negative: late)
    load: int
    capacity: int
    reasons: tuple[Reason, ...]
    schedule: days.Schedule


@dataclass(frozen=True)
class Excluded:
    technician_id: int
    outlet_id: int
    reason: Reason


@dataclass(frozen=True)
class Ranking:
    job: JobFacts
    candidates: tuple[Candidate, ...]
    excluded: tuple[Excluded, ...]
    outlets_excluded: tuple[tuple[int, Reason], ...]
    notes: tuple[Reason, ...] = ()
    travel_note: str = ""


def job_stop(job: JobFacts) -> Stop:
    return Stop(key=job.order_id, point=job.point, duration=job.minutes * 60,
                window=None if job.window_passed else job.window)


def _outlet_refusal(outlet: OutletFacts, job: JobFacts, rule: Rule) -> Reason | None:
    if not outlet.authorised:
        return Reason("outlet_not_authorised")
    if outlet.booked >= outlet.daily_capacity:
        return Reason("outlet_full", {"booked": outlet.booked, "capacity": outlet.daily_capacity})
    if rule.mode == "require" and not outlet.in_house and (job.is_complex(rule) or job.is_high_value(rule)):
        return Reason("partner_not_allowed")
    return None


def tech_refusal(tech: TechFacts, job: JobFacts, *, count_load: bool = True) -> Reason | None:
    if not tech.has_skill:
        return Reason("no_skill", {"skill": job.skill_name})
    if tech.certificate is False:
        return Reason("certificate_not_current", {"skill": job.skill_name, "day": job.day})
    if tech.weekday_off:
        return Reason("off_shift", {"day": job.day})
    load = len(tech.day.stops)
    if count_load and load >= tech.daily_capacity:
        return Reason("fully_booked", {"load": load, "capacity": tech.daily_capacity})
    return None


class Hops:
    """Travel for the ranking, asked of the provider in two batches: the job's legs, then the days' own."""

    def __init__(self, provider, region: str) -> None:
        self.provider = provider
        self.region = region
        self.notes: set[str] = set()

    def job_legs(self, job: Point | None, where: Sequence[Point | None]) -> tuple[dict, dict]:
        known = list(dict.fromkeys(p for p in where if p is not None))
        to_job: dict[Point, Hop] = {}
        from_job: dict[Point, Hop] = {}
        if job is None or not known:
            return to_job, from_job
        outward = self.provider.table([job], known, region=self.region)
        inward = self.provider.table(known, [job], region=self.region)
        for note in (outward.note, inward.note):
            if note:
                self.notes.add(note)
        for k, p in enumerate(known):
            from_job[p] = (outward.durations[0][k], outward.distances[0][k])
            to_job[p] = (inward.durations[k][0], inward.distances[k][0])
        return to_job, from_job

    def chains(self, pairs: Sequence[tuple[Point | None, Point | None]]) -> list[Hop]:
        wanted = [(a, b) for a, b in pairs if a is not None and b is not None]
        found, note = self.provider.legs(wanted, region=self.region) if wanted else ([], "")
        if note:
            self.notes.add(note)
        answers = iter(found)
        return [next(answers) if a is not None and b is not None else UNKNOWN_HOP for a, b in pairs]


def rank(job: JobFacts, outlets: Sequence[OutletFacts], techs: Sequence[TechFacts], rule: Rule, provider) -> Ranking:
    outlet_of = {o.outlet_id: o for o in outlets}
    refused_outlets = {o.outlet_id: r for o in outlets if (r := _outlet_refusal(o, job, rule)) is not None}
    excluded: list[Excluded] = []
    able: list[TechFacts] = []
    for tech in techs:
        reason = refused_outlets.get(tech.outlet_id) or tech_refusal(tech, job)
        if reason is not None:
            excluded.append(Excluded(tech.technician_id, tech.outlet_id, reason))
        else:
            able.append(tech)

    hops = Hops(provider, job.region)
    stop = job_stop(job)
    where = [p for t in able for p in days.places(t.day)]
    to_job, from_job = hops.job_legs(job.point, where)
    chains: list[tuple[Point | None, Point | None]] = []
    for tech in able:
        chain = [*days.places(tech.day), tech.day.home]
        chains.extend((chain[k], chain[k + 1]) for k in range(len(tech.day.stops) + 1))
    base = iter(hops.chains(chains))

    def leg(table: dict, p: Point | None) -> Hop:
        return UNKNOWN_HOP if p is None or job.point is None else table[p]

    candidates: list[Candidate] = []
    for tech in able:
        own = [next(base) for _ in range(len(tech.day.stops) + 1)]
        spots = days.places(tech.day)
        best, failing = days.best_insertion(tech.day, stop, own, [leg(to_job, p) for p in spots],
                                            [leg(from_job, p) for p in spots])
        if best is None:
            excluded.append(Excluded(tech.technician_id, tech.outlet_id, _time_refusal(failing, tech, stop)))
            continue
        candidates.append(_candidate(job, tech, outlet_of[tech.outlet_id], best, rule))
    candidates.sort(key=lambda c: (c.score, c.start, c.technician_id))
    notes = []
    if job.window_passed:
        notes.append(Reason("window_passed"))
    if job.point is None:
        notes.append(Reason("site_without_coordinates"))
    return Ranking(job=job, candidates=tuple(candidates), excluded=tuple(excluded),
                   outlets_excluded=tuple(sorted(refused_outlets.items())), notes=tuple(notes),
                   travel_note="; ".join(sorted(hops.notes)))


def _time_refusal(schedule: days.Schedule, tech: TechFacts, stop: Stop) -> Reason:
    if schedule.problem == days.LATE_FOR_WINDOW and stop.window is not None:
        return Reason("cannot_reach_window", {"until": stop.window[1]})
    if schedule.problem == days.NO_LUNCH:
        return Reason("no_room_for_lunch")
    return Reason("past_shift_end", {"end": tech.day.shift[1]})


def _candidate(job: JobFacts, tech: TechFacts, outlet: OutletFacts, best: days.Insertion, rule: Rule) -> Candidate:
    timed = best.timed(job.order_id)
    slack = None if job.onsite_due is None else job.onsite_due - timed.start
    score = best.added_travel / 60
    if slack is not None:
        if slack < 0:
            score += LATE_WEIGHT * (-slack / 60) + LATE_FLAT
        elif slack < SLA_COMFORT:
            score += COMFORT_WEIGHT * (SLA_COMFORT - slack) / 60
    load = len(tech.day.stops)
    score += LOAD_WEIGHT * load / max(tech.daily_capacity, 1)
    in_house_job = job.is_complex(rule) or job.is_high_value(rule)
    reasons = [Reason("skill_ok") if job.skill_id else Reason("no_skill_needed")]
    if isinstance(tech.certificate, dt.date):
        reasons.append(Reason("certificate_until", {"day": tech.certificate}))
    if job.point is not None:
        reasons.append(Reason("distance", {"km": round(timed.metres / 1000, 1)}))
    reasons.append(Reason("added_travel", {"minutes": round(best.added_travel / 60)}))
    reasons.append(Reason("arrives", {"at": timed.start}))
    if slack is not None:
        reasons.append(Reason("sla_slack" if slack >= 0 else "sla_late", {"seconds": abs(slack)}))
    reasons.append(Reason("load", {"load": load, "capacity": tech.daily_capacity}))
    if in_house_job:
        if outlet.in_house:
            reasons.append(Reason("in_house_for_complex"))
        else:
            score += rule.partner_penalty_minutes
            reasons.append(Reason("partner_for_complex", {"minutes": rule.partner_penalty_minutes}))
    return Candidate(
        technician_id=tech.technician_id, outlet_id=tech.outlet_id, score=round(score, 2), position=best.position,
        arrival=timed.arrival, start=timed.start, end=timed.end, added_travel=best.added_travel,
        leg_metres=timed.metres, sla_slack=slack, load=load, capacity=tech.daily_capacity, reasons=tuple(reasons),
        schedule=best.schedule,
    )
