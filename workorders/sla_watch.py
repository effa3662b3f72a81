"""The periodic SLA watch: marks each order's clocks at risk and breached, once each, and says so.

For every open order whose clock still runs (workorders/sla_clock.py: not met, not paused) the watch
moves that clock's alert column forwards only, ok → at_risk → breached (straight to breached when the
at-risk window was missed), by compare-and-set on the column's present value. The update that wins
writes a staff-only ``sla`` event on the timeline and records ``sla.alert`` in the outbox, both in the
same transaction; the outbox hands it to notifications' in-app sink, which tells the dispatchers
(notifications/sinks.py). A second or concurrent run finds nothing left to move, so each step is
recorded and notified once.

A pause cannot make a clock look better than when it stopped (the deadline moves by exactly the time
that passed), so a marked clock never needs to go back to ok.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.choices import OrgKind
from accounts.models import Organisation
from workorders import events
from workorders.choices import OPEN_STATUSES, SlaAlert, SlaClock, Status
from workorders.models import WorkOrder
from workorders.selectors import _InLiterals
from workorders.sla_state import AT_RISK_WINDOW, PAUSING_HOLD_REASONS

# The states an alert may move to the key from.
BEFORE = {SlaAlert.AT_RISK: (SlaAlert.OK,), SlaAlert.BREACHED: (SlaAlert.OK, SlaAlert.AT_RISK)}
# Before the response is met the order cannot be past these statuses.
NOT_YET_ACCEPTED = frozenset({Status.NEW, Status.ASSIGNED, Status.DISPATCHED, Status.ON_HOLD})


def _running(clock: str) -> Q:
    """The clock still runs: open, not met, not paused. Literal statuses, as the partial indexes' (selectors)."""
    not_paused = ~Q(hold_reason__in=sorted(PAUSING_HOLD_REASONS))
    if clock == SlaClock.ONSITE:
        return Q(arrived_at__isnull=True) & Q(_InLiterals(F("status"), sorted(OPEN_STATUSES))) & not_paused
    return Q(accepted_at__isnull=True) & Q(_InLiterals(F("status"), sorted(NOT_YET_ACCEPTED))) & not_paused


def _due_q(clock: str, state: str, now: dt.datetime) -> Q:
    due = f"{clock}_due"
    if state == SlaAlert.BREACHED:
        window = Q(**{f"{due}__lt": now})
    else:
        window = Q(**{f"{due}__gte": now, f"{due}__lt": now + AT_RISK_WINDOW})
    return _running(clock) & window & Q(**{f"{clock}_alert__in": BEFORE[state]})


def mark(*, order_id: int, clock: str, state: str, now: dt.datetime) -> bool:
    """Move one clock's alert to ``state`` if it is still due to move; True if this call moved it."""
    with transaction.atomic():
        moved = WorkOrder.objects.filter(_due_q(clock, state, now), pk=order_id).update(**{f"{clock}_alert": state})
        if not moved:
            return False
        order = WorkOrder.objects.only("pk", "brand_id", "number", f"{clock}_due").get(pk=order_id)
        events.sla_marked(order=order, clock=clock, state=state, due=getattr(order, f"{clock}_due"), at=now)
    return True


def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One pass over every brand; returns how many clocks moved, by "clock_state"."""
    now = now or timezone.now()
    moved: Counter[str] = Counter()
    brands = Organisation.objects.filter(kind=OrgKind.BRAND, is_active=True).values_list("pk", flat=True)
    for brand_id in list(brands):
        for clock in (SlaClock.ONSITE.value, SlaClock.RESPONSE.value):
            # Breached first: an order past its deadline goes straight there, with one notification.
            for state in (SlaAlert.BREACHED.value, SlaAlert.AT_RISK.value):
                # Per brand, so the on-site query is a range on the open-orders index (brand, onsite_due).
                candidates = WorkOrder.objects.filter(_due_q(clock, state, now), brand_id=brand_id)
                for order_id in list(candidates.order_by().values_list("pk", flat=True)):
                    if mark(order_id=order_id, clock=clock, state=state, now=now):
                        moved[f"{clock}_{state}"] += 1
    return dict(moved)
