"""The work-order lifecycle as a table (STYLE.md §3).

``ACTIONS`` names every step with the statuses it may leave, the status it enters and
the roles that may take it; ``ALLOWED`` is the same table read as from → {to}. One
function, ``transition``, applies a step by compare-and-set on (status, version) and
writes the timeline row in the same transaction. Nothing else changes ``status``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import SYSTEM, Role
from accounts.principal import Principal
from catalog.choices import ServiceType
from core.errors import IllegalTransition, InvalidInput, PermissionDenied, PreconditionFailed, StaleVersion
from core.hooks import Hook
from workorders import events
from workorders.choices import HoldReason, Status
from workorders.models import REASON_MAX, WorkOrder
from workorders.sla_clock import clock_changes

S = Status
R = Role

BRAND_DESK = frozenset({R.BRAND_ADMIN, R.DISPATCHER})
DESK_AND_HOTLINE = BRAND_DESK | {R.HOTLINE_AGENT}
OUTLET_DESK = frozenset({R.OUTLET_MANAGER, R.OUTLET_DISPATCHER})
HOLDABLE = frozenset({S.ASSIGNED, S.DISPATCHED, S.ACCEPTED, S.EN_ROUTE, S.ON_SITE})
# Steps after which the technician who asked the store for parts no longer does the job.
RELEASES_PARTS = frozenset({"cancel", "decline", "recall", "return_to_brand"})
# Sent inside the transition's transaction after one of RELEASES_PARTS, with order, actor and reason: open
# part requests end with the technician's part in the job, and the store's reservations go back (parts).
job_ended_without_parts = Hook("workorders.job_ended_without_parts")
# Sent inside the transaction of a "cancel", before the order changes, with order, actor and reason: a mail-in
# unit already with the courier cannot be called off, and one still waiting for pickup has its pickup cancelled
# (logistics). A receiver refuses by raising.
cancelling = Hook("workorders.cancelling")
# Steps that send someone on site: a mail-in repair is done at the repair centre's bench, so it never takes them.
ON_SITE_STEPS = frozenset({"dispatch"})


@dataclass(frozen=True)
class Action:
    name: str
    label: Any
    sources: frozenset[str]
    # None means "back to the status the order was held from".
    target: str | None
    roles: frozenset[str]
    reason_required: bool = False
    customer_visible: bool = True
    # Some roles may take the step from fewer statuses than others.
    sources_for_role: dict[str, frozenset[str]] = field(default_factory=dict)
    needs: str | None = None  # "outlet" or "technician"
    danger: bool = False

    def sources_for(self, role: str) -> frozenset[str]:
        return self.sources_for_role.get(role, self.sources)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("assign", _("Assign to outlet"), frozenset({S.NEW}), S.ASSIGNED, DESK_AND_HOTLINE | {SYSTEM},
               needs="outlet"),
        Action("return_to_brand", _("Return to brand"), frozenset({S.ASSIGNED}), S.NEW,
               OUTLET_DESK | BRAND_DESK, reason_required=True, customer_visible=False),
        Action("dispatch", _("Dispatch to technician"), frozenset({S.ASSIGNED}), S.DISPATCHED,
               OUTLET_DESK | BRAND_DESK, needs="technician"),
        Action("accept", _("Accept"), frozenset({S.DISPATCHED}), S.ACCEPTED, frozenset({R.TECHNICIAN})),
        Action("decline", _("Decline"), frozenset({S.DISPATCHED}), S.ASSIGNED, frozenset({R.TECHNICIAN}),
               reason_required=True, customer_visible=False),
        Action("recall", _("Recall from technician"), frozenset({S.DISPATCHED, S.ACCEPTED}), S.ASSIGNED,
               OUTLET_DESK | BRAND_DESK, reason_required=True, customer_visible=False),
        Action("depart", _("On my way"), frozenset({S.ACCEPTED}), S.EN_ROUTE, frozenset({R.TECHNICIAN})),
        Action("arrive", _("Check in on site"), frozenset({S.EN_ROUTE}), S.ON_SITE, frozenset({R.TECHNICIAN})),
        Action("hold", _("Put on hold"), HOLDABLE, S.ON_HOLD,
               frozenset({R.TECHNICIAN}) | OUTLET_DESK | BRAND_DESK, reason_required=True,
               sources_for_role={R.TECHNICIAN: frozenset({S.ACCEPTED, S.EN_ROUTE, S.ON_SITE})}),
        Action("resume", _("Resume"), frozenset({S.ON_HOLD}), None,
               frozenset({R.TECHNICIAN}) | OUTLET_DESK | BRAND_DESK),
        Action("complete", _("Complete"), frozenset({S.ON_SITE}), S.COMPLETED, frozenset({R.TECHNICIAN})),
        # A mail-in repair ends when the courier delivers the unit back (logistics), not on site.
        Action("redeliver", _("Delivered back to the customer"), frozenset({S.ASSIGNED}), S.COMPLETED,
               frozenset({SYSTEM})),
        # Not by hand: an order closes after its callback or after the brand's days without one (feedback).
        Action("close", _("Close"), frozenset({S.COMPLETED}), S.CLOSED, frozenset({SYSTEM})),
        Action("cancel", _("Cancel"),
               frozenset({S.NEW, S.ASSIGNED, S.DISPATCHED, S.ACCEPTED, S.EN_ROUTE, S.ON_HOLD}), S.CANCELLED,
               DESK_AND_HOTLINE | {R.CUSTOMER}, reason_required=True, danger=True,
               sources_for_role={R.CUSTOMER: frozenset({S.NEW, S.ASSIGNED, S.DISPATCHED})}),
    ]
}
# No step leads out of "closed": a finished job done again is a new order linked to it (workorders/rework.py),
# so the original keeps its completion, technician and charge, and the 30-day counts see the rework once.
# Timelines written before that still hold "reopen" rows (the order reopened in place); they keep their label.
RETIRED_LABELS = {"reopen": _("Reopened as rework")}


def _allowed_table() -> dict[str, set[str]]:
    table: dict[str, set[str]] = {s: set() for s in Status.values}
    resumable = HOLDABLE
    for action in ACTIONS.values():
        for source in action.sources:
            if action.target is None:
                table[source] |= set(resumable)
            else:
                table[source].add(action.target)
    return table


ALLOWED: dict[str, set[str]] = _allowed_table()


def available_actions(order: WorkOrder, principal: Principal | None) -> list[Action]:
    """The steps this principal may take on this order now (the console shows these as buttons)."""
    if principal is None:
        return []
    return [
        a for a in ACTIONS.values() if principal.role in a.roles and order.status in a.sources_for(principal.role)
    ]


def transition(
    order: WorkOrder,
    action_name: str,
    *,
    actor: Principal,
    reason: str = "",
    version: int | None = None,
    if_match: bool = False,
    outlet=None,
    technician=None,
    hold_reason: str = "",
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Take one step of the lifecycle, or refuse it having changed nothing.

    ``order`` must already have been fetched through ``visible_to(actor.user)``. ``now`` is for tests
    that travel in time; it defaults to the present.
    """
    action = ACTIONS.get(action_name)
    if action is None:
        raise InvalidInput(_("Unknown action."), field="action", action=action_name)
    if actor.role not in action.roles:
        raise PermissionDenied(_("Your role may not take this step."), action=action_name)
    expected = order.version if version is None else version
    if expected != order.version:
        error = PreconditionFailed if if_match else StaleVersion
        raise error(current_version=order.version)
    if order.status not in action.sources_for(actor.role):
        raise IllegalTransition(
            from_status=order.status, action=action_name, allowed=sorted(ALLOWED.get(order.status, ()))
        )
    mail_in = order.type == ServiceType.MAIL_IN
    if (mail_in and action.name in ON_SITE_STEPS) or (action.name == "redeliver" and not mail_in):
        raise IllegalTransition(_("A mail-in repair is done at the repair centre; nobody goes on site for it.")
                                if mail_in else None, from_status=order.status, action=action_name)
    reason = (reason or "").strip()
    if action.reason_required and not reason:
        raise InvalidInput(_("Give a reason for this step."), field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("The reason is too long."), field="reason", max_length=REASON_MAX)

    now = now or timezone.now()
    source = order.status
    target = action.target or order.held_from
    changes: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if action.needs == "outlet":
        _check_outlet(order, outlet)
        changes["outlet"] = outlet
        data["outlet"] = outlet.name
    elif action.needs == "technician":
        _check_technician(order, technician)
        changes["technician"] = technician
        data["technician"] = technician.name
    if action.name in ("decline", "recall"):
        changes["technician"] = None
    elif action.name == "return_to_brand":
        changes.update(outlet=None, technician=None)
    elif action.name == "hold":
        if hold_reason not in HoldReason.values:
            raise InvalidInput(_("Choose why the order is on hold."), field="hold_reason")
        changes.update(held_from=source, hold_reason=hold_reason)
        data["hold_reason"] = hold_reason
    elif action.name == "resume":
        changes.update(held_from="", hold_reason="")
    elif action.name == "accept":
        changes["accepted_at"] = now
    elif action.name == "arrive":
        changes["arrived_at"] = now
    elif action.name in ("complete", "redeliver"):
        changes["completed_at"] = now
    elif action.name == "close":
        changes["closed_at"] = now
    elif action.name == "cancel":
        # Who was on the job stays on record; a hold ends with the order.
        changes.update(cancel_reason=reason, held_from="", hold_reason="")
    # Waiting for the customer stops the SLA clocks; ending that wait moves their deadlines (sla_clock).
    clock, paused_seconds = clock_changes(order, action.name, hold_reason=hold_reason, now=now)
    changes.update(clock)
    if paused_seconds:
        data["sla_paused_seconds"] = paused_seconds

    with transaction.atomic():
        if action.name == "cancel":
            cancelling.send(order=order, actor=actor, reason=reason)
        updated = WorkOrder.objects.filter(pk=order.pk, version=expected, status=source).update(
            status=target, version=F("version") + 1, updated_at=now, **changes
        )
        if not updated:
            # Someone else moved the order between our read and our write.
            raise StaleVersion(current_version=WorkOrder.objects.values_list("version", flat=True).get(pk=order.pk))
        events.transitioned(order=order, action=action.name, from_status=source, to_status=target, actor=actor,
                            reason=reason, customer_visible=action.customer_visible, data=data, at=now,
                            technician=technician if action.needs == "technician" else None)
        if action.name in RELEASES_PARTS:
            job_ended_without_parts.send(order=order, actor=actor, reason=reason)
    order.refresh_from_db()
    return order


def _check_outlet(order: WorkOrder, outlet) -> None:
    if outlet is None:
        raise InvalidInput(_("Choose an outlet."), field="outlet")
    if outlet.brand_id != order.brand_id or not outlet.is_active:
        raise InvalidInput(_("This outlet cannot take orders of this brand."), field="outlet")
    if order.product_id:
        category_id = order.product.product_model.category_id
        if not outlet.authorised_categories.filter(pk=category_id).exists():
            raise InvalidInput(_("This outlet is not authorised for the product's category."), field="outlet")


def _check_technician(order: WorkOrder, technician) -> None:
    if technician is None:
        raise InvalidInput(_("Choose a technician."), field="technician")
    if technician.outlet_id != order.outlet_id or not technician.is_active:
        raise InvalidInput(_("The technician must work for the order's outlet."), field="technician")
