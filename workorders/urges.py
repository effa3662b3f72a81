"""Urging a late order (催单): the customer, or an agent for them, presses an order whose promise has passed.

The promise is the booked window's end, else the on-site deadline. Each urge is a numbered row (``Urge.seq``,
unique per order), a customer-visible event on the timeline and an ``order.urged`` event in the outbox
(core/outbox.py), in one transaction: notifications' sink tells the responsible dispatchers.

Urges escalate per promise. Each urge also counts the urges of the promise it was made about
(``Urge.since_promise``): when the order is promised anew (a re-booked window, a moved deadline), the count starts
again at 1, since the outlet is now late for something else. The brand's ``IntakePolicy.urges_to_complaint``-th
urge of one promise, and those after it, are ``escalated``; the first of them asks complaints, through
``urges_escalate`` (workorders/complaint_hooks.py), to open a "late or missed visit" complaint (or to take the
one still open), which then climbs the complaints ladder. So one promise opens at most one lateness complaint,
even when that complaint is resolved and the customer urges on. (A promise moved away and back to the very same
time with no urge in between is the same promise.)

After an urge the order is quiet for ``IntakePolicy.urge_interval_minutes``: another urge in that time is
refused with 429 (``urged_recently``). Two urges at the same moment race for the same ``seq``; the unique
constraint lets one row in, and the other finds it and is refused the same way, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import CUSTOMER_EDITORS
from accounts.principal import Principal
from core import outbox
from core.errors import DomainError, NotFound, PermissionDenied
from workorders import events
from workorders.choices import OPEN_STATUSES, Status
from workorders.complaint_hooks import urges_escalate
from workorders.intake import policy_for
from workorders.models import IntakePolicy, Urge, WorkOrder

NOTE_MAX = 300
# Once the technician is at the door there is nothing left to urge; on hold after a visit (waiting for
# parts) the customer may urge again.
URGEABLE = frozenset(OPEN_STATUSES - {Status.ON_SITE})
STAFF_URGERS = CUSTOMER_EDITORS  # brand admin, dispatcher, hotline agent: urging for a caller



class NotUrgeable(DomainError):
    code = "not_urgeable"
    status = 409
    default_message = _("This order cannot be urged: it is finished, or the technician is already there.")


class NotLate(DomainError):
    code = "not_late"
    status = 409
    default_message = _("The order is not late yet: you can urge it once the promised time has passed.")


class UrgedRecently(DomainError):
    code = "urged_recently"
    status = 429
    default_message = _("This order was urged a moment ago and the dispatcher has been told. "
                        "You can urge it again after %(time)s.")


def promise_of(order: WorkOrder) -> dt.datetime | None:
    """What the customer was promised: the end of the booked window, else the on-site deadline."""
    return order.slot_end or order.onsite_due


@dataclass(frozen=True)
class UrgeState:
    """What the urge button shows: whether it is on offer, how many urges so far (of the order, and about its
    present promise), and when the next may come."""

    late: bool
    count: int
    next_at: dt.datetime | None  # within the quiet period after the last urge: when it ends
    promised: dt.datetime | None
    since_promise: int = 0  # urges about the present promise
    escalated: bool = False  # one of them has escalated already (its complaint is asked for)

    @property
    def can_urge(self) -> bool:
        return self.late and self.next_at is None


def urge_state(order: WorkOrder, now: dt.datetime | None = None, policy: IntakePolicy | None = None) -> UrgeState:
    now = now or timezone.now()
    promised = promise_of(order)
    late = order.status in URGEABLE and promised is not None and now >= promised
    last = (Urge.objects.filter(work_order_id=order.pk).order_by("-seq")
            .values_list("seq", "created_at", "promised", "since_promise").first())
    count, next_at, since, escalated = 0, None, 0, False
    if last is not None:
        count, at, last_promised, last_since = last
        policy = policy or policy_for(order.brand_id)
        quiet_until = at + dt.timedelta(minutes=policy.urge_interval_minutes)
        next_at = quiet_until if now < quiet_until else None
        if last_promised == promised:  # the last urge was about this promise: its run goes on
            since = last_since
            escalated = Urge.objects.filter(work_order_id=order.pk, seq__gt=count - last_since,
                                            escalated=True).exists()
    return UrgeState(late=late, count=count, next_at=next_at, promised=promised, since_promise=since,
                     escalated=escalated)


def _refuse_recent(next_at: dt.datetime, now: dt.datetime | None = None) -> UrgedRecently:
    local = timezone.localtime(next_at)
    error = UrgedRecently(UrgedRecently.default_message % {"time": f"{local:%H:%M}"},
                          retry_after=next_at.isoformat())
    error.retry_after_seconds = max(1, math.ceil((next_at - (now or timezone.now())).total_seconds()))
    return error


def ensure_may_urge(order: WorkOrder, actor: Principal) -> None:
    """The order's own customer, or the brand's desk; an outlet or a technician is the one being urged."""
    if actor.is_customer:
        if order.customer_id != actor.customer_id:
            raise NotFound()
        return
    if actor.role not in STAFF_URGERS or order.brand_id != actor.brand_id:
        raise PermissionDenied(_("Your role may not urge orders."))


def urge_order(*, order: WorkOrder, actor: Principal, channel: str, note: str = "",
               now: dt.datetime | None = None) -> Urge:
    """Urge ``order`` (fetched through ``visible_to``) once, if it is late and not urged within the quiet period."""
    ensure_may_urge(order, actor)
    note = (note or "").strip()[:NOTE_MAX]
    now = now or timezone.now()
    policy = policy_for(order.brand_id)
    with transaction.atomic():
        # The order as it stands now, not as the caller read it.
        order = WorkOrder.objects.get(pk=order.pk)
        state = urge_state(order, now, policy)
        if order.status not in URGEABLE:
            raise NotUrgeable()
        if not state.late:
            raise NotLate(promised=state.promised.isoformat() if state.promised else None)
        if state.next_at is not None:
            raise _refuse_recent(state.next_at, now)
        seq, since = state.count + 1, state.since_promise + 1
        try:
            with transaction.atomic():
                urge = Urge.objects.create(
                    work_order=order, seq=seq, since_promise=since, channel=channel, actor=actor.user,
                    actor_role=actor.role, note=note, promised=state.promised,
                    escalated=since >= policy.urges_to_complaint, created_at=now,
                )
        except IntegrityError:
            # Another urge took this number a moment ago: it is the one within the quiet period.
            raise _refuse_recent(now + dt.timedelta(minutes=policy.urge_interval_minutes), now) from None
        events.urged(order_id=order.pk, actor=actor, seq=seq, channel=channel, note=note, at=now)
        outbox.record("order.urged", brand_id=order.brand_id, work_order_id=order.pk, subject=("urge", urge.pk),
                      at=now, data={"number": order.number, "seq": seq, "since_promise": since, "channel": channel,
                                    "actor_role": actor.role, "escalated": urge.escalated,
                                    "promised": state.promised.isoformat() if state.promised else None})
        if urge.escalated and not state.escalated:  # the promise's first escalation: its one complaint
            urges_escalate.send(order=order, urge=urge, actor=actor)
    return urge


def urge_counts(order_ids) -> dict[int, int]:
    """How many times each of these orders was urged (the KPI beside each order); absent: never."""
    ids = list(order_ids)
    if not ids:
        return {}
    rows = (Urge.objects.filter(work_order_id__in=ids).order_by().values("work_order_id")
            .annotate(n=Max("seq")).values_list("work_order_id", "n"))
    return dict(rows)
