"""Open complaints from every channel, and take the lifecycle's steps (STYLE.md §1): keyword-only, one
transaction each, refusals change nothing.

``open_complaint`` is what every channel calls: the portal, the hotline desk, the API, and the other apps
(a callback that turns into a complaint, WeChat "投诉 …", repeated urging) through their hooks.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import SYSTEM, Role
from accounts.principal import Principal
from complaints import events, sla, workflow
from complaints.choices import Channel, ComplaintCategory, ComplaintStatus, LadderLevel, Severity
from complaints.models import DESCRIPTION_MAX, Complaint
from core.errors import InvalidInput, PermissionDenied
from customers.models import Customer
from workorders.models import WorkOrder

COMPLAINT_DESK = workflow.COMPLAINT_DESK
OPENERS = COMPLAINT_DESK | {Role.CUSTOMER, SYSTEM, workflow.ADMIN_SITE}


def _text(value: str, *, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("This field is required."), field=field)
    if len(value) > max_length:
        raise InvalidInput(_("This text is too long."), field=field, max_length=max_length)
    return value


CUSTOMER_CHANNELS = frozenset({Channel.PORTAL, Channel.API, Channel.WECHAT})


def open_complaint(
    *, actor: Principal, customer: Customer, category: str, description: str, order: WorkOrder | None = None,
    severity: str = Severity.NORMAL, channel: str | None = None, opened_at: dt.datetime | None = None,
) -> Complaint:
    """Record a complaint about an order (or the service in general); the order names outlet, technician and
    region, and the severity sets its clocks (complaints/sla.py).

    ``customer`` and ``order`` come from ``visible_to(actor.user)`` (or the brand's own, for the system).
    ``channel`` defaults to the portal for a customer and the hotline for the desk; a customer's complaint is
    always of normal severity (staff grade it) and comes by the portal, the API or WeChat.
    """
    if actor.role not in OPENERS:
        raise PermissionDenied(_("Your role may not record complaints."))
    if customer.brand_id != actor.brand_id or (actor.is_customer and customer.pk != actor.customer_id):
        raise PermissionDenied()
    if category not in ComplaintCategory.values:
        raise InvalidInput(_("Choose a valid option."), field="category", allowed=list(ComplaintCategory.values))
    if severity not in Severity.values:
        raise InvalidInput(_("Choose a valid option."), field="severity", allowed=list(Severity.values))
    if actor.is_customer:  # a customer says what went wrong; the desk grades it, and the channel is theirs
        severity = Severity.NORMAL
        channel = channel if channel in CUSTOMER_CHANNELS else Channel.PORTAL
    channel = channel or Channel.HOTLINE
    if channel not in Channel.values:
        raise InvalidInput(_("Choose a valid option."), field="channel", allowed=list(Channel.values))
    description = _text(description, field="description", max_length=DESCRIPTION_MAX)
    if order is not None and order.customer_id != customer.pk:
        raise InvalidInput(_("The order belongs to another customer."), field="order")
    opened_at = opened_at or timezone.now()
    complaint = Complaint(
        brand_id=customer.brand_id, customer=customer, work_order=order,
        outlet_id=order.outlet_id if order else None, technician_id=order.technician_id if order else None,
        region_id=order.region_id if order else None, category=category, severity=severity, channel=channel,
        description=description, opened_at=opened_at, opened_by=actor.user, escalation_level=LadderLevel.DESK,
    )
    return record_new(complaint=complaint, actor=actor)


def record_new(*, complaint: Complaint, actor: Principal) -> Complaint:
    """Save a complaint just made (here, or in the Django admin): received, on the desk's rung, its clocks set
    from its severity, its first event written and ``complaint.opened`` recorded."""
    complaint.status, complaint.escalation_level = ComplaintStatus.RECEIVED, LadderLevel.DESK
    complaint.acknowledge_due, complaint.resolve_due = sla.due_times(complaint, start=complaint.opened_at)
    complaint.escalate_at = complaint.acknowledge_due
    with transaction.atomic():
        complaint.save()
        events.opened(complaint=complaint, by=actor.user, role=actor.role)
    return complaint


def resolve_complaint(*, actor: Principal, complaint: Complaint, resolution: str, outcome: str = "upheld",
                      remedies: tuple[str, ...] = ("apology",), compensation=None, responsible: str = "outlet",
                      resolved_at: dt.datetime | None = None) -> Complaint:
    """Give the verdict on a complaint still being worked (workflow "resolve"); only once."""
    return workflow.transition(complaint, "resolve", actor=actor, note=resolution, at=resolved_at,
                               verdict=workflow.Verdict(outcome=outcome, remedies=tuple(remedies),
                                                        compensation=compensation, responsible=responsible))
