"""The complaint's lifecycle as a table (STYLE.md §3).

    received → acknowledged → investigating → resolved → (appealed → arbitrated)
    any step before the verdict → escalated (the ladder's watch, or the desk) → investigating / resolved
    resolved → reopened → acknowledged ...

``transition`` is the one way a complaint's status changes (the services, the API, the console, the admin and
the ladder's watch all call it): it refuses a step not in the table or not the actor's to take, moves the row by
compare-and-set on its status and rung, writes the event row and records the domain event in the outbox, all in
one transaction. Who takes which step: the brand's complaints desk decides (resolve); the outlet acknowledges and
investigates its own; the customer may reopen their own; an outlet manager appeals an upheld verdict once; the
brand's arbiter decides the appeal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import SYSTEM, Role
from accounts.principal import Principal
from complaints import events, ladder, sla
from complaints.choices import (
    ACTIVE_STATUSES,
    COUNTED_OUTCOMES,
    ComplaintStatus,
    LadderLevel,
    Outcome,
    Remedy,
    ResponsibleParty,
)
from complaints.models import COMPENSATION_MAX, RESOLUTION_MAX, STATEMENT_MAX, Complaint
from core.bounds import money_input
from core.errors import IllegalTransition, InvalidInput, PermissionDenied

S = ComplaintStatus
ZERO = Decimal("0.00")
COMPLAINT_DESK = frozenset({Role.BRAND_ADMIN, Role.DISPATCHER, Role.HOTLINE_AGENT})
OUTLET_DESK = frozenset({Role.OUTLET_MANAGER, Role.OUTLET_DISPATCHER})
# The Django admin acting for a superuser: the desk's steps, never the outlet's appeal or the arbiter's decision.
ADMIN_SITE = "admin_site"


def admin_principal(user, brand_id: int) -> Principal:
    return Principal(user=user, role=ADMIN_SITE, brand_id=brand_id, organisation_id=brand_id)


def _desk(p: Principal, c: Complaint) -> bool:
    return p.role in COMPLAINT_DESK | {SYSTEM, ADMIN_SITE} and p.brand_id == c.brand_id


def _desk_or_outlet(p: Principal, c: Complaint) -> bool:
    return _desk(p, c) or (p.role in OUTLET_DESK and c.outlet_id is not None and p.outlet_id == c.outlet_id)


def _desk_or_customer(p: Principal, c: Complaint) -> bool:
    return _desk(p, c) or (p.is_customer and p.customer_id == c.customer_id)


def _outlet_manager(p: Principal, c: Complaint) -> bool:
    return p.role == Role.OUTLET_MANAGER and c.outlet_id is not None and p.outlet_id == c.outlet_id


def _arbiter(p: Principal, c: Complaint) -> bool:
    return p.brand_id == c.brand_id and p.user is not None and p.user.pk in ladder.arbiters(c)


@dataclass(frozen=True)
class Action:
    name: str
    label: Any
    sources: frozenset[str]
    target: str
    may: Callable[[Principal, Complaint], bool]
    needs: tuple[str, ...] = ()  # the inputs its form asks for
    danger: bool = False


_BEFORE_VERDICT = frozenset(ACTIVE_STATUSES)
ACTIONS: dict[str, Action] = {a.name: a for a in [
    Action("acknowledge", _("Acknowledge"), frozenset({S.RECEIVED, S.REOPENED}), S.ACKNOWLEDGED, _desk_or_outlet,
           ("note",)),
    Action("investigate", _("Start investigating"), frozenset({S.RECEIVED, S.ACKNOWLEDGED, S.ESCALATED, S.REOPENED}),
           S.INVESTIGATING, _desk_or_outlet, ("note",)),
    Action("escalate", _("Escalate"), _BEFORE_VERDICT, S.ESCALATED, _desk, ("note",), danger=True),
    Action("resolve", _("Resolve"), _BEFORE_VERDICT, S.RESOLVED, _desk,
           ("outcome", "remedies", "compensation", "responsible", "note")),
    Action("reopen", _("Reopen"), frozenset({S.RESOLVED}), S.REOPENED, _desk_or_customer, ("note",), danger=True),
    Action("appeal", _("Appeal the verdict"), frozenset({S.RESOLVED}), S.APPEALED, _outlet_manager, ("note",)),
    Action("arbitrate", _("Decide the appeal"), frozenset({S.APPEALED}), S.ARBITRATED, _arbiter, ("outcome", "note")),
]}
ALLOWED: dict[str, frozenset[str]] = {
    s: frozenset(a.target for a in ACTIONS.values() if s in a.sources) for s in S.values}

RESOLUTION_NEEDED = _("Say how the complaint was resolved.")
STATEMENT_NEEDED = _("Write the statement.")


@dataclass(frozen=True)
class Verdict:
    """What ``resolve`` (all of it) and ``arbitrate`` (the outcome) are given."""

    outcome: str = ""
    remedies: tuple[str, ...] = ()
    compensation: Any = None
    responsible: str = ""


def available_actions(complaint: Complaint, principal: Principal | None) -> list[Action]:
    """The steps ``principal`` may take on ``complaint`` now (the console shows these)."""
    if principal is None:
        return []
    return [a for a in ACTIONS.values() if complaint.status in a.sources and a.may(principal, complaint)
            and _open_for(a, complaint)]


def _open_for(action: Action, complaint: Complaint) -> bool:
    if action.name == "escalate":
        return complaint.escalation_level < LadderLevel.DIRECTOR
    if action.name == "appeal":
        return complaint.outcome in COUNTED_OUTCOMES and complaint.appealed_at is None
    return True


def _text(value: str, *, field: str, max_length: int, message: Any) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(message, field=field)
    if len(value) > max_length:
        raise InvalidInput(_("This text is too long."), field=field, max_length=max_length)
    return value


def _outcome(value: str) -> str:
    if value not in Outcome.values:
        raise InvalidInput(_("Choose the outcome."), field="outcome", allowed=list(Outcome.values))
    return value


def _verdict_fields(verdict: Verdict) -> dict[str, Any]:
    outcome = _outcome(verdict.outcome)
    remedies = list(dict.fromkeys(verdict.remedies or ()))
    if any(r not in Remedy.values for r in remedies):
        raise InvalidInput(_("Choose a valid option."), field="remedies", allowed=list(Remedy.values))
    raw = verdict.compensation
    compensation = ZERO if raw in (None, "") else money_input(raw, field="compensation")
    if compensation < 0 or compensation > COMPENSATION_MAX or compensation != compensation.quantize(ZERO):
        raise InvalidInput(_("Give the compensation in yuan to the fen, not below zero."), field="compensation")
    if (compensation > 0) != (Remedy.COMPENSATION in remedies):
        raise InvalidInput(_("Compensation needs both the remedy and its amount."), field="compensation")
    if verdict.responsible and verdict.responsible not in ResponsibleParty.values:
        raise InvalidInput(_("Choose a valid option."), field="responsible", allowed=list(ResponsibleParty.values))
    if outcome != Outcome.NOT_UPHELD and not verdict.responsible:
        raise InvalidInput(_("Say who was responsible."), field="responsible")
    return {"outcome": outcome, "remedies": remedies, "compensation": compensation.quantize(ZERO),
            "responsible": verdict.responsible}


def transition(complaint: Complaint, action_name: str, *, actor: Principal, note: str = "",
               verdict: Verdict | None = None, at: dt.datetime | None = None) -> Complaint:
    """Take one step, or refuse it having changed nothing. ``complaint`` was fetched through ``visible_to``
    (or by the brand's own, for the system)."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise InvalidInput(_("Choose a valid option."), field="action", allowed=list(ACTIONS))
    source, level = complaint.status, complaint.escalation_level
    if source not in action.sources or not _open_for(action, complaint):
        raise _refusal(complaint, action)
    if not action.may(actor, complaint):
        raise PermissionDenied(_("Your role may not take this step on this complaint."))
    at = at or timezone.now()
    note = (note or "").strip()
    if len(note) > STATEMENT_MAX:
        raise InvalidInput(_("This text is too long."), field="note", max_length=STATEMENT_MAX)
    changes = _changes(complaint, action, actor=actor, note=note, verdict=verdict or Verdict(), at=at)
    with transaction.atomic():
        moved = Complaint.objects.filter(pk=complaint.pk, status=source, escalation_level=level).update(
            status=action.target, **changes)
        if not moved:
            # Someone else moved it between our read and our write.
            complaint.refresh_from_db()
            raise _refusal(complaint, action)
        complaint.refresh_from_db()
        new_level = complaint.escalation_level if action.name == "escalate" else None
        events.transitioned(complaint=complaint, action=action.name, from_status=source, to_status=action.target,
                            by=actor.user, role=actor.role, note=note, at=at, level=new_level)
        _record(complaint, action, source=source, role=actor.role, at=at)
    return complaint


def _changes(complaint: Complaint, action: Action, *, actor: Principal, note: str, verdict: Verdict,
             at: dt.datetime) -> dict[str, Any]:
    name, level = action.name, complaint.escalation_level
    if name in ("acknowledge", "investigate"):
        if complaint.acknowledged_at is not None:
            return {}
        # The first answer meets the acknowledge clock; on the desk's rung the resolve clock is next.
        return {"acknowledged_at": at,
                **({"escalate_at": complaint.resolve_due} if level == LadderLevel.DESK else {})}
    if name == "escalate":
        up = level + 1
        complaint.escalation_level = up
        return {"escalation_level": up,
                "escalate_at": None if up >= LadderLevel.DIRECTOR else sla.next_rung_at(complaint, now=at)}
    if name == "resolve":
        resolution = _text(note, field="note", max_length=RESOLUTION_MAX, message=RESOLUTION_NEEDED)
        return {**_verdict_fields(verdict), "resolution": resolution, "resolved_at": at, "resolved_by": actor.user,
                "escalate_at": None}
    if name == "reopen":
        acknowledge_due, resolve_due = sla.due_times(complaint, start=at)
        return {"outcome": "", "remedies": [], "compensation": ZERO, "responsible": "", "resolution": "",
                "resolved_at": None, "resolved_by": None, "acknowledged_at": None, "acknowledge_due": acknowledge_due,
                "resolve_due": resolve_due, "escalate_at": acknowledge_due}
    if name == "appeal":
        statement = _text(note, field="note", max_length=STATEMENT_MAX, message=STATEMENT_NEEDED)
        return {"appeal_statement": statement, "appealed_at": at, "appealed_by": actor.user,
                "appealed_outcome": complaint.outcome}
    if name == "arbitrate":
        decision = _text(note, field="note", max_length=STATEMENT_MAX, message=STATEMENT_NEEDED)
        outcome = _outcome(verdict.outcome)
        # Overturned: the first verdict's remedies, compensation and blame go with it (a settlement would
        # otherwise still charge the outlet).
        overturned = ({"remedies": [], "compensation": ZERO, "responsible": ""}
                      if outcome == Outcome.NOT_UPHELD else {})
        return {"outcome": outcome, **overturned, "arbitration": decision, "arbitrated_at": at,
                "arbitrated_by": actor.user}
    return {}


def _record(complaint: Complaint, action: Action, *, source: str, role: str, at: dt.datetime) -> None:
    # Named as an order's step is (workorders/events.py): action, from_status, to_status, actor_role.
    events.record("complaint.transitioned", complaint, {"action": action.name, "from_status": source,
                                                        "to_status": action.target, "actor_role": role}, at=at)
    if action.name == "escalate":
        events.record("complaint.escalated", complaint, {
            "level": complaint.escalation_level, "severity": complaint.severity,
            "recipient_ids": list(ladder.recipients(complaint, complaint.escalation_level)),
        }, at=at)
    if action.name in ("resolve", "arbitrate"):
        # The arbiter's decision is its own kind: the customer is told of it in its own words (reviewed on appeal),
        # not a second "resolved" that reads the same as the first.
        verdict = {"outcome": complaint.outcome, "compensation": f"{complaint.compensation:.2f}",
                   "responsible": complaint.responsible, "recipient_ids": list(ladder.concerned(complaint))}
        if action.name == "arbitrate":
            events.record("complaint.arbitrated", complaint, {**verdict,
                                                              "appealed_outcome": complaint.appealed_outcome}, at=at)
        else:
            events.record("complaint.resolved", complaint, verdict, at=at)


def _refusal(complaint: Complaint, action: Action) -> IllegalTransition:
    if action.name == "appeal" and complaint.appealed_at is not None:
        return IllegalTransition(_("This verdict was already appealed once."), from_status=complaint.status)
    if action.name == "appeal" and complaint.status == S.RESOLVED:
        return IllegalTransition(_("Only an upheld verdict can be appealed."), from_status=complaint.status)
    if action.name == "escalate" and complaint.escalation_level >= LadderLevel.DIRECTOR:
        return IllegalTransition(_("This complaint is already at the top of the ladder."),
                                 from_status=complaint.status)
    if complaint.status in (S.RESOLVED, S.ARBITRATED) and action.name == "resolve":
        return IllegalTransition(_("This complaint is already resolved."), from_status=complaint.status)
    return IllegalTransition(_("This step is not allowed from the complaint's current status."),
                             from_status=complaint.status, action=action.name)
