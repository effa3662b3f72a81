
import pytest

from accounts.principal import principal_of
from core.errors import IllegalTransition, InvalidInput, PermissionDenied, StaleVersion
from workorders import workflow
from workorders.choices import Status
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def test_happy_path_writes_one_event_per_step(world):
    order = make_order(world, status=Status.CLOSED)
    events = list(order.events.order_by("created_at", "pk"))
    assert [e.to_status for e in events] == [
        "new", "assigned", "dispatched", "accepted", "en_route", "on_site", "completed", "closed",
    ]
    assert [e.from_status for e in events[1:]] == [e.to_status for e in events[:-1]]
    assert order.version == 8
    assert order.closed_at is not None and order.completed_at is not None


def test_edge_not_in_table_is_refused_and_changes_nothing(world):
    order = make_order(world, status=Status.ASSIGNED)
    before = WorkOrder.objects.values().get(pk=order.pk)
    with pytest.raises(IllegalTransition) as exc:
        workflow.transition(order, "resume", actor=principal_of(world.dispatcher))
    assert exc.value.status == 409 and exc.value.code == "illegal_transition"
    assert WorkOrder.objects.values().get(pk=order.pk) == before
    assert order.events.count() == 2


def test_role_not_allowed_is_forbidden(world):
    order = make_order(world, status=Status.DISPATCHED)
    with pytest.raises(PermissionDenied):
        workflow.transition(order, "accept", actor=principal_of(world.dispatcher))
    assert WorkOrder.objects.get(pk=order.pk).status == Status.DISPATCHED


def test_stale_version_is_refused(world):
    order = make_order(world, status=Status.NEW)
    with pytest.raises(StaleVersion):
        workflow.transition(order, "assign", actor=principal_of(world.dispatcher), outlet=world.outlet_a, version=0)
    assert WorkOrder.objects.get(pk=order.pk).status == Status.NEW


def test_stale_object_loses_to_the_first_writer(world):
    order = make_order(world, status=Status.ASSIGNED)
    stale = WorkOrder.objects.get(pk=order.pk)
    workflow.transition(order, "dispatch", actor=principal_of(world.dispatcher), technician=world.tech_a)
    with pytest.raises(StaleVersion):
        workflow.transition(stale, "return_to_brand", actor=principal_of(world.dispatcher), reason="busy")
    assert WorkOrder.objects.get(pk=order.pk).status == Status.DISPATCHED


def test_decline_returns_to_outlet_and_technician_loses_sight(world):
    order = make_order(world, status=Status.DISPATCHED)
    tech = principal_of(world.tech_a.user)
    with pytest.raises(InvalidInput):
        workflow.transition(order, "decline", actor=tech)
    order = workflow.transition(order, "decline", actor=tech, reason="Too far today")
    assert order.status == Status.ASSIGNED and order.technician_id is None
    assert not WorkOrder.objects.visible_to(world.tech_a.user).filter(pk=order.pk).exists()
    event = order.events.latest("pk")
    assert (event.action, event.reason, event.customer_visible) == ("decline", "Too far today", False)


def test_hold_and_resume_returns_to_held_status(world):
    order = make_order(world, status=Status.EN_ROUTE)
    tech = principal_of(world.tech_a.user)
    order = workflow.transition(order, "hold", actor=tech, reason="no part", hold_reason="waiting_parts")
    assert (order.status, order.held_from) == (Status.ON_HOLD, Status.EN_ROUTE)
    order = workflow.transition(order, "resume", actor=tech)
    assert (order.status, order.held_from, order.hold_reason) == (Status.EN_ROUTE, "", "")


def test_customer_may_cancel_only_early(world):
    customer = principal_of(world.customer.user)
    early = make_order(world, status=Status.ASSIGNED)
    assert workflow.transition(early, "cancel", actor=customer, reason="Fixed it").status == Status.CANCELLED
    late = make_order(world, status=Status.EN_ROUTE)
    with pytest.raises(IllegalTransition):
        workflow.transition(late, "cancel", actor=customer, reason="changed mind")


def test_dispatch_to_other_outlets_technician_is_refused(world):
    order = make_order(world, status=Status.ASSIGNED)
    with pytest.raises(InvalidInput) as exc:
        workflow.transition(order, "dispatch", actor=principal_of(world.dispatcher), technician=world.tech_b)
    assert exc.value.field == "technician"
    assert WorkOrderEvent.objects.filter(work_order=order).count() == 2


def test_allowed_table_covers_every_status():
    assert set(workflow.ALLOWED) == set(Status.values)
    assert workflow.ALLOWED[Status.CANCELLED] == set()
    assert workflow.ALLOWED[Status.ON_HOLD] == {"assigned", "dispatched", "accepted", "en_route", "on_site",
                                                "cancelled"}


def test_cancel_on_hold_ends_the_hold(world):
    order = make_order(world, status=Status.ON_HOLD)
    order = workflow.transition(order, "cancel", actor=principal_of(world.dispatcher), reason="customer moved")
    assert (order.status, order.held_from, order.hold_reason) == (Status.CANCELLED, "", "")
    assert order.cancel_reason == "customer moved"
