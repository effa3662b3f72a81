"""A complaint's history: one function per kind of event, each writing one ``ComplaintEvent`` row (as
workorders/events.py does for the order's timeline), and the domain events the outbox carries to the sinks
(``complaint.opened``, ``complaint.transitioned``, ``complaint.escalated``, ``complaint.resolved``, and
``complaint.arbitrated`` for the arbiter's decision on an appeal), recorded in the same transaction as the change.

Every complaint event's ``data`` starts with the same fields (``envelope``), so a sink can word a message from
the event alone even when the complaint is about no order (an order event reaches its brand and number through
the order): the brand's name (an SMS's signature), the complaint's id and number, the customer, the order's
number when it is about one, and the customer's page of their complaints.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse

from accounts.models import User
from complaints import ladder
from complaints.choices import ComplaintStatus
from complaints.models import Complaint, ComplaintEvent
from core import outbox


def opened(*, complaint: Complaint, by: User | None, role: str) -> ComplaintEvent:
    """The complaint was recorded (complaints.services.open_complaint, or the admin)."""
    row = ComplaintEvent.objects.create(complaint=complaint, action="open", to_status=ComplaintStatus.RECEIVED,
                                        actor=by, actor_role=role, created_at=complaint.opened_at)
    due = complaint.acknowledge_due
    record("complaint.opened", complaint, {"category": complaint.category, "severity": complaint.severity,
                                           "channel": complaint.channel,
                                           "acknowledge_due": due.isoformat() if due else None,
                                           "recipient_ids": list(ladder.concerned(complaint))},
           at=complaint.opened_at)
    return row


def transitioned(*, complaint: Complaint, action: str, from_status: str, to_status: str, by: User | None, role: str,
                 note: str, at: dt.datetime, level: int | None = None) -> ComplaintEvent:
    """The complaint moved along its lifecycle (complaints.workflow.transition)."""
    return ComplaintEvent.objects.create(complaint=complaint, action=action, from_status=from_status,
                                         to_status=to_status, actor=by, actor_role=role, note=note, created_at=at,
                                         level=level)


def envelope(complaint: Complaint) -> dict[str, Any]:
    """The fields every complaint event's data starts with (docs/outbox.md)."""
    brand = complaint.brand
    # The portal's list of the customer's complaints, where its status and verdict are (as survey.sent's link).
    link = settings.SITE_URL.rstrip("/") + reverse("portal:complaints", kwargs={"brand": brand.code})
    return {"brand": brand.name, "complaint_id": complaint.pk, "complaint_number": complaint.number,
            "customer_id": complaint.customer_id,
            "order_number": complaint.work_order.number if complaint.work_order_id else None, "link": link}


def record(kind: str, complaint: Complaint, data: dict[str, Any], *, at: dt.datetime | None = None) -> None:
    """One domain event about ``complaint`` in the outbox (core/outbox.py), inside the caller's transaction."""
    outbox.record(kind, brand_id=complaint.brand_id, work_order_id=complaint.work_order_id,
                  subject=("complaint", complaint.pk), data={**envelope(complaint), **data}, at=at)
