from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.choices import Priority as Priority  # an order's priority; fault-code mappings name it too
from catalog.choices import ServiceType

WorkOrderType = ServiceType


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned to outlet")
    DISPATCHED = "dispatched", _("Dispatched to technician")
    ACCEPTED = "accepted", _("Accepted")
    EN_ROUTE = "en_route", _("Technician en route")
    ON_SITE = "on_site", _("On site")
    ON_HOLD = "on_hold", _("On hold")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = frozenset(
    {Status.NEW, Status.ASSIGNED, Status.DISPATCHED, Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE, Status.ON_HOLD}
)
DONE_STATUSES = frozenset({Status.COMPLETED, Status.CLOSED, Status.CANCELLED})


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    PORTAL = "portal", _("Customer portal")
    WECHAT = "wechat", _("WeChat")
    IOT = "iot", _("IoT alert")
    IMPORT = "import", _("Import")
    # A maintenance contract's planned visit, ordered ahead of its target week (maintenance/visits.py).
    CONTRACT = "contract", _("Maintenance contract")


class HoldReason(models.TextChoices):
    WAITING_PARTS = "waiting_parts", _("Waiting for parts")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for the customer")
    OTHER = "other", _("Other")


class SlaState(models.TextChoices):
    OK = "ok", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    # On hold waiting for the customer: the clocks stand still (workorders.sla_clock).
    PAUSED = "paused", _("Paused")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    TRANSITION = "transition", _("Status change")
    EDITED = "edited", _("Edited")
    NOTE = "note", _("Note")
    CALL = "call", _("Call")
    ALERT = "alert", _("Device alert")
    RATING = "rating", _("Rating")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    SLA = "sla", _("Service level")
    URGE = "urge", _("Urged")
    # A finished order done again as a new order (workorders/rework.py): on both orders' timelines.
    REWORK = "rework", _("Rework")


class SlaClock(models.TextChoices):
    RESPONSE = "response", _("Response")
    ONSITE = "onsite", _("On site")


class SlaAlert(models.TextChoices):
    """How far the periodic watch has marked one clock of an order: only ever forwards (ok → at risk → breached)."""

    OK = "ok", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")


# What a move of one clock is called on the timeline and in notifications.
SLA_ALERT_TITLES = {
    (SlaClock.RESPONSE, SlaAlert.AT_RISK): _("Response deadline at risk"),
    (SlaClock.RESPONSE, SlaAlert.BREACHED): _("Response deadline missed"),
    (SlaClock.ONSITE, SlaAlert.AT_RISK): _("On-site deadline at risk"),
    (SlaClock.ONSITE, SlaAlert.BREACHED): _("On-site deadline missed"),
}


# What "done" is called for each type of order (a customer's timeline, the rating's refusal): an installation is
# not a repair. One map for every page that says it.
DONE_LABELS = {
    ServiceType.INSTALL: _("Installation done"),
    ServiceType.REPAIR: _("Repair done"),
    ServiceType.MAINTENANCE: _("Maintenance done"),
    ServiceType.INSPECTION: _("Inspection done"),
    ServiceType.MAIL_IN: _("Repair done"),
    ServiceType.SITE_SURVEY: _("Site survey done"),
}


def done_label(order_type: str):
    return DONE_LABELS.get(order_type, _("Service done"))


def is_first_window(previous) -> bool:
    """A window that replaced none (``previous`` empty, or a pair of nothing: the hotline books an order taken
    without a slot) is a booking, not a move. One rule for the message it is told in (``order.booked`` or
    ``order.moved``, workorders/events.py) and for the timelines that show it (the portal's, the console's, the
    service report's)."""
    return not (previous and any(previous))


def is_first_booking(kind: str, data: dict | None) -> bool:
    """A rescheduled event (its ``data``: ``from`` and ``to``) that gave the order its first window."""
    return kind == EventKind.RESCHEDULED and is_first_window((data or {}).get("from"))
