"""A lead's history: one function per kind of event, each writing one ``LeadEvent`` row (as
workorders/events.py does for the order's timeline)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from revenue.choices import LeadStatus
from revenue.models import Lead, LeadEvent

if TYPE_CHECKING:
    from accounts.principal import Principal


def recorded(*, lead: Lead, actor: Principal, note: str, at: dt.datetime) -> LeadEvent:
    """The technician recorded the lead on site, with the customer's consent."""
    return LeadEvent.objects.create(lead=lead, action="record", to_status=LeadStatus.NEW, actor=actor.user,
                                    actor_role=actor.role, note=note, created_at=at,
                                    data={"queue": lead.queue, "consented_by": lead.consented_by})


def transitioned(*, lead: Lead, action: str, from_status: str, to_status: str, actor: Principal, note: str,
                 data: dict[str, Any], at: dt.datetime) -> LeadEvent:
    """The lead moved along its lifecycle (revenue.workflow)."""
    return LeadEvent.objects.create(lead=lead, action=action, from_status=from_status, to_status=to_status,
                                    actor=actor.user, actor_role=actor.role, note=note, data=data, created_at=at)
