"""The ladder's periodic watch: a complaint whose rung ran out moves up one rung, and that rung hears of it once.

Each complaint still being worked carries ``escalate_at``: when the rung it is on runs out (the acknowledge
clock on the desk's rung, then the resolve clock, then each rung's own time: complaints/sla.py). The watch
escalates every complaint past it through ``workflow.transition`` ("escalate", as the brand's system), whose
compare-and-set on (status, rung) lets exactly one of two concurrent watches move it; the winner writes the
event and records ``complaint.escalated`` with the rung's people in the outbox. The loser changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.principal import system_principal
from complaints import workflow
from complaints.choices import ACTIVE_STATUSES, LadderLevel
from complaints.models import Complaint
from core.errors import IllegalTransition

BATCH = 500


def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One pass: how many complaints moved up a rung."""
    now = now or timezone.now()
    moved = 0
    due = (Complaint.objects.filter(escalate_at__lt=now, status__in=sorted(ACTIVE_STATUSES),
                                    escalation_level__lt=LadderLevel.DIRECTOR)
           .order_by("escalate_at", "pk"))
    for complaint in list(due[:BATCH]):
        try:
            # The event's level names the rung; no note, so the history reads in each reader's language.
            workflow.transition(complaint, "escalate", actor=system_principal(complaint.brand_id), at=now)
        except IllegalTransition:
            continue  # another watch (or the desk) moved it first
        moved += 1
    return {"escalated": moved}
