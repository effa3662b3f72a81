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
whole seconds and the deadlines move by exactly those seconds, so for every order: deadline moved ==
sum of the spans that ended while that clock ran, and paused total == sum of all spans.

Reopening a closed order as rework is a new promise to the customer: both clocks start again from
the reopening, with the minutes the order's SLA gives today, and the watch's marks go back to on track.

``transition`` (workorders/workflow.py) applies these changes in its one compare-and-set update, so a
pause can never be half-recorded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from workorders.choices import HoldReason, SlaAlert
from workorders.sla import sla_minutes

PAUSING_HOLD_REASONS = frozenset({HoldReason.WAITING_CUSTOMER})


def clock_changes(order, action_name: str, *, hold_reason: str, now: dt.datetime) -> tuple[dict[str, Any], int]:
    """(column changes, seconds of the pause that ends now) for this lifecycle step."""
    if action_name == "reopen":
        return restarted_clocks(order, now), 0
    if action_name == "hold":
        return ({"sla_paused_at": now} if hold_reason in PAUSING_HOLD_REASONS else {}), 0
    if order.sla_paused_at is None or action_name not in ("resume", "cancel"):
        return {}, 0
    seconds = max(int((now - order.sla_paused_at).total_seconds()), 0)
    span = dt.timedelta(seconds=seconds)
    changes: dict[str, Any] = {"sla_paused_at": None, "sla_paused_seconds": order.sla_paused_seconds + seconds}
    if order.accepted_at is None and order.response_due is not None:
        changes["response_due"] = order.response_due + span
    if order.arrived_at is None and order.onsite_due is not None:
        changes["onsite_due"] = order.onsite_due + span
    return changes, seconds


def restarted_clocks(order, now: dt.datetime) -> dict[str, Any]:
    respond, onsite = sla_minutes(
        brand_id=order.brand_id, region_id=order.region_id, segment=order.customer.segment,
        priority=order.priority, customer_id=order.customer_id, day=timezone.localdate(now),
    )
    return {
        "response_due": now + dt.timedelta(minutes=respond), "onsite_due": now + dt.timedelta(minutes=onsite),
        "accepted_at": None, "sla_paused_at": None, "response_alert": SlaAlert.OK, "onsite_alert": SlaAlert.OK,
    }


def paused_seconds_now(order, now: dt.datetime) -> int:
    """The paused total including the pause still running, for display."""
    running = 0
    if order.sla_paused_at is not None:
        running = max(int((now - order.sla_paused_at).total_seconds()), 0)
    return order.sla_paused_seconds + running
