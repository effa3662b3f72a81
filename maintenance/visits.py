"""A contract's planned visits become maintenance orders ahead of their target week, and follow their orders.

``order_due_visits`` is the periodic job's body (maintenance/tasks.py): every planned visit of an active
contract whose target week starts within ``weeks_ahead`` weeks gets one maintenance work order, opened through
``workorders.services.create_work_order`` as the brand's own automation, with the target week as the requested
window. Each visit is claimed by compare-and-set on its status (planned -> ordered) in the transaction that
opens its order, so two runs at once, or the same run twice, open one order per visit.

The order's end comes back through the outbox (maintenance/hooks.py): completed -> the visit is done that day;
cancelled -> the visit is cancelled with the order's reason (a dispatcher cancels a visit the customer refused;
the job does not order it again).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.principal import system_principal
from core.dates import brand_tz
from maintenance.choices import ContractStatus, VisitStatus
from maintenance.models import ContractVisit
from maintenance.visitplan import WEEK, monday_of
from workorders.choices import Channel, Priority, WorkOrderType
from workorders.models import WorkOrder
from workorders.services import create_work_order

logger = logging.getLogger("aftersales.maintenance")

# How many weeks ahead of its target week a planned visit becomes an order (settings may say otherwise): enough
# for the outlet to plan the week and the customer to hear of it, not so much that the order goes stale.
WEEKS_AHEAD = 2
# The requested window inside the target week, in the brand's zone: Monday morning to Friday evening. The day
# plan takes the order on the Monday (its window starts then) and keeps it inside the technician's shift.
WINDOW_FROM = dt.time(9, 0)
WINDOW_DAYS = 4
WINDOW_UNTIL = dt.time(18, 0)
REASON_MAX = ContractVisit._meta.get_field("cancel_reason").max_length


def weeks_ahead() -> int:
    return int(getattr(settings, "MAINTENANCE_ORDER_WEEKS_AHEAD", WEEKS_AHEAD))


def week_window(target_week: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The requested window of a visit's order: its target week's Monday 09:00 to Friday 18:00, brand's zone."""
    tz = brand_tz()
    return (dt.datetime.combine(target_week, WINDOW_FROM, tzinfo=tz),
            dt.datetime.combine(target_week + dt.timedelta(days=WINDOW_DAYS), WINDOW_UNTIL, tzinfo=tz))


def order_window(target_week: dt.date, today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The requested window of a visit ordered on ``today``: its target week's; for a visit whose week is over
    (overdue, ordered late), this week's, or next week's from Saturday on: a promise is never made in the past."""
    week = target_week
    if week + dt.timedelta(days=WINDOW_DAYS) < today:
        week = monday_of(today)
        if today.weekday() > WINDOW_DAYS:
            week += WEEK
    return week_window(week)


def due_visit_ids(*, today: dt.date, weeks: int) -> list[int]:
    """Planned visits of active contracts whose target week starts no later than ``weeks`` weeks from this one
    (index contract_visit_due); an overdue planned visit (its week passed with no order) is among them."""
    horizon = monday_of(today) + weeks * WEEK
    return list(ContractVisit.objects.filter(status=VisitStatus.PLANNED, target_week__lte=horizon,
                                             contract__status=ContractStatus.ACTIVE)
                .order_by("target_week", "pk").values_list("pk", flat=True))


def order_visit(visit_id: int, *, today: dt.date | None = None) -> WorkOrder | None:
    """Open the maintenance order of one planned visit; None when another run has claimed it first (or it is
    no longer planned). One transaction: the claim, the order, the link."""
    today = today or timezone.localdate(timezone.now(), brand_tz())
    with transaction.atomic():
        if not ContractVisit.objects.filter(pk=visit_id, status=VisitStatus.PLANNED).update(
                status=VisitStatus.ORDERED):
            return None
        visit = ContractVisit.objects.select_related(
            "contract__plan", "contract__customer", "product__site", "product__product_model").get(pk=visit_id)
        contract, plan = visit.contract, visit.contract.plan
        start, end = order_window(visit.target_week, today)
        order = create_work_order(
            actor=system_principal(contract.brand_id), customer=contract.customer, type=WorkOrderType.MAINTENANCE,
            channel=Channel.CONTRACT, symptom=visit_symptom(visit), site=visit.product.site, product=visit.product,
            priority=Priority.HIGH if plan.priority_response else Priority.NORMAL, slot_start=start, slot_end=end,
            standard_minutes=plan.standard_minutes)
        ContractVisit.objects.filter(pk=visit_id).update(work_order=order)
    return order


def visit_symptom(visit: ContractVisit) -> str:
    """What the order says it is for: the contract, the visit's number and the plan's tasks (in the brand's
    words: the technician reads them on site)."""
    contract = visit.contract
    head = f"{contract.number} #{visit.sequence} · {contract.plan.name}"
    return f"{head}\n{contract.plan.tasks}"[:500]


def order_due_visits(*, today: dt.date | None = None, weeks: int | None = None) -> dict[str, int]:
    """The periodic job's body: an order for every due planned visit; returns how many were opened and how many
    another run had taken. A visit whose order cannot be opened is logged and left planned for the next run."""
    today = today or timezone.localdate(timezone.now(), brand_tz())
    opened = taken = failed = 0
    for visit_id in due_visit_ids(today=today, weeks=weeks_ahead() if weeks is None else weeks):
        try:
            order = order_visit(visit_id, today=today)
        except Exception:
            logger.exception("maintenance visit %s: no order opened", visit_id)
            failed += 1
            continue
        if order is None:
            taken += 1
        else:
            opened += 1
    return {"opened": opened, "taken": taken, "failed": failed}


# --- what the order's end does to its visit ---------------------------------------------------------

def visit_done(*, work_order_id: int, at: dt.datetime) -> bool:
    """The order completed: its visit is done that day (brand's zone). Idempotent: only an ordered visit moves."""
    return bool(ContractVisit.objects.filter(work_order_id=work_order_id, status=VisitStatus.ORDERED).update(
        status=VisitStatus.DONE, done_on=timezone.localdate(at, brand_tz())))


def visit_cancelled(*, work_order_id: int) -> bool:
    """The order was cancelled: its visit is cancelled with the order's reason. Idempotent, as visit_done."""
    reason = WorkOrder.objects.filter(pk=work_order_id).values_list("cancel_reason", flat=True).first() or ""
    return bool(ContractVisit.objects.filter(work_order_id=work_order_id, status=VisitStatus.ORDERED).update(
        status=VisitStatus.CANCELLED, cancel_reason=reason[:REASON_MAX]))

