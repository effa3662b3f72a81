"""Random sequences of lifecycle steps by random personas keep the order's invariants."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.principal import principal_of
from core.errors import DomainError
from workorders import workflow
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db

ACTORS = ["dispatcher", "hotline", "manager_a", "tech_a", "tech_a2", "customer"]
WITH_TECHNICIAN = {Status.DISPATCHED, Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE, Status.COMPLETED,
                   Status.CLOSED}

steps = st.lists(
    st.tuples(
        st.sampled_from(sorted(workflow.ACTIONS)),
        st.sampled_from(ACTORS),
        st.booleans(),  # give a reason
        st.booleans(),  # send a stale version
    ),
    min_size=1,
    max_size=25,
)


def actor_for(world, name):
    obj = getattr(world, name)
    return principal_of(getattr(obj, "user", obj) if not hasattr(obj, "username") else obj)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_random_walks_keep_invariants(world, steps):
    order = make_order(world)
    applied = 0
    for action, actor_name, with_reason, stale in steps:
        before = WorkOrder.objects.values().get(pk=order.pk)
        actor = actor_for(world, actor_name)
        visible = WorkOrder.objects.visible_to(actor.user).filter(pk=order.pk).first()
        if visible is None:
            continue
        try:
            order = workflow.transition(
                visible, action, actor=actor, reason="because" if with_reason else "",
                version=visible.version - 1 if stale else None,
                outlet=world.outlet_a, technician=world.tech_a, hold_reason="waiting_customer",
            )
            applied += 1
            assert before["status"] in workflow.ACTIONS[action].sources
            assert order.status in workflow.ALLOWED[before["status"]]
        except DomainError:
            assert WorkOrder.objects.values().get(pk=order.pk) == before
        order = WorkOrder.objects.get(pk=order.pk)
        check_invariants(order)
    assert order.version == 1 + applied


def check_invariants(order):
    events = list(order.events.order_by("created_at", "pk"))
    assert events[0].kind == "created"
    for prev, nxt in zip(events, events[1:], strict=False):
        assert nxt.from_status == prev.to_status
        assert nxt.to_status in workflow.ALLOWED[nxt.from_status]
    assert events[-1].to_status == order.status
    assert order.version == len(events)  # no edits here: each applied step is one event and one version
    effective = order.held_from if order.status == Status.ON_HOLD else order.status
    if order.status != Status.CANCELLED:  # a cancelled order keeps whoever was on it, for the record
        assert (order.technician_id is not None) == (effective in WITH_TECHNICIAN)
    if order.technician_id:
        assert order.technician.outlet_id == order.outlet_id
    if order.status not in (Status.NEW, Status.CANCELLED):
        assert order.outlet_id is not None
    assert (order.closed_at is not None) == (order.status == Status.CLOSED)
    assert (order.held_from != "") == (order.status == Status.ON_HOLD)
