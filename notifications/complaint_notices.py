"""The in-app notice of a complaint escalated up the ladder: an outbox sink for ``complaint.escalated``.

complaints.workflow records the event with the rung's people in ``recipient_ids`` (complaints/ladder.py), in
the transaction that moved the complaint up, so each rung is told once; this sink turns it into a notification
per person, keyed by the event so a retried delivery adds nothing.
"""

from __future__ import annotations

from notifications.backends import Notice
from notifications.services import send

KIND = "complaint_escalated"
KINDS = frozenset({"complaint.escalated"})


def deliver(event) -> None:
    data = event.data or {}
    send(Notice(
        key=f"outbox:{event.pk}", kind=KIND, brand_id=event.brand_id,
        recipient_ids=tuple(int(pk) for pk in data.get("recipient_ids", ())), work_order_id=event.work_order_id,
        data={"complaint_id": data.get("complaint_id"), "number": data.get("complaint_number", ""),
              "level": data.get("level"), "severity": data.get("severity", "")},
    ))
