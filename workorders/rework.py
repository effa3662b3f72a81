"""Rework (返修): the one way to have a finished order's job done again.

A rework is a **new order** for the same unit and fault, linked to the order it redoes (``rework_of``) and
assigned at once to an outlet, the same or another. The finished order is never reopened: its completion, its
technician and its charge stay as they happened, both timelines say what happened (the original names its rework,
the rework the original), and the 30-day counts (``selectors.reworks_and_repeats``) hold the rework against the
original's outlet and technician exactly once.

Every way of asking comes here: the callback desk's review (feedback.desk.decide), the console's order page and
``POST /api/v1/workorders/{id}/rework``. There is no "reopen" step in the lifecycle (workflow.py).

An order has at most one live rework: a partial unique constraint on ``rework_of`` (cancelled reworks left out)
makes a double click, or the desk and the hotline at the same moment, one rework; the other is told which
(409 ``already_reworked``). A rework that fails again is reworked in its turn, against its own outlet.

The original's callback (feedback, above workorders) ends with the rework, and the original closes, as the desk's
review would have had it: feedback registers on ``rework_opened``.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.principal import Principal
from core.errors import DomainError, IllegalTransition, InvalidInput, PermissionDenied
from core.hooks import Hook
from workorders import events, workflow
from workorders.choices import Channel, Status, WorkOrderType
from workorders.models import REASON_MAX, SYMPTOM_MAX, WorkOrder
from workorders.services import create_work_order

REWORK_ROLES = frozenset({Role.BRAND_ADMIN, Role.DISPATCHER, Role.HOTLINE_AGENT})
REWORKABLE = frozenset({Status.COMPLETED, Status.CLOSED})

# Sent inside the rework's transaction with original, rework, actor, reason and now (feedback/hooks.py ends the
# original's open callback with the decision "rework" and closes the original).
rework_opened = Hook("workorders.rework_opened")


class AlreadyReworked(DomainError):
    code = "already_reworked"
    status = 409
    default_message = _("This order is already being reworked.")


def live_rework(original: WorkOrder) -> WorkOrder | None:
    """The rework of ``original`` that is not cancelled, if any (at most one: the constraint)."""
    return WorkOrder.objects.filter(rework_of_id=original.pk).exclude(status=Status.CANCELLED).first()


def may_rework(order: WorkOrder, actor: Principal | None) -> bool:
    """Whether ``actor`` may ask for a rework of ``order`` now (the console offers the form, the API says so)."""
    return actor is not None and actor.role in REWORK_ROLES and order.status in REWORKABLE


def ensure_may_rework(actor: Principal) -> None:
    if actor.role not in REWORK_ROLES:
        raise PermissionDenied(_("Your role may not open rework orders."))


def _already(existing: WorkOrder | None) -> AlreadyReworked:
    if existing is None:  # cancelled between the refusal and this read: the caller may try again
        return AlreadyReworked()
    return AlreadyReworked(
        _("This order is already being reworked as %(number)s.") % {"number": existing.number},
        rework_id=existing.pk, rework_number=existing.number)


def create_rework_order(*, original: WorkOrder, actor: Principal, outlet, reason: str,
                        now: dt.datetime | None = None) -> WorkOrder:
    """Open the rework of a finished order: a new order for the same unit and fault, linked to ``original`` and
    assigned to ``outlet``. One transaction; a refusal changes nothing.

    ``original`` comes from ``visible_to(actor.user)``.
    """
    ensure_may_rework(actor)
    if original.status not in REWORKABLE:
        raise IllegalTransition(_("Only a finished order can be reworked."), from_status=original.status)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say what is still wrong."), field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("The reason is too long."), field="reason", max_length=REASON_MAX)
    existing = live_rework(original)
    if existing is not None:
        raise _already(existing)
    now = now or timezone.now()
    with transaction.atomic():
        order = create_work_order(
            actor=actor, customer=original.customer, type=WorkOrderType.REPAIR, channel=Channel.HOTLINE,
            symptom=f"{reason}\n({original.number}) {original.symptom}"[:SYMPTOM_MAX], priority=original.priority,
            site=original.site, product=original.product, reported_symptom=original.reported_symptom,
        )
        try:
            with transaction.atomic():
                WorkOrder.objects.filter(pk=order.pk).update(is_rework=True, rework_of=original)
        except IntegrityError:  # another rework of the same order got in first
            raise _already(live_rework(original)) from None
        order.refresh_from_db()
        order = workflow.transition(order, "assign", actor=actor, outlet=outlet, reason=reason, now=now)
        events.reworked(original=original, rework=order, actor=actor, reason=reason, at=now)
        rework_opened.send(original=original, rework=order, actor=actor, reason=reason, now=now)
    return order
