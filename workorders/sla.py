"""SLA deadlines: which policy applies to an order, from a per-process copy of the brand's policies.

Every new order needs its brand's SLA policies, and they change a few times a year, so each process
keeps a copy per brand for ``POLICY_TTL`` seconds instead of reading them on every creation. An edit
saved in this process applies at once (``forget_policies``, on SlaPolicy post_save/post_delete); other
processes apply it within the TTL.

The most specific rule wins: an enterprise customer's contract in force on the day (SlaContract, per
priority), then a policy for region and segment, region, segment, the brand's own, then the defaults.
The contracts travel in the same copy, so creation still reads nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from workorders.choices import Priority

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

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


@dataclass(frozen=True)
class BrandSla:
    policies: tuple[PolicyRow, ...]
    contracts: dict[int, tuple[ContractRow, ...]]  # by customer id, latest start first


_cache: dict[int, tuple[float, BrandSla]] = {}
_lock = threading.Lock()


def _brand_sla(brand_id: int) -> BrandSla:
    now = time.monotonic()
    hit = _cache.get(brand_id)
    if hit is not None and now - hit[0] < POLICY_TTL:
        return hit[1]
    from workorders.models import SlaContractTerm, SlaPolicy

    policies = tuple(
        PolicyRow(*values) for values in SlaPolicy.objects.filter(brand_id=brand_id).values_list(
            "region_id", "segment", "priority", "response_minutes", "onsite_minutes"
        )
    )
    contracts: dict[int, list[ContractRow]] = {}
    terms = SlaContractTerm.objects.filter(contract__brand_id=brand_id).order_by(
        "contract__customer_id", "-contract__starts_on", "-contract_id").values_list(
        "contract__customer_id", "priority", "response_minutes", "onsite_minutes", "contract__starts_on",
        "contract__ends_on")
    for customer_id, *values in terms:
        contracts.setdefault(customer_id, []).append(ContractRow(*values))
    entry = BrandSla(policies, {k: tuple(v) for k, v in contracts.items()})
    with _lock:
        _cache[brand_id] = (now, entry)
    return entry


def _policies(brand_id: int) -> tuple[PolicyRow, ...]:
    return _brand_sla(brand_id).policies


def contract_terms(brand_id: int, customer_id: int, priority: str, day: dt.date) -> ContractRow | None:
    """The customer's contract term for this priority in force on ``day`` (the latest-starting contract wins)."""
    for row in _brand_sla(brand_id).contracts.get(customer_id, ()):
        if row.priority == priority and row.covers(day):
            return row
    return None


def forget_policies(brand_id: int | None = None) -> None:
    with _lock:
        if brand_id is None:
            _cache.clear()
        else:
            _cache.pop(brand_id, None)


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
        from django.utils import timezone

        term = contract_terms(brand_id, customer_id, priority, day or timezone.localdate())
        if term is not None:
            return term.response_minutes, term.onsite_minutes
    row = best_policy(_policies(brand_id), region_id=region_id, segment=segment, priority=priority)
    if row is not None:
        return row.response_minutes, row.onsite_minutes
    return DEFAULT_SLA_MINUTES[priority]
