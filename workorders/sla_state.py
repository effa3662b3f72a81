"""An open order's SLA state (on track, at risk, breached, paused) from the columns it depends on.

Plain values in, a state out, no ORM: the order itself (``WorkOrder.sla_state``), the list rows of the
console and the API (plain dicts) and the dispatch board all ask here.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from workorders.choices import OPEN_STATUSES, HoldReason, SlaState

AT_RISK_WINDOW = dt.timedelta(hours=2)
# Waiting for the customer stops the clocks: the time is the customer's (workorders/sla_clock.py).
PAUSING_HOLD_REASONS = frozenset({HoldReason.WAITING_CUSTOMER})


def sla_state_of(
    status: str, onsite_due: dt.datetime | None, arrived_at: dt.datetime | None, now: dt.datetime | None = None,
    *, hold_reason: str = "",
) -> str:
    """The SLA state from the columns it depends on (list rows are plain dicts, not orders).

    Waiting for the customer pauses the clock (workorders/sla_clock.py): such an order is "paused".
    """
    if status not in OPEN_STATUSES or onsite_due is None or arrived_at:
        return ""
    if hold_reason in PAUSING_HOLD_REASONS:
        return SlaState.PAUSED
    now = now or timezone.now()
    if onsite_due < now:
        return SlaState.BREACHED
    if onsite_due < now + AT_RISK_WINDOW:
        return SlaState.AT_RISK
    return SlaState.OK
