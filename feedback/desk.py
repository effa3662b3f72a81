"""The callback desk (回访): orders due a call, the calls' outcomes, the review's decision, and the order's close.

An order comes onto the desk once (one ``Callback`` per order): no survey answer within the brand's hours, a
sampled order, or, straight to review (回访审核), a low score or "not solved". The desk calls; a satisfied
customer (or too many unanswered calls) ends the callback, a revisit or a complaint sends it to review, and the
review reopens the order as rework (返修) to an outlet, opens a complaint, or closes it. The order closes when
its callback ends, or after the brand's days without one (``sweep``): never by hand.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import Organisation
from accounts.principal import Principal, system_principal
from core import outbox
from core.errors import DomainError, IllegalTransition, InvalidInput, PermissionDenied, StaleVersion
from core.hooks import Hook
from feedback.choices import REVIEW_REASONS, CallbackStatus, Decision, Outcome
from feedback.models import Callback, CallbackAttempt, SurveyPolicy
from feedback.selectors import policy_for
from workorders import rework, workflow
from workorders.choices import Status
from workorders.models import REASON_MAX, WorkOrder

DESK = frozenset({Role.BRAND_ADMIN, Role.DISPATCHER, Role.HOTLINE_AGENT})
OPEN = (CallbackStatus.DUE, CallbackStatus.REVIEW)

# Sent inside the review's transaction with order, actor and description when it opens a complaint: the complaints
# app (above feedback) registers the receiver that records it (complaints/hooks.py) and returns the complaint.
complaint_requested = Hook("feedback.complaint_requested")


class ComplaintsUnavailable(DomainError):
    code = "complaints_unavailable"
    status = 409
    default_message = _("Complaints cannot be recorded here.")


def open_callback(*, order: WorkOrder, reason: str, policy: SurveyPolicy, now: dt.datetime) -> Callback:
    """Put the order on the desk, once; a low score or "not solved" moves a callback still waiting for its call
    to review. Called inside the caller's transaction (a survey sent or answered, the sweep)."""
    return put_on_desk(order=order, reason=reason, policy=policy, now=now)[0]


def put_on_desk(*, order: WorkOrder, reason: str, policy: SurveyPolicy,
                now: dt.datetime) -> tuple[Callback, bool]:
    """``open_callback``, and whether this call put the order on the desk (not: it was there already, or another
    process put it there at the same moment)."""
    status = CallbackStatus.REVIEW if reason in REVIEW_REASONS else CallbackStatus.DUE
    existing = Callback.objects.filter(work_order_id=order.pk).first()
    if existing is not None:
        if status == CallbackStatus.REVIEW and existing.status == CallbackStatus.DUE:
            Callback.objects.filter(pk=existing.pk, status=CallbackStatus.DUE).update(
                status=status, reason=reason, version=F("version") + 1)
            existing.refresh_from_db()
        return existing, False
    try:
        with transaction.atomic():
            callback = Callback.objects.create(
                work_order=order, brand_id=order.brand_id, reason=reason, status=status, created_at=now,
                due_at=now + dt.timedelta(hours=policy.callback_hours), next_call_at=now)
            outbox.record("callback.due", brand_id=order.brand_id, work_order_id=order.pk,
                          subject=("callback", callback.pk), data={"reason": reason, "status": status,
                                                                   "due_at": callback.due_at.isoformat()}, at=now)
    except IntegrityError:  # put on the desk by another process at the same moment
        return Callback.objects.get(work_order_id=order.pk), False
    return callback, True


def check_desk(callback: Callback, actor: Principal, version: int | None) -> None:
    if actor.role not in DESK or actor.brand_id != callback.brand_id:
        raise PermissionDenied(_("Your role may not work the callback desk."))
    if version is not None and version != callback.version:
        raise StaleVersion(current_version=callback.version)
    if callback.status == CallbackStatus.DONE:
        raise IllegalTransition(_("This callback is done."), from_status=callback.status)


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise InvalidInput(_("The note is too long."), field="note", max_length=REASON_MAX)
    return note


def _save(callback: Callback, now: dt.datetime, **changes) -> None:
    """Compare-and-set on the version read: a second agent's stale click is a 409 and changes nothing."""
    if not Callback.objects.filter(pk=callback.pk, version=callback.version).exclude(
            status=CallbackStatus.DONE).update(version=F("version") + 1, **changes):
        raise StaleVersion(current_version=Callback.objects.values_list("version", flat=True).get(pk=callback.pk))
    callback.refresh_from_db()


def close_order(order_id: int, *, now: dt.datetime | None = None) -> bool:
    """Close a completed order as the brand's system (the one way an order closes). False when it is not
    completed (closed already); a race with another closer is the other's win."""
    order = WorkOrder.objects.filter(pk=order_id, status=Status.COMPLETED).first()
    if order is None:
        return False
    try:
        with transaction.atomic():
            workflow.transition(order, "close", actor=system_principal(order.brand_id), now=now)
    except (StaleVersion, IllegalTransition):
        return False
    return True


def _finish(callback: Callback, *, actor: Principal, now: dt.datetime, **changes) -> None:
    _save(callback, now, status=CallbackStatus.DONE, done_at=now, done_by=actor.user, **changes)
    outbox.record("callback.done", brand_id=callback.brand_id, work_order_id=callback.work_order_id,
                  subject=("callback", callback.pk),
                  data={"outcome": callback.outcome, "decision": callback.decision,
                        "rework_order_id": callback.rework_order_id, "complaint_id": callback.complaint_id},
                  at=now)
    close_order(callback.work_order_id, now=now)


def record_call(*, callback: Callback, actor: Principal, outcome: str, note: str = "", version: int | None = None,
                now: dt.datetime | None = None) -> Callback:
    """Record one call's outcome. Not reached: try again after the brand's hours, give up after its attempts;
    satisfied: the callback ends and the order closes; a revisit or a complaint: the callback goes to review."""
    check_desk(callback, actor, version)
    if outcome not in Outcome.values:
        raise InvalidInput(_("Choose a valid option."), field="outcome", allowed=list(Outcome.values))
    note = _note(note)
    now = now or timezone.now()
    order = WorkOrder.objects.get(pk=callback.work_order_id)
    policy = policy_for(order.brand_id, order.type)
    with transaction.atomic():
        CallbackAttempt.objects.create(callback=callback, outcome=outcome, note=note, by=actor.user, at=now)
        attempts = callback.attempts + 1
        if outcome == Outcome.NOT_REACHED and attempts < policy.max_attempts:
            _save(callback, now, attempts=attempts, outcome=outcome, note=note,
                  next_call_at=now + dt.timedelta(hours=policy.retry_hours))
        elif outcome in (Outcome.NOT_REACHED, Outcome.SATISFIED):
            _finish(callback, actor=actor, now=now, attempts=attempts, outcome=outcome, note=note)
        else:
            _save(callback, now, attempts=attempts, outcome=outcome, note=note, status=CallbackStatus.REVIEW)
    return callback


def rework_ended_callback(*, original: WorkOrder, rework: WorkOrder, actor: Principal, reason: str,
                          now: dt.datetime) -> None:
    """A rework of ``original`` was opened (workorders.rework, from the desk's review, the console or the API):
    the original's callback still open ends with the decision "rework" (the desk need not call about a fault
    already sent back), and the original closes, as after any callback. Inside the rework's transaction."""
    callback = Callback.objects.filter(work_order_id=original.pk, status__in=OPEN).first()
    if callback is None:
        close_order(original.pk, now=now)
        return
    _finish(callback, actor=actor, now=now, decision=Decision.REWORK, note=reason or callback.note,
            rework_order=rework)


def decide(*, callback: Callback, actor: Principal, decision: str, reason: str = "", outlet: Organisation | None = None,
           version: int | None = None, now: dt.datetime | None = None) -> Callback:
    """The review's end (回访审核): rework to ``outlet`` (a new order linked to this one), a complaint, or close.
    Each ends the callback and closes the original order, in one transaction."""
    check_desk(callback, actor, version)
    if callback.status != CallbackStatus.REVIEW:
        raise IllegalTransition(_("Only a callback under review can be decided."), from_status=callback.status)
    if decision not in Decision.values:
        raise InvalidInput(_("Choose a valid option."), field="decision", allowed=list(Decision.values))
    reason = _note(reason)
    now = now or timezone.now()
    order = WorkOrder.objects.select_related("customer").get(pk=callback.work_order_id)
    changes: dict = {"decision": decision, "note": reason or callback.note}
    try:
        with transaction.atomic():
            if decision == Decision.REWORK:
                if outlet is None:
                    raise InvalidInput(_("Choose an outlet."), field="outlet")
                # The decision first, by compare-and-set on the version read (a second agent's stale click is a
                # 409); the rework then ends this callback as every rework ends its original's (above).
                _save(callback, now, **changes)
                rework.create_rework_order(original=order, actor=actor, outlet=outlet, reason=reason, now=now)
            else:
                if decision == Decision.COMPLAINT:
                    if not reason:
                        raise InvalidInput(_("Say what the customer complains about."), field="reason")
                    complaints = complaint_requested.send(order=order, actor=actor, description=reason)
                    if not complaints:
                        raise ComplaintsUnavailable()
                    changes["complaint_id"] = complaints[0].pk
                _finish(callback, actor=actor, now=now, **changes)
    finally:
        callback.refresh_from_db()  # as it stands: decided, or untouched when refused
    return callback
