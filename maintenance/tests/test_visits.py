"""Planned visits become maintenance orders ahead of their target week, once each; the order's end moves them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.principal import principal_of
from conftest import build_world, race
from core import outbox
from core.dates import brand_tz
from core.models import OutboxEvent
from customers.choices import CustomerKind
from customers.tests.factories import InstalledProductFactory, SiteFactory
from maintenance import hooks as maintenance_hooks
from maintenance.choices import ContractKind, SoldVia, Tier, VisitStatus
from maintenance.contracts import create_contract
from maintenance.models import ContractVisit
from maintenance.tasks import order_contract_visits
from maintenance.tests.factories import PlanFactory
from maintenance.visitplan import monday_of
from maintenance.visits import order_due_visits
from workorders import workflow
from workorders.choices import Channel, Priority, Status, WorkOrderType
from workorders.models import WorkOrder

TODAY = timezone.localdate(timezone.now(), brand_tz())


def contract_of(world, *, units=2, tier=Tier.STANDARD, priority_response=False, starts_on=None):
    world.customer.kind = CustomerKind.ENTERPRISE
    world.customer.save()
    sites = [SiteFactory(customer=world.customer, region=world.region) for _ in range(units)]
    products = [InstalledProductFactory(customer=world.customer, product_model=world.model, site=s) for s in sites]
    plan = PlanFactory(category=world.category, tier=tier, visits_per_year=12, priority_response=priority_response,
                       standard_minutes=75)
    return create_contract(customer=world.customer, plan=plan, products=products, kind=ContractKind.ENTERPRISE,
                           starts_on=starts_on or monday_of(TODAY), sold_via=SoldVia.CONTRACT,
                           price=Decimal("5000"), actor=principal_of(world.admin))


def due_within(contract, weeks):
    horizon = monday_of(TODAY) + dt.timedelta(weeks=weeks)
    return list(contract.visits.filter(target_week__lte=horizon).order_by("pk"))


@pytest.mark.django_db
def test_due_visits_become_maintenance_orders_in_their_target_week_once(world):
    contract = contract_of(world)
    due = due_within(contract, 6)
    assert len(due) == 4  # monthly: the first two of each of the two units

    assert order_due_visits(today=TODAY, weeks=6) == {"opened": 4, "taken": 0, "failed": 0}

    tz = brand_tz()
    for visit in due:
        visit.refresh_from_db()
        order = visit.work_order
        assert (visit.status, order.type, order.channel, order.priority, order.customer, order.product,
                order.site, order.region_id, order.status) == (
            VisitStatus.ORDERED, WorkOrderType.MAINTENANCE, Channel.CONTRACT, Priority.NORMAL, world.customer,
            visit.product, visit.product.site, world.region.pk, Status.NEW)
        assert order.slot_start == dt.datetime.combine(visit.target_week, dt.time(9), tzinfo=tz)
        assert order.slot_end == dt.datetime.combine(visit.target_week + dt.timedelta(days=4), dt.time(18), tzinfo=tz)
        assert order.onsite_due == order.slot_end
        assert order.standard_minutes == 75  # the plan's: dispatch plans the visit with them
        assert order.symptom.startswith(f"{contract.number} #{visit.sequence} · {contract.plan.name}\n")
    later = contract.visits.exclude(pk__in=[v.pk for v in due])
    assert set(later.values_list("status", flat=True)) == {VisitStatus.PLANNED}
    assert set(later.values_list("work_order", flat=True)) == {None}

    before = WorkOrder.objects.count()
    assert order_due_visits(today=TODAY, weeks=6) == {"opened": 0, "taken": 0, "failed": 0}
    assert WorkOrder.objects.count() == before


@pytest.mark.django_db
def test_the_periodic_task_orders_two_weeks_ahead_by_default(world):
    contract = contract_of(world, units=1)
    assert order_contract_visits.call() == {"opened": len(due_within(contract, 2)), "taken": 0, "failed": 0}
    assert WorkOrder.objects.count() == len(due_within(contract, 2)) == 1


@pytest.mark.django_db
def test_a_premium_plan_with_priority_response_orders_high_priority(world):
    contract = contract_of(world, units=1, tier=Tier.FULL, priority_response=True)
    order_due_visits(today=TODAY, weeks=4)
    assert list(WorkOrder.objects.values_list("priority", flat=True)) == [Priority.HIGH]
    assert contract.visits.filter(status=VisitStatus.ORDERED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_open_one_order_per_visit():
    world = build_world()
    contract = contract_of(world, units=3)
    due = due_within(contract, 8)

    results = race(lambda i: order_due_visits(today=TODAY, weeks=8), 3)

    assert sum(r["opened"] for r in results) == len(due) == 6, results
    assert sum(r["failed"] for r in results) == 0
    assert WorkOrder.objects.count() == len(due)
    assert ContractVisit.objects.filter(status=VisitStatus.ORDERED, work_order__isnull=False).count() == len(due)
    assert len(set(ContractVisit.objects.exclude(work_order=None).values_list("work_order", flat=True))) == len(due)


@pytest.mark.django_db
def test_a_completed_order_marks_its_visit_done_once_and_a_cancelled_one_cancels_it(world):
    contract = contract_of(world, units=2)
    order_due_visits(today=TODAY, weeks=4)
    first, second = contract.visits.filter(status=VisitStatus.ORDERED).order_by("pk")
    dispatcher, tech = principal_of(world.dispatcher), principal_of(world.tech_a.user)
    order = first.work_order
    order = workflow.transition(order, "assign", actor=dispatcher, outlet=world.outlet_a)
    order = workflow.transition(order, "dispatch", actor=dispatcher, technician=world.tech_a)
    for step in ("accept", "depart", "arrive", "complete"):
        order = workflow.transition(order, step, actor=tech)
    workflow.transition(second.work_order, "cancel", actor=dispatcher, reason="客户停业装修")

    outbox.deliver_due()

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.done_on) == (VisitStatus.DONE, timezone.localdate(order.completed_at, brand_tz()))
    assert (second.status, second.cancel_reason, second.work_order_id) == (
        VisitStatus.CANCELLED, "客户停业装修", second.work_order_id)
    # The sinks again (a redelivery): nothing moves.
    done_event = OutboxEvent.objects.get(kind="order.completed", work_order_id=order.pk)
    maintenance_hooks.contract_visit_done(done_event)
    first.refresh_from_db()
    assert (first.status, first.done_on) == (VisitStatus.DONE, timezone.localdate(order.completed_at, brand_tz()))
    # A cancelled visit is not ordered again by the job.
    assert order_due_visits(today=TODAY, weeks=4) == {"opened": 0, "taken": 0, "failed": 0}


@pytest.mark.django_db
def test_an_ended_contracts_visits_are_not_ordered(world):
    contract = contract_of(world, units=1)
    contract.status = "cancelled"
    contract.save()
    assert order_due_visits(today=TODAY, weeks=8) == {"opened": 0, "taken": 0, "failed": 0}
    assert ContractVisit.objects.filter(status=VisitStatus.PLANNED).count() == contract.visits.count()
