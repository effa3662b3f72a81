"""The SLA clocks of one order: when they stand still and by how much a pause moves them.

An order has two clocks, each with its deadline set at creation (workorders/sla.py):

- the **response** clock runs until the technician accepts the job (``accepted_at``). Assigning to an
  outlet or dispatching to a technician is routing inside the service network; the response the
  customer is promised is a named person taking the job on, so that is the moment that meets it;
- the **on-site** clock runs until the technician checks in on site (``arrived_at``).

While the order is on hold waiting for the customer (hold reason ``waiting_customer``) both clocks
stand still: the time is the customer's. Waiting for parts, or any other hold, is the service side's
own delay and the clocks keep running. When the pause ends (the order is resumed, or cancelled
while on hold), every clock still running has its deadline moved later by the paused span, and the
span is added to the order's paused total (``sla_paused_seconds``, for KPIs). Spans are counted in
whole seconds. A deadline counted in service time moves by the service time the pause took (a night
the brand is closed moves nothing); a booked window is the customer's own clock time and moves by the
span itself. With a 7×24 calendar the two are the same, so for every such order: deadline moved ==
sum of the spans that ended while that clock ran, and paused total == sum of all spans.

Moving a booking moves the on-site commitment to the new window's end (``rebooked_clocks``); a wait
for the customer still running goes on from the new booking, its span so far counted as ended.

A rework (workorders/rework.py) is a new order, so its clocks are a new order's, set at its creation.

``transition`` (workorders/workflow.py) applies these changes in its one compare-and-set update, so a
pause can never be half-recorded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from workorders.choices import SlaAlert
from workorders.sla import due_times, terms_of
from workorders.sla_state import PAUSING_HOLD_REASONS


def clock_changes(order, action_name: str, *, hold_reason: str, now: dt.datetime) -> tuple[dict[str, Any], int]:
    """(column changes, seconds of the pause that ends now) for this lifecycle step."""
    if action_name == "hold":
        return ({"sla_paused_at": now} if hold_reason in PAUSING_HOLD_REASONS else {}), 0
    if order.sla_paused_at is None or action_name not in ("resume", "cancel"):
        return {}, 0
    return _pause_ended(order, now)


def _pause_ended(order, now: dt.datetime) -> tuple[dict[str, Any], int]:
    seconds = max(int((now - order.sla_paused_at).total_seconds()), 0)
    span = dt.timedelta(seconds=seconds)
    changes: dict[str, Any] = {"sla_paused_at": None, "sla_paused_seconds": order.sla_paused_seconds + seconds}
    if (order.accepted_at is None and order.response_due is not None) or (
            order.arrived_at is None and order.onsite_due is not None):
        calendar = terms_of(order).calendar
        served = calendar.seconds_between(order.sla_paused_at, order.sla_paused_at + span)
        if order.accepted_at is None and order.response_due is not None and served:
            changes["response_due"] = calendar.add(order.response_due, served)
        if order.arrived_at is None and order.onsite_due is not None:
            if order.slot_end is not None:
                changes["onsite_due"] = order.onsite_due + span
            elif served:
                changes["onsite_due"] = calendar.add(order.onsite_due, served)
    return changes, seconds


def rebooked_clocks(order, *, slot_end: dt.datetime | None, now: dt.datetime) -> dict[str, Any]:
    """Column changes when the order's booking moves to a window ending at ``slot_end`` (None: no booking)."""
    changes: dict[str, Any] = {}
    if order.sla_paused_at is not None:
        changes, _seconds = _pause_ended(order, now)
        changes["sla_paused_at"] = now
    if order.arrived_at is None:
        if slot_end is None:
            onsite_due = due_times(terms_of(order), opened_at=order.created_at, slot_end=None)[1]
        else:
            onsite_due = slot_end
        changes["onsite_due"] = onsite_due
        if onsite_due > now:
            # The watch marks the new commitment afresh: a moved booking is not late for the old one.
            changes["onsite_alert"] = SlaAlert.OK
    return changes


def paused_seconds_now(order, now: dt.datetime) -> int:
    """The paused total including the pause still running, for display."""
    running = 0
    if order.sla_paused_at is not None:
        running = max(int((now - order.sla_paused_at).total_seconds()), 0)
    return order.sla_paused_seconds + running
