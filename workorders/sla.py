"""SLA deadlines: which policy applies to an order, from a per-process copy of the brand's policies.

Every new order needs its brand's SLA policies, and they change a few times a year, so each process
keeps a copy per brand for ``POLICY_TTL`` seconds (core.ttl_cache) instead of reading them on every creation. An edit
saved in this process applies at once (``forget_policies``, on SlaPolicy post_save/post_delete); other
processes apply it within the TTL.

The most specific rule wins: an enterprise customer's contract in force on the day (SlaContract, per
priority), then a policy for region and segment, region, segment, the brand's own, then the defaults.
The contracts travel in the same copy, so creation still reads nothing.

The minutes are service minutes (workorders/service_time.py): counted in the service hours of the
outlet's calendar, else the region's, else the brand's, with the official holidays; a contract that
says 7×24, or a brand without a calendar, counts round the clock.

**The deadline rule** (``due_times``), the one every screen, the watch, dispatch and the demo read
through the stored columns: the on-site commitment of a booked order is the end of its booked window
(arrive by then), and of an order without a booking the policy's on-site minutes after opening; the
response is due the policy's response minutes after opening, and never after the on-site commitment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.utils import timezone

from core.ttl_cache import TtlCache
from workorders.choices import Priority
from workorders.models import HolidayDate, SlaContractTerm, SlaPolicy
from workorders.models import ServiceCalendar as CalendarRow
from workorders.service_time import ROUND_THE_CLOCK, ServiceCalendar

# Deadlines when the brand has set no policy: (respond, be on site) in minutes.
DEFAULT_SLA_MINUTES = {
    Priority.URGENT: (30, 4 * 60),
    Priority.HIGH: (60, 8 * 60),
    Priority.NORMAL: (120, 24 * 60),
    Priority.LOW: (240, 48 * 60),
}
POLICY_TTL = 60.0


@dataclass(frozen=True)
class PolicyRow:
    region_id: int | None
    segment: str
    priority: str
    response_minutes: int
    onsite_minutes: int


@dataclass(frozen=True)
class ContractRow:
    priority: str
    response_minutes: int
    onsite_minutes: int
    starts_on: dt.date
    ends_on: dt.date | None
    round_the_clock: bool = False

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


@dataclass(frozen=True)
class BrandSla:
    policies: tuple[PolicyRow, ...]
    contracts: dict[int, tuple[ContractRow, ...]]  # by customer id, latest start first
    # (region id, outlet id) -> calendar; (None, None) is the brand's own.
    calendars: dict[tuple[int | None, int | None], ServiceCalendar] = dataclass_field(default_factory=dict)


@dataclass(frozen=True)
class Terms:
    """What an order is promised: minutes to respond and to be on site, counted in ``calendar``."""

    response_minutes: int
    onsite_minutes: int
    calendar: ServiceCalendar


_copies: TtlCache[BrandSla] = TtlCache(POLICY_TTL)


def _brand_sla(brand_id: int) -> BrandSla:
    return _copies.get(brand_id, lambda: _load_brand_sla(brand_id))


def _load_brand_sla(brand_id: int) -> BrandSla:
    policies = tuple(
        PolicyRow(*values) for values in SlaPolicy.objects.filter(brand_id=brand_id).values_list(
            "region_id", "segment", "priority", "response_minutes", "onsite_minutes"
        )
    )
    contracts: dict[int, list[ContractRow]] = {}
    terms = SlaContractTerm.objects.filter(contract__brand_id=brand_id).order_by(
        "contract__customer_id", "-contract__starts_on", "-contract_id").values_list(
        "contract__customer_id", "priority", "response_minutes", "onsite_minutes", "contract__starts_on",
        "contract__ends_on", "contract__round_the_clock")
    for customer_id, *values in terms:
        contracts.setdefault(customer_id, []).append(ContractRow(*values))
    return BrandSla(policies, {k: tuple(v) for k, v in contracts.items()}, _calendars(brand_id))


def _calendars(brand_id: int) -> dict[tuple[int | None, int | None], ServiceCalendar]:
    rows = list(CalendarRow.objects.filter(brand_id=brand_id))
    if not rows:
        return {}
    days = dict(HolidayDate.objects.values_list("date", "kind"))
    tz = timezone.get_default_timezone()
    return {
        (row.region_id, row.outlet_id): ROUND_THE_CLOCK if row.round_the_clock else ServiceCalendar(
            tz=tz, workday=row.hours("workday"), restday=row.hours("restday"), holiday=row.hours("holiday"),
            days=days)
        for row in rows
    }


def calendar_for(brand_id: int, *, region_id: int | None = None, outlet_id: int | None = None) -> ServiceCalendar:
    """The service hours an order counts in: its outlet's, else its region's, else the brand's, else 7×24."""
    calendars = _brand_sla(brand_id).calendars
    if outlet_id is not None and (None, outlet_id) in calendars:
        return calendars[(None, outlet_id)]
    return calendars.get((region_id, None)) or calendars.get((None, None)) or ROUND_THE_CLOCK


def _policies(brand_id: int) -> tuple[PolicyRow, ...]:
    return _brand_sla(brand_id).policies


def contract_terms(brand_id: int, customer_id: int, priority: str, day: dt.date) -> ContractRow | None:
    """The customer's contract term for this priority in force on ``day`` (the latest-starting contract wins)."""
    for row in _brand_sla(brand_id).contracts.get(customer_id, ()):
        if row.priority == priority and row.covers(day):
            return row
    return None


def forget_policies(brand_id: int | None = None) -> None:
    if brand_id is None:
        _copies.clear()
    else:
        _copies.forget(brand_id)


def best_policy(
    rows: tuple[PolicyRow, ...], *, region_id: int | None, segment: str, priority: str
) -> PolicyRow | None:
    """The most specific policy that applies: region and segment both set beat either, either beats none."""
    best: tuple[tuple[bool, bool], PolicyRow] | None = None
    for row in rows:
        if row.priority != priority or row.region_id not in (None, region_id) or row.segment not in ("", segment):
            continue
        rank = (row.region_id is not None, row.segment != "")
        if best is None or rank > best[0]:
            best = (rank, row)
    return best[1] if best else None


def sla_minutes(
    *, brand_id: int, region_id: int | None, segment: str, priority: str, customer_id: int | None = None,
    day: dt.date | None = None,
) -> tuple[int, int]:
    """(respond within, be on site within) in minutes for a new order opened on ``day``."""
    if customer_id is not None:
        term = contract_terms(brand_id, customer_id, priority, day or timezone.localdate())
        if term is not None:
            return term.response_minutes, term.onsite_minutes
    row = best_policy(_policies(brand_id), region_id=region_id, segment=segment, priority=priority)
    if row is not None:
        return row.response_minutes, row.onsite_minutes
    return DEFAULT_SLA_MINUTES[priority]


def sla_terms(
    *, brand_id: int, region_id: int | None, segment: str, priority: str, customer_id: int | None = None,
    outlet_id: int | None = None, day: dt.date | None = None,
) -> Terms:
    """The minutes and the calendar that apply to an order opened on ``day``."""
    calendar = calendar_for(brand_id, region_id=region_id, outlet_id=outlet_id)
    if customer_id is not None:
        term = contract_terms(brand_id, customer_id, priority, day or timezone.localdate())
        if term is not None:
            return Terms(term.response_minutes, term.onsite_minutes,
                         ROUND_THE_CLOCK if term.round_the_clock else calendar)
    respond, onsite = sla_minutes(brand_id=brand_id, region_id=region_id, segment=segment, priority=priority)
    return Terms(respond, onsite, calendar)


def due_times(terms: Terms, *, opened_at: dt.datetime, slot_end: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    """(response due, on-site due) of an order opened at ``opened_at``: the deadline rule (module docstring)."""
    response_due = terms.calendar.add_minutes(opened_at, terms.response_minutes)
    onsite_due = slot_end if slot_end is not None else terms.calendar.add_minutes(opened_at, terms.onsite_minutes)
    # Booked tonight for first thing tomorrow: whoever is on site by the window's end has taken the job on.
    return min(response_due, onsite_due), onsite_due


def terms_of(order, *, day: dt.date | None = None) -> Terms:
    """The terms of an existing order (its brand, region, outlet, customer's segment and contract)."""
    return sla_terms(brand_id=order.brand_id, region_id=order.region_id, segment=order.customer.segment,
                     priority=order.priority, customer_id=order.customer_id, outlet_id=order.outlet_id, day=day)


def due_times_of(order, *, opened_at: dt.datetime | None = None,
                 slot_end: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """``due_times`` for an existing order: opened at its creation, booked for its own window unless told."""
    return due_times(terms_of(order, day=(opened_at or order.created_at).date()),
                     opened_at=opened_at or order.created_at, slot_end=slot_end or order.slot_end)
