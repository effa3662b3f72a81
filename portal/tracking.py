"""The order as the customer follows it, like a parcel: six stages, the events they may see, the ETA.

Built from the order and its customer-visible events only (``selectors.customer_timeline``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from core.dates import window
from core.names import with_honorific
from core.text import render_lazy
from dispatch import masters
from portal import eta as eta_module
from workorders.choices import EventKind, HoldReason, Status, done_label, is_first_booking
from workorders.models import WorkOrder, WorkOrderEvent

# How far along each status is: received 0, assigned 1, on the way 2, on site 3, done 4, report 5.
RANK = {Status.NEW: 0, Status.ASSIGNED: 1, Status.DISPATCHED: 1, Status.ACCEPTED: 1, Status.EN_ROUTE: 2,
        Status.ON_SITE: 3, Status.COMPLETED: 4, Status.CLOSED: 5}
STAGES = [
    ("received", _("Request received")),
    ("assigned", _("Assigned")),
    ("en_route", _("Technician on the way")),
    ("on_site", _("Technician on site")),
    ("done", _("Service done")),
    ("report", _("Service report")),
]
STAGE_OF_STATUS = {Status.NEW: "received", Status.ASSIGNED: "assigned", Status.DISPATCHED: "assigned",
                   Status.ACCEPTED: "assigned", Status.EN_ROUTE: "en_route", Status.ON_SITE: "on_site",
                   Status.COMPLETED: "done", Status.CLOSED: "report"}
ACTION_TEXT = {
    "assign": _("Your request went to %(outlet)s"),
    "dispatch": _("%(technician)s will come to you"),
    "accept": _("The technician confirmed the visit"),
    "depart": _("The technician is on the way"),
    "arrive": _("The technician has arrived"),
    "hold": _("Paused: %(hold)s"),
    "resume": _("Work resumed"),
    # "complete" is said by the order's type (workorders.choices.done_label): an installation is not a repair.
    "close": _("Order closed"),
    "cancel": _("Cancelled: %(reason)s"),
    # Older timelines only: orders were reopened in place before a rework became a new order (workorders/rework.py).
    "reopen": _("Reopened for a follow-up visit"),
}
# A window in the language active when the text is shown (core.dates.window: the messages write it the same way).
window_lazy = lazy(window, str)


@dataclass
class Stage:
    code: str
    label: Any
    state: str = "todo"  # done, current, todo
    at: dt.datetime | None = None
    detail: Any = ""


@dataclass
class Tracking:
    order: WorkOrder
    stages: list[Stage]
    events: list[tuple[dt.datetime, Any]]
    eta: dt.datetime | None
    token: str
    live: bool  # still changing: the page keeps polling
    rating: Any = None
    extra: dict = field(default_factory=dict)


def _rank(order: WorkOrder, events: list[WorkOrderEvent]) -> int:
    status = order.held_from if order.status == Status.ON_HOLD else order.status
    if status in RANK:
        return RANK[status]
    # Cancelled: as far as it had come.
    return max((RANK.get(e.to_status, 0) for e in events if e.to_status and e.to_status != Status.CANCELLED),
               default=0)


def event_text(event: WorkOrderEvent, order_type: str | None = None) -> Any:
    data = event.data or {}
    if event.kind == EventKind.CREATED:
        return _("Request received")
    if event.kind == EventKind.TRANSITION:
        if event.action == "complete":
            return done_label(order_type if order_type is not None else event.work_order.type)
        template = ACTION_TEXT.get(event.action)
        if template is None:
            return Status(event.to_status).label if event.to_status in Status.values else event.action
        hold = data.get("hold_reason", "")
        return render_lazy(template, {
            "outlet": data.get("outlet", ""), "technician": with_honorific(data.get("technician", "")),
            "hold": HoldReason(hold).label if hold in HoldReason.values else "",
            "reason": event.reason,
        })
    if event.kind == EventKind.RESCHEDULED:
        to = data.get("to") or []
        if len(to) == 2:
            start, end = (dt.datetime.fromisoformat(t) for t in to)
            template = (_("Visit booked for %(window)s") if is_first_booking(event.kind, data)
                        else _("Appointment moved to %(window)s"))
            return render_lazy(template, {"window": window_lazy(start, end)})
        return _("Appointment moved")
    if event.kind == EventKind.RATING:
        return render_lazy(_("You rated the service %(score)s of 5"), {"score": data.get("score", "")})
    if event.kind == EventKind.REWORK:
        if data.get("rework_number"):
            return render_lazy(_("We will do the job again to put it right: order %(number)s"),
                               {"number": data["rework_number"]})
        return render_lazy(_("We are doing order %(number)s again to put it right"),
                           {"number": data.get("rework_of_number", "")})
    if event.kind == EventKind.NOTE:
        return event.reason
    return EventKind(event.kind).label if event.kind in EventKind.values else event.kind


def token_of(version: int, last_event_id: int | None, *marks: int | None) -> str:
    """Changes whenever anything the page shows changes: the order's version and its newest visible event, and
    for a mail-in repair the marks of its case and parcels (logistics.selectors.change_marks)."""
    token = f"{version}-{last_event_id or 0}"
    if any(mark is not None for mark in marks):
        token += "-" + ".".join(str(mark or 0) for mark in marks)
    return token


def change_token(order: WorkOrder, events: list[WorkOrderEvent]) -> str:
    return token_of(order.version, events[-1].pk if events else None)


def arrival(order: WorkOrder, events: list[WorkOrderEvent]) -> dt.datetime | None:
    if order.status != Status.EN_ROUTE or order.technician is None:
        return None
    departed = next((e.created_at for e in reversed(events) if e.action == "depart"), None)
    if departed is None:
        return None
    return arrival_after(order, departed)


def arrival_after(order: WorkOrder, departed: dt.datetime) -> dt.datetime | None:
    """When the order's technician, who set off at ``departed``, should arrive: the page's ETA, and the one
    the ``order.en_route`` event carries (portal/hooks.py)."""
    tech = order.technician
    if tech is None:
        return None
    # Where the app last placed the technician on this trip beats where they set off from.
    origin, since = tech.position_since(departed), tech.last_located_at
    if origin is None:
        since = departed
        origin = ((tech.home_latitude, tech.home_longitude) if tech.home_latitude is not None
                  else (order.outlet.latitude, order.outlet.longitude) if order.outlet else None)
    site = order.site
    destination = (site.latitude, site.longitude) if site is not None else None
    region = masters.region_codes(order.brand_id).get(order.region_id, "") if order.region_id else ""
    return eta_module.eta(departed_at=since, origin=origin, destination=destination, region=region)


def build(order: WorkOrder, events: list[WorkOrderEvent], now: dt.datetime | None = None) -> Tracking:
    rank = _rank(order, events)
    open_order = order.status not in (Status.COMPLETED, Status.CLOSED, Status.CANCELLED)
    stages = [Stage(code=code, label=done_label(order.type) if code == "done" else label) for code, label in STAGES]
    reached_at: dict[str, dt.datetime] = {}
    for event in events:
        stage = "received" if event.kind == EventKind.CREATED else STAGE_OF_STATUS.get(event.to_status)
        if stage:
            reached_at[stage] = event.created_at  # the latest time it was reached (a rework starts again)
    for index, stage in enumerate(stages):
        if index < rank or (index == rank and not open_order and order.status != Status.CANCELLED):
            stage.state = "done"
        elif index == rank:
            stage.state = "done" if order.status == Status.CANCELLED else "current"
        stage.at = reached_at.get(stage.code) if stage.state != "todo" else None
    arrival_at = arrival(order, events)
    tech_name = order.technician.name if order.technician else ""
    if rank >= 1:
        if tech_name and order.status != Status.ASSIGNED:
            stages[1].detail = render_lazy(_("Technician: %(name)s"), {"name": tech_name})
        elif order.outlet:
            stages[1].detail = order.outlet.name
    if order.status == Status.EN_ROUTE:
        stages[2].detail = tech_name
    if order.status == Status.CLOSED:
        stages[5].detail = _("The job is closed. Thank you for choosing us.")
    return Tracking(order=order, stages=stages, events=[(e.created_at, event_text(e, order.type)) for e in events],
                    eta=arrival_at, token=change_token(order, events), live=open_order)
