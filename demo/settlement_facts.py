"""Last month's facts the settlement rules and surcharges read, put on the demo's orders before their statements
are generated (demo/settlement.py), so every kind of line shows in the demo: sites high up without a lift (and
some with one), visits that failed through the customer (a hold on site waiting for them, then resumed), breached
clocks, ratings high enough for one outlet's satisfaction bonus, and a complaint upheld against an outlet.

Each fact is on a few orders chosen by the seeded random generator, as a finished month would hold them: the
events sit on the order's timeline between the check-in and the completion."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db.models import F

from complaints import sla
from complaints.choices import ComplaintCategory, ComplaintStatus, Outcome, ResponsibleParty
from complaints.models import Complaint
from customers.models import Site
from feedback.models import Rating
from workorders.choices import EventKind, HoldReason, SlaAlert, Status
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.workflow import ACTIONS

FAILED_REASONS = ["客户不在家，电话未接，改约明天", "到场后客户临时外出，约定下午再来",
                  "小区门禁无法进入，客户未下楼接"]
PRAISE = ["师傅很专业，准时上门", "讲解清楚，服务态度好", "修得很快，很满意"]


def add_month_facts(orders: list[WorkOrder], rng: random.Random, *, spare: set[int]) -> None:
    """Put the month's facts on ``orders`` (last month's settled orders), leaving the outlets in ``spare`` (the
    statement with the reused photo) as they are."""
    held = set(WorkOrderEvent.objects.filter(work_order__in=orders, action="hold").values_list("work_order_id",
                                                                                             flat=True))
    pool = [order for order in orders if order.outlet_id not in spare and order.arrived_at and order.completed_at
            and order.pk not in held]  # a hold of its own already: one more would cross it on the timeline
    if len(pool) < 12:
        return
    picked = rng.sample(pool, 12)
    _floors(picked[:5])
    _failed_visits(picked[5:8], rng)
    WorkOrder.objects.filter(pk__in=[o.pk for o in picked[8:10]]).update(onsite_alert=SlaAlert.BREACHED)
    _complaint(picked[10])
    _ratings(pool, rng)


def _floors(orders: list[WorkOrder]) -> None:
    """Three sites high up without a lift (the surcharge), two with one (none)."""
    for order, (floor, lift) in zip(orders, [(7, False), (12, False), (6, False), (18, True), (9, True)],
                                    strict=False):
        Site.objects.filter(pk=order.site_id).update(floor=floor, has_lift=lift)


def _failed_visits(orders: list[WorkOrder], rng: random.Random) -> None:
    """On site, the technician found nobody and put the job on hold waiting for the customer; back later, done."""
    events = []
    for order in orders:
        spent = (order.completed_at - order.arrived_at) / 3
        held, resumed = order.arrived_at + spent, order.arrived_at + 2 * spent
        actor = order.technician.user_id if order.technician_id else None
        events += [
            WorkOrderEvent(work_order_id=order.pk, kind=EventKind.TRANSITION, action="hold",
                           from_status=Status.ON_SITE, to_status=Status.ON_HOLD, actor_id=actor,
                           actor_role="technician", reason=rng.choice(FAILED_REASONS),
                           customer_visible=ACTIONS["hold"].customer_visible,
                           data={"hold_reason": HoldReason.WAITING_CUSTOMER}, created_at=held),
            WorkOrderEvent(work_order_id=order.pk, kind=EventKind.TRANSITION, action="resume",
                           from_status=Status.ON_HOLD, to_status=Status.ON_SITE, actor_id=actor,
                           actor_role="technician", customer_visible=ACTIONS["resume"].customer_visible,
                           created_at=resumed)]
    WorkOrderEvent.objects.bulk_create(events)
    # Each step moved the order on: its version counts its steps.
    WorkOrder.objects.filter(pk__in=[order.pk for order in orders]).update(version=F("version") + 2)


def _complaint(order: WorkOrder) -> None:
    """A complaint about the visit, upheld against the outlet with compensation the verdict set."""
    at = order.completed_at + dt.timedelta(days=1)
    complaint = Complaint(
        brand_id=order.brand_id, customer_id=order.customer_id, work_order=order, outlet_id=order.outlet_id,
        technician_id=order.technician_id, region_id=order.region_id, category=ComplaintCategory.values[0],
        description="师傅上门迟到两个小时，也没有提前打电话。", status=ComplaintStatus.RESOLVED, opened_at=at,
        outcome=Outcome.UPHELD, compensation=Decimal("50.00"), responsible=ResponsibleParty.OUTLET,
        resolution="核实属实，网点承担赔付。")
    # Acknowledged and resolved inside the brand's clocks, as the desk does.
    complaint.acknowledge_due, complaint.resolve_due = sla.due_times(complaint, start=at)
    complaint.acknowledged_at = at + dt.timedelta(minutes=5)
    complaint.resolved_at = at + dt.timedelta(minutes=10)
    complaint.save()


def _ratings(orders: list[WorkOrder], rng: random.Random) -> None:
    """Every unrated order of the outlet with the most orders rated highly (its satisfaction bonus), and about
    a third of the others' orders rated as customers do."""
    by_outlet: dict[int, list[WorkOrder]] = defaultdict(list)
    for order in orders:
        by_outlet[order.outlet_id].append(order)
    best = max(by_outlet, key=lambda outlet: (len(by_outlet[outlet]), -outlet))
    rated = set(Rating.objects.filter(work_order__in=orders).values_list("work_order_id", flat=True))
    ratings = []
    for order in orders:
        if order.pk in rated or (order.outlet_id != best and rng.random() > 0.33):
            continue
        score = rng.choice([5, 4, 4, 3]) if order.outlet_id != best else rng.choice([5, 5, 5, 4])
        ratings.append(Rating(work_order_id=order.pk, customer_id=order.customer_id, score=score,
                              comment=rng.choice(PRAISE) if score == 5 else "",
                              created_at=order.completed_at + dt.timedelta(hours=2)))
    Rating.objects.bulk_create(ratings)
