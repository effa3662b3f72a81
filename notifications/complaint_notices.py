"""The in-app notices of a complaint: an outbox sink for ``complaint.opened``, ``complaint.escalated``,
``complaint.resolved`` and ``complaint.arbitrated`` (the appeal decided: a "decided" notice that says so).

complaints records each event with the people it concerns in ``recipient_ids`` (complaints/ladder.py: the rung's
people when it escalates; its outlet's managers when it is received or decided), in the transaction of the
change, so each is told once; this sink turns it into a notification per person, keyed by the event so a retried
delivery adds nothing. The inbox files the three under one topic, "complaint" (notifications/messages.py).
"""

from __future__ import annotations

from notifications.backends import Notice
from notifications.messages import COMPLAINT_ESCALATED, COMPLAINT_OPENED, COMPLAINT_RESOLVED
from notifications.services import send

# The notification's kind for each event kind.
KIND_OF = {"complaint.opened": COMPLAINT_OPENED, "complaint.escalated": COMPLAINT_ESCALATED,
           "complaint.resolved": COMPLAINT_RESOLVED, "complaint.arbitrated": COMPLAINT_RESOLVED}
KINDS = frozenset(KIND_OF)
# What each notice keeps of its event's data, besides the complaint's id and number.
KEPT = {"complaint.opened": ("severity", "acknowledge_due"), "complaint.escalated": ("level", "severity"),
        "complaint.resolved": ("outcome",), "complaint.arbitrated": ("outcome",)}


def deliver(event) -> None:
    data = event.data or {}
    send(Notice(
        key=f"outbox:{event.pk}", kind=KIND_OF[event.kind], brand_id=event.brand_id,
        recipient_ids=tuple(int(pk) for pk in data.get("recipient_ids", ())), work_order_id=event.work_order_id,
        data={"complaint_id": data.get("complaint_id"), "number": data.get("complaint_number", ""),
              **{name: data.get(name) for name in KEPT[event.kind]},
              # notifications/messages.py words a decided notice by whether it was the arbiter's
              **({"final": True} if event.kind == "complaint.arbitrated" else {})},
    ))
