"""The order's timeline: one function per kind of event, each writing one ``WorkOrderEvent`` row.

Every service that puts a step on an order's timeline calls one of these inside its own transaction,
so who did it, in which role, what the customer sees and what ``data`` holds are decided here once (as
Saleor's ``order/events.py`` does). The demo's bulk history is the one other writer.

The steps others act on (a message to the customer, a notification) are also recorded in the outbox
(core/outbox.py, docs/outbox.md) here, in the same transaction: ``order.created``, ``order.booked`` (a first
window) or ``order.moved`` (the window changed), one ``order.*`` kind per lifecycle step (``ORDER_KINDS``),
``order.rated`` and ``order.rework_opened``. Their ``data`` holds what a message needs as it was at the event
(number, the booked window, the technician's name, the ETA as ISO text, the customer's link), never a secret: a
message sent later (quiet hours, a retry) still tells what was true when it happened, not what the order says by
then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from accounts.choices import SYSTEM
from core import outbox
from core.hooks import Provider
from workorders.choices import EventKind, Status, is_first_window
from workorders.models import WorkOrder, WorkOrderEvent

if TYPE_CHECKING:
    from accounts.principal import Principal

# The outbox kind of each lifecycle step (workorders.workflow.ACTIONS).
ORDER_KINDS = {
    "assign": "order.outlet_assigned", "return_to_brand": "order.returned_to_brand", "dispatch": "order.assigned",
    "accept": "order.accepted", "decline": "order.declined", "recall": "order.recalled", "depart": "order.en_route",
    "arrive": "order.arrived", "hold": "order.held", "resume": "order.resumed", "complete": "order.completed",
    "redeliver": "order.completed",
    "close": "order.closed", "cancel": "order.cancelled",
}
# Steps whose event names the technician on the job.
NAMES_TECHNICIAN = frozenset({"dispatch", "accept", "depart", "arrive", "complete"})

# When the technician who sets off now should arrive (None when it cannot be told): the tracking page's
# own estimate, which the portal registers (portal/hooks.py), so a message never promises another time.
estimate_arrival: Provider[Callable[[WorkOrder, dt.datetime], dt.datetime | None]] = Provider(
    "workorders.estimate_arrival")
# The address of the customer's own page of the order, as a message links to it (notifications supplies it).
customer_link: Provider[Callable[[WorkOrder], str]] = Provider("workorders.customer_link")


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def publish(kind: str, *, order: WorkOrder, data: dict[str, Any], at: dt.datetime) -> None:
    """Record ``kind`` about ``order`` in the outbox (inside the caller's transaction), its number beside ``data``."""
    outbox.record(kind, brand_id=order.brand_id, work_order_id=order.pk, subject=("workorder", order.pk),
                  data={"number": order.number, **data}, at=at)


def created_data(order: WorkOrder) -> dict[str, Any]:
    """What ``order.created`` carries besides the number (the PostgreSQL insert adds the number itself). No
    link: on PostgreSQL the order has no id before its one INSERT, and the message does not need one."""
    return {"type": order.type, "channel": order.channel, "priority": order.priority,
            "slot_start": _iso(order.slot_start), "slot_end": _iso(order.slot_end)}


def _for_the_customer(order: WorkOrder) -> dict[str, Any]:
    """What a message to the customer about a step names besides its own fields: the booked window and the link
    to their page of the order, as they are at the step."""
    told: dict[str, Any] = {"slot_start": _iso(order.slot_start), "slot_end": _iso(order.slot_end)}
    if customer_link.registered:
        told["link"] = customer_link(order)
    return told


def _record(order_id: int, kind: str, *, actor: Principal | None, at: dt.datetime, **fields: Any) -> WorkOrderEvent:
    # No actor: the system's own watch (the SLA clocks), recorded with no user and the system's role.
    user, role = (actor.user, actor.role) if actor is not None else (None, SYSTEM)
    return WorkOrderEvent.objects.create(work_order_id=order_id, kind=kind, actor=user, actor_role=role,
                                         created_at=at, **fields)


def created(*, actor: Principal, channel: str, at: dt.datetime) -> WorkOrderEvent:
    """The order was opened. Not saved: the order, its number and this row are inserted in one go
    (workorders.services.create_work_order), which sets its order."""
    return WorkOrderEvent(kind=EventKind.CREATED, to_status=Status.NEW, actor=actor.user, actor_role=actor.role,
                          customer_visible=True, data={"channel": channel}, created_at=at)


def transitioned(*, order: WorkOrder, action: str, from_status: str, to_status: str, actor: Principal, reason: str,
                 customer_visible: bool, data: dict[str, Any], at: dt.datetime, technician=None) -> WorkOrderEvent:
    """The order moved along its lifecycle (workorders.workflow.transition); ``order`` as it was before the
    step, ``technician`` the one the step gave the job to (dispatch)."""
    row = _record(order.pk, EventKind.TRANSITION, actor=actor, at=at, action=action, from_status=from_status,
                  to_status=to_status, reason=reason, customer_visible=customer_visible, data=data)
    told: dict[str, Any] = {"action": action, "from_status": from_status, "to_status": to_status,
                            "customer_visible": customer_visible, "actor_role": actor.role,
                            **_for_the_customer(order)}
    if customer_visible and reason:
        told["reason"] = reason
    for key in ("outlet", "hold_reason"):
        if key in data:
            told[key] = data[key]
    if action in NAMES_TECHNICIAN:
        technician = technician or order.technician
        told["technician"] = technician.name if technician is not None else ""
    if action == "depart":
        told["eta"] = _iso(estimate_arrival(order, at)) if estimate_arrival.registered else None
    publish(ORDER_KINDS.get(action, f"order.{action}"), order=order, data=told, at=at)
    return row


def edited(*, order_id: int, actor: Principal, before: dict[str, Any], after: dict[str, Any],
           at: dt.datetime) -> WorkOrderEvent:
    """Fields of the order changed: their values before and after."""
    return _record(order_id, EventKind.EDITED, actor=actor, at=at, data={"before": before, "after": after})


def rescheduled(*, order: WorkOrder, actor: Principal, before: Any, after: Any,
                at: dt.datetime) -> WorkOrderEvent:
    """The booked window changed (each window a pair of UTC ISO times, None for none); the customer sees it, and
    is told: ``order.booked`` for a first window, ``order.moved`` for one that replaced another."""
    row = _record(order.pk, EventKind.RESCHEDULED, actor=actor, at=at, customer_visible=True,
                  data={"from": before, "to": after})
    start, end = after if after else (None, None)
    # A first window is a booking; one that replaced another (or was taken back) is a move: each its own message.
    kind = "order.booked" if is_first_window(before) else "order.moved"
    publish(kind, order=order, at=at, data={
        **_for_the_customer(order), "slot_start": start, "slot_end": end, "previous": before,
        "actor_role": actor.role})
    return row


def noted(*, order_id: int, actor: Principal, text: str, at: dt.datetime, customer_visible: bool = False,
          data: dict[str, Any] | None = None) -> WorkOrderEvent:
    """A note on the timeline, by hand or by a service (a dispatch over the ranking says why in ``data``)."""
    return _record(order_id, EventKind.NOTE, actor=actor, at=at, reason=text, customer_visible=customer_visible,
                   data=data or {})


def reworked(*, original: WorkOrder, rework: WorkOrder, actor: Principal, reason: str,
             at: dt.datetime) -> WorkOrderEvent:
    """The finished ``original`` is done again as the new order ``rework`` (workorders.rework): both timelines
    name the other, and ``order.rework_opened`` (about the original) is recorded in the outbox."""
    outlet = rework.outlet.name if rework.outlet_id else ""
    row = _record(original.pk, EventKind.REWORK, actor=actor, at=at, reason=reason, customer_visible=True,
                  data={"rework": rework.pk, "rework_number": rework.number, "outlet": outlet})
    _record(rework.pk, EventKind.REWORK, actor=actor, at=at, reason=reason, customer_visible=True,
            data={"rework_of": original.pk, "rework_of_number": original.number})
    publish("order.rework_opened", order=original, at=at, data={
        "rework_id": rework.pk, "rework_number": rework.number, "outlet": outlet, "actor_role": actor.role})
    return row


def called(*, order_id: int, actor: Principal, outcome: str, call_id: int, note: str,
           at: dt.datetime) -> WorkOrderEvent:
    """The desk called the customer about this order."""
    return _record(order_id, EventKind.CALL, actor=actor, at=at, reason=note,
                   data={"outcome": outcome, "call": call_id})


def alerted(*, order_id: int, actor: Principal, reason: str, data: dict[str, Any], at: dt.datetime) -> WorkOrderEvent:
    """A device reported a fault on the order's unit (integrations.services.iot)."""
    return _record(order_id, EventKind.ALERT, actor=actor, at=at, reason=reason, data=data)


def rated(*, order: WorkOrder, actor: Principal, score: int, comment: str, at: dt.datetime) -> WorkOrderEvent:
    """The customer rated the service; the customer sees their own rating."""
    row = _record(order.pk, EventKind.RATING, actor=actor, at=at, reason=comment, customer_visible=True,
                  data={"score": score})
    publish("order.rated", order=order, at=at, data={"score": score, "comment": comment})
    return row


def sla_marked(*, order: WorkOrder, clock: str, state: str, due: dt.datetime, at: dt.datetime) -> WorkOrderEvent:
    """The SLA watch moved one clock's alert (at risk, breached): on the timeline, and ``sla.alert`` in the
    outbox (notifications tells the dispatchers)."""
    data = {"clock": clock, "state": state, "due": due.isoformat()}
    row = _record(order.pk, EventKind.SLA, actor=None, at=at, action=f"{clock}_{state}", data=data)
    publish("sla.alert", order=order, data=data, at=at)
    return row


def urged(*, order_id: int, actor: Principal, seq: int, channel: str, note: str, at: dt.datetime) -> WorkOrderEvent:
    """The customer (or an agent for them) urged the late order; the customer sees their urges."""
    return _record(order_id, EventKind.URGE, actor=actor, at=at, reason=note, customer_visible=True,
                   data={"seq": seq, "channel": channel})
