"""What one closed order earns its outlet: the whole computation as plain functions over plain data (no ORM).

The generator (settlement/services.py), the order's "why this amount" page, the exports and the independent
check all call these, so a fee is worked out in exactly one place (docs/settlement.md, "What a line is worth").

- ``match_fee``: the most specific fee row wins: product model over category over any; outlet type over any;
  region over any; among equally specific rows, the narrower distance band. A band is ``km_from`` (inclusive)
  to ``km_to`` (exclusive; None has no end).
- Every amount is a Decimal in yuan, rounded **once per line** to the fen with ROUND_HALF_UP (``money``);
  a line's ``basis`` keeps the exact, unrounded figure it was rounded from, and what it was computed from.
- ``rule_lines``: the deductions (negative) and bonuses the brand's rules (``Rule``) make of an order's facts,
  one rule per kind: the active one valid on the completion day with the latest ``valid_from`` (``rules_on``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

FEN = Decimal("0.01")
ZERO = Decimal("0")

# Line kinds made here (settlement.choices.LineKind holds the labels of these and of the rules' kinds).
FEE = "fee"
FAILED_VISIT = "failed_visit"
TRAVEL = "travel"
NIGHT = "night"
HOLIDAY = "holiday"
HIGH_FLOOR = "high_floor"
REMOTE = "remote"
NO_TARIFF = "no_tariff"  # the reason on a fee line no tariff or no fee row priced

# Rule kinds applied here (settlement.choices.RuleKind holds their labels).
REWORK = "rework"
COMPLAINT = "complaint"
SLA_BREACH = "sla_breach"
MISSING_SIGNATURE = "missing_signature"
MISSING_PHOTO = "missing_photo"
SATISFACTION_BONUS = "satisfaction_bonus"
BONUSES = frozenset({SATISFACTION_BONUS})  # every other rule kind deducts (a negative line)


def money(value: Decimal | int | str) -> Decimal:
    """``value`` in yuan to the fen, half up: the one rounding of a line. Floats are refused (they are not exact)."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, kw_only=True)
class FeeRow:
    """One row of a tariff: service type × (model, category or any) × (outlet type or any) × (region or any)
    × distance band → fee."""

    service_type: str
    fee: Decimal
    category_id: int | None = None
    model_id: int | None = None
    outlet_type: str = ""
    region_id: int | None = None
    km_from: Decimal = ZERO
    km_to: Decimal | None = None
    id: int | None = None  # the TariffFee row's id, for the line's basis

    def matches(self, job: Job) -> bool:
        km = job.distance_km if job.distance_km is not None else ZERO
        return (self.service_type == job.service_type
                and self.model_id in (None, job.model_id)
                and self.category_id in (None, job.category_id)
                and self.outlet_type in ("", job.outlet_type)
                and self.region_id in (None, job.region_id)
                and self.km_from <= km
                and (self.km_to is None or km < self.km_to))

    def specificity(self) -> tuple[int, int, int, Decimal]:
        """Larger is more specific, compared in order: product (model 2, category 1, any 0), outlet type,
        region, then the band's narrowness (the negated width; an open band is the widest)."""
        product = 2 if self.model_id is not None else 1 if self.category_id is not None else 0
        width = (self.km_to - self.km_from) if self.km_to is not None else Decimal("Infinity")
        return (product, int(bool(self.outlet_type)), int(self.region_id is not None), -width)


@dataclass(frozen=True, kw_only=True)
class Job:
    """The facts of one closed order that decide what it earns."""

    service_type: str
    category_id: int | None = None
    model_id: int | None = None
    outlet_type: str = ""
    region_id: int | None = None
    distance_km: Decimal | None = None  # outlet to site, straight line; None when either point is unknown
    started_hour: int | None = None  # the local hour the visit started (arrival), 0–23
    is_holiday: bool = False
    floor: int | None = None  # the site's floor (negative: a basement), None when unknown
    has_lift: bool | None = None  # whether the site has a lift, None when unknown
    remote: bool = False
    failed_visits: int = 0  # visits that failed through the customer: on site, put on hold waiting for them
    cancelled: bool = False  # cancelled after such visits: settled for them alone, on the day it was cancelled
    # The facts the rules read (docs/settlement.md, "Rules").
    completed_day: dt.date | None = None  # the local day it was completed: the rules valid on it apply
    rework_after_days: int | None = None  # a rework of an order this outlet completed this many days before
    rework_first_fee: Decimal | None = None  # that first order's fee (its fee line), for a share rule
    rework_of_id: int | None = None
    upheld_complaints: tuple[tuple[int, Decimal], ...] = ()  # (complaint id, the amount its verdict sets)
    sla_breaches: int = 0  # the order's clocks (response, on-site) that were breached
    has_signature: bool = True
    mail_in: bool = False  # sent in by courier: nobody signs on site, so the signature rule does not apply
    missing_photos: tuple[str, ...] = ()  # the required photos (their codes) the job was completed without
    month_rating_average: Decimal | None = None  # the outlet's month of ratings
    month_rating_count: int = 0


@dataclass(frozen=True, kw_only=True)
class TariffTerms:
    """A tariff version as plain data: its fee rows and its fixed terms."""

    id: int | None = None
    fees: tuple[FeeRow, ...] = ()
    free_km: Decimal = ZERO
    per_km: Decimal = ZERO
    travel_cap: Decimal | None = None
    night_from_hour: int = 22
    night_to_hour: int = 6
    night_surcharge: Decimal = ZERO
    holiday_surcharge: Decimal = ZERO
    high_floor_surcharge: Decimal = ZERO
    high_floor_from: int = 6
    remote_surcharge: Decimal = ZERO
    failed_visit_fee: Decimal = ZERO


@dataclass(frozen=True, kw_only=True)
class LineDraft:
    kind: str
    amount: Decimal
    basis: dict[str, Any] = field(default_factory=dict)
    rule_id: int | None = None  # the SettlementRule that made it (None: the tariff did)


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A deduction or bonus (SettlementRule) as plain data: a fixed ``amount`` or a ``share`` (percent) of the
    order's fee, and its condition (``threshold``, ``days``), valid from a day to a day (both inclusive)."""

    kind: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    amount: Decimal | None = None
    share: Decimal | None = None
    threshold: Decimal | None = None
    days: int | None = None
    min_ratings: int | None = None  # the satisfaction bonus's least number of ratings in the month
    is_active: bool = True
    id: int | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.is_active and self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def match_fee(rows: Iterable[FeeRow], job: Job) -> FeeRow | None:
    """The most specific row matching ``job``; None when no row matches. Equally specific rows (which a tariff
    should not hold) are decided by the lower band start, then the lower id, so the choice never depends on
    the rows' order."""
    best: FeeRow | None = None
    best_key = None
    for row in rows:
        if not row.matches(job):
            continue
        key = (row.specificity(), -row.km_from, -(row.id or 0))
        if best_key is None or key > best_key:
            best, best_key = row, key
    return best


def travel_allowance(km: Decimal | None, free_km: Decimal, per_km: Decimal, cap: Decimal | None) -> Decimal:
    """The exact (unrounded) allowance past the free kilometres at the rate per km, at most ``cap``
    (None: no cap). Unknown distance earns nothing."""
    if km is None or km <= free_km:
        return ZERO
    exact = (Decimal(km) - free_km) * per_km
    return min(exact, cap) if cap is not None else exact


def is_night(hour: int | None, night_from: int, night_to: int) -> bool:
    """Whether ``hour`` falls in [night_from, night_to), a span that may pass midnight (22 → 6)."""
    if hour is None or night_from == night_to:
        return False
    if night_from < night_to:
        return night_from <= hour < night_to
    return hour >= night_from or hour < night_to


def surcharges(job: Job, tariff: TariffTerms) -> list[LineDraft]:
    """The fixed surcharges the job's facts call for: night, holiday, high floor without a lift, remote area."""
    lines = []
    if is_night(job.started_hour, tariff.night_from_hour, tariff.night_to_hour):
        lines.append((NIGHT, tariff.night_surcharge, {"started_hour": job.started_hour,
                                                       "night_from_hour": tariff.night_from_hour,
                                                       "night_to_hour": tariff.night_to_hour}))
    if job.is_holiday:
        lines.append((HOLIDAY, tariff.holiday_surcharge, {}))
    if job.floor is not None and job.has_lift is False and job.floor >= tariff.high_floor_from:
        lines.append((HIGH_FLOOR, tariff.high_floor_surcharge, {"floor": job.floor,
                                                                "high_floor_from": tariff.high_floor_from}))
    if job.remote:
        lines.append((REMOTE, tariff.remote_surcharge, {"region_id": job.region_id}))
    return [LineDraft(kind=kind, amount=money(amount), basis={**basis, "tariff_id": tariff.id,
                                                              "exact": str(amount)})
            for kind, amount, basis in lines if amount]


def _km(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def lines_for(job: Job, tariff: TariffTerms | None) -> list[LineDraft]:
    """Every line the job earns from ``tariff`` (the published one valid on its completion day): the fee, the
    travel allowance, the surcharges, and the fixed fee of each visit that failed through the customer. Without a
    tariff or a matching row the fee line is still made, at 0 with the reason ``no_tariff``, so the gap shows on
    the statement. An order cancelled after failed visits earns their fixed fee alone."""
    facts = {"service_type": job.service_type, "category_id": job.category_id, "model_id": job.model_id,
             "outlet_type": job.outlet_type, "region_id": job.region_id, "distance_km": _km(job.distance_km)}
    failed = []
    if tariff is not None and job.failed_visits and tariff.failed_visit_fee:
        exact = tariff.failed_visit_fee * job.failed_visits
        failed.append(LineDraft(kind=FAILED_VISIT, amount=money(exact), basis={
            "tariff_id": tariff.id, "visits": job.failed_visits, "per_visit": str(tariff.failed_visit_fee),
            "exact": str(exact)}))
    if job.cancelled:
        return failed
    if tariff is None:
        return [LineDraft(kind=FEE, amount=money(0), basis={**facts, "reason": NO_TARIFF, "tariff_id": None})]
    lines: list[LineDraft] = []
    row = match_fee(tariff.fees, job)
    if row is None:
        lines.append(LineDraft(kind=FEE, amount=money(0),
                               basis={**facts, "reason": NO_TARIFF, "tariff_id": tariff.id}))
    else:
        lines.append(LineDraft(kind=FEE, amount=money(row.fee), basis={
            **facts, "tariff_id": tariff.id, "fee_row_id": row.id, "exact": str(row.fee),
            "band": [str(row.km_from), _km(row.km_to)]}))
    travel = travel_allowance(job.distance_km, tariff.free_km, tariff.per_km, tariff.travel_cap)
    if travel:
        lines.append(LineDraft(kind=TRAVEL, amount=money(travel), basis={
            "tariff_id": tariff.id, "distance_km": _km(job.distance_km), "free_km": str(tariff.free_km),
            "per_km": str(tariff.per_km), "cap": _km(tariff.travel_cap), "exact": str(travel)}))
    lines.extend(surcharges(job, tariff))
    return lines + failed


def rules_on(rules: Iterable[Rule], day: dt.date) -> dict[str, Rule]:
    """The one rule of each kind that applies on ``day``: active and valid then; of several, the latest
    ``valid_from`` (then the higher id), so the choice never depends on the rules' order."""
    chosen: dict[str, Rule] = {}
    for rule in rules:
        if not rule.valid_on(day):
            continue
        best = chosen.get(rule.kind)
        if best is None or (rule.valid_from, rule.id or 0) > (best.valid_from, best.id or 0):
            chosen[rule.kind] = rule
    return chosen


def _charge(rule: Rule, fee: Decimal, times: int = 1) -> tuple[Decimal, dict[str, Any]]:
    """The exact (unrounded) sum ``rule`` charges ``times`` over: its fixed amount, else its share of ``fee``."""
    if rule.amount is not None:
        return rule.amount * times, {"amount": str(rule.amount)}
    share = rule.share if rule.share is not None else ZERO
    return fee * share / 100 * times, {"share": str(share), "fee": str(fee)}


def rule_lines(job: Job, rules: Iterable[Rule], fee: Decimal = ZERO) -> list[LineDraft]:
    """The deduction (negative) and bonus lines the job's facts call for under ``rules`` (one rule per kind, as
    ``rules_on`` its completion day picks), each rounded once. ``fee`` is the order's fee line, the base of
    a share; a rework's share is of its first order's fee."""
    if job.completed_day is None or job.cancelled:
        return []
    chosen = rules_on(rules, job.completed_day)
    found: list[tuple[Rule, Decimal, dict[str, Any]]] = []
    rule = chosen.get(REWORK)
    if (rule is not None and job.rework_after_days is not None
            and (rule.days is None or job.rework_after_days <= rule.days)):
        exact, basis = _charge(rule, job.rework_first_fee if job.rework_first_fee is not None else ZERO)
        found.append((rule, exact, {**basis, "rework_of": job.rework_of_id, "after_days": job.rework_after_days,
                                    "days": rule.days}))
    rule = chosen.get(COMPLAINT)
    if rule is not None and job.upheld_complaints:
        # The amount each verdict sets; a verdict that sets none costs the rule's fixed amount (or share).
        exact = ZERO
        for _id, amount in job.upheld_complaints:
            exact += amount if amount else _charge(rule, fee)[0]
        found.append((rule, exact, {"complaints": [[pk, str(amount)] for pk, amount in job.upheld_complaints]}))
    rule = chosen.get(SLA_BREACH)
    if rule is not None and job.sla_breaches:
        exact, basis = _charge(rule, fee, job.sla_breaches)
        found.append((rule, exact, {**basis, "breaches": job.sla_breaches}))
    rule = chosen.get(MISSING_SIGNATURE)
    if rule is not None and not job.has_signature and not job.mail_in:
        exact, basis = _charge(rule, fee)
        found.append((rule, exact, basis))
    rule = chosen.get(MISSING_PHOTO)
    if rule is not None and job.missing_photos:
        exact, basis = _charge(rule, fee)  # once per order, however many photos are missing
        found.append((rule, exact, {**basis, "photos": list(job.missing_photos)}))
    rule = chosen.get(SATISFACTION_BONUS)
    if (rule is not None and job.month_rating_average is not None and rule.threshold is not None
            and job.month_rating_average >= rule.threshold and job.month_rating_count >= (rule.min_ratings or 0)):
        exact, basis = _charge(rule, fee)
        found.append((rule, exact, {**basis, "average": str(job.month_rating_average),
                                    "ratings": job.month_rating_count, "threshold": str(rule.threshold),
                                    "at_least": rule.min_ratings}))
    lines = []
    for rule, exact, basis in found:
        signed = exact if rule.kind in BONUSES else -exact
        if not exact:
            continue
        lines.append(LineDraft(kind=rule.kind, amount=money(signed), rule_id=rule.id,
                               basis={**basis, "rule_id": rule.id, "exact": str(signed)}))
    return lines
