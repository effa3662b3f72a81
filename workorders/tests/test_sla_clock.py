"""The SLA clocks stand still while the order waits for the customer, and only then (workorders/sla_clock.py).

Time travels by passing ``now`` to the lifecycle's ``transition``; nothing sleeps.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from accounts.principal import principal_of
from core.errors import StaleVersion
from workorders import workflow
from workorders.choices import HoldReason, SlaState, Status
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)


def clocks(order: WorkOrder) -> dict:
    order = WorkOrder.objects.get(pk=order.pk)
    return {"response_due": order.response_due, "onsite_due": order.onsite_due,
            "paused": order.sla_paused_seconds, "paused_at": order.sla_paused_at}


def test_waiting_for_the_customer_moves_both_deadlines_by_the_pause(world):
    order = make_order(world, status=Status.ASSIGNED)
    before = clocks(order)
    desk = principal_of(world.dispatcher)
    t1 = order.created_at + 10 * MIN

    order = workflow.transition(order, "hold", actor=desk, reason="customer away", now=t1,
                                hold_reason=HoldReason.WAITING_CUSTOMER)
    assert clocks(order) == {**before, "paused_at": t1}
    assert order.sla_state == SlaState.PAUSED

    order = workflow.transition(order, "resume", actor=desk, now=t1 + 95 * MIN)

    assert clocks(order) == {"response_due": before["response_due"] + 95 * MIN,
                             "onsite_due": before["onsite_due"] + 95 * MIN, "paused": 95 * 60, "paused_at": None}
    resumed = order.events.get(action="resume")
    assert resumed.data == {"sla_paused_seconds": 95 * 60}
    assert order.status == Status.ASSIGNED


def test_waiting_for_parts_does_not_stop_the_clocks(world):
    order = make_order(world, status=Status.ACCEPTED)
    before = clocks(order)
    tech = principal_of(world.tech_a.user)
    t1 = order.created_at + 5 * MIN

    order = workflow.transition(order, "hold", actor=tech, reason="no pump", hold_reason=HoldReason.WAITING_PARTS,
                                now=t1)
    assert order.sla_state != SlaState.PAUSED
    order = workflow.transition(order, "resume", actor=tech, now=t1 + 3 * 60 * MIN)

    assert clocks(order) == before
    assert "sla_paused_seconds" not in order.events.get(action="resume").data


def test_an_accepted_order_keeps_its_met_response_deadline(world):
    order = make_order(world, status=Status.ACCEPTED)  # response met at acceptance
    before = clocks(order)
    tech = principal_of(world.tech_a.user)
    t1 = order.created_at + 20 * MIN

    order = workflow.transition(order, "hold", actor=tech, reason="not home", now=t1,
                                hold_reason=HoldReason.WAITING_CUSTOMER)
    order = workflow.transition(order, "resume", actor=tech, now=t1 + 40 * MIN)

    assert clocks(order) == {**before, "onsite_due": before["onsite_due"] + 40 * MIN, "paused": 40 * 60}


def test_a_wait_on_site_moves_no_deadline_but_counts(world):
    order = make_order(world, status=Status.ON_SITE)
    before = clocks(order)
    tech = principal_of(world.tech_a.user)
    t1 = order.created_at + 30 * MIN

    order = workflow.transition(order, "hold", actor=tech, reason="customer deciding", now=t1,
                                hold_reason=HoldReason.WAITING_CUSTOMER)
    order = workflow.transition(order, "resume", actor=tech, now=t1 + 25 * MIN)

    assert clocks(order) == {**before, "paused": 25 * 60}


def test_cancelling_a_paused_order_ends_the_pause(world):
    order = make_order(world, status=Status.DISPATCHED)
    desk = principal_of(world.dispatcher)
    t1 = order.created_at + MIN
    order = workflow.transition(order, "hold", actor=desk, reason="unreachable", now=t1,
                                hold_reason=HoldReason.WAITING_CUSTOMER)

    order = workflow.transition(order, "cancel", actor=desk, reason="customer withdrew", now=t1 + 70 * MIN)

    assert (order.sla_paused_seconds, order.sla_paused_at) == (70 * 60, None)


def test_a_refused_resume_changes_nothing(world):
    order = make_order(world, status=Status.ASSIGNED)
    desk = principal_of(world.dispatcher)
    t1 = order.created_at + MIN
    order = workflow.transition(order, "hold", actor=desk, reason="away", now=t1,
                                hold_reason=HoldReason.WAITING_CUSTOMER)
    before = WorkOrder.objects.values().get(pk=order.pk)
    events = WorkOrderEvent.objects.filter(work_order=order).count()

    with pytest.raises(StaleVersion):
        workflow.transition(order, "resume", actor=desk, version=order.version - 1, now=t1 + 60 * MIN)

    assert WorkOrder.objects.values().get(pk=order.pk) == before
    assert WorkOrderEvent.objects.filter(work_order=order).count() == events


def test_the_lists_show_and_filter_paused_orders(world, api_as):
    paused = make_order(world, status=Status.ASSIGNED)
    workflow.transition(paused, "hold", actor=principal_of(world.dispatcher), reason="away",
                        hold_reason=HoldReason.WAITING_CUSTOMER)
    # Past its deadline while paused: still "paused", not "breached", in the list and in the filters.
    WorkOrder.objects.filter(pk=paused.pk).update(onsite_due=paused.created_at - MIN)
    running = make_order(world, status=Status.ASSIGNED)
    client = api_as("dispatcher")

    items = {i["id"]: i for i in client.get("/api/v1/workorders").json()["items"]}
    assert items[paused.pk]["sla_state"] == "paused" and items[running.pk]["sla_state"] == "ok"

    def listed(sla):
        return {i["id"] for i in client.get("/api/v1/workorders", {"sla": sla}).json()["items"]}

    assert listed("paused") == {paused.pk}
    assert listed("breached") == set()
    assert listed("ok") == {running.pk}


# --- random sequences --------------------------------------------------------------------------------------

FORWARD = {Status.NEW: "assign", Status.ASSIGNED: "dispatch", Status.DISPATCHED: "accept",
           Status.ACCEPTED: "depart", Status.EN_ROUTE: "arrive", Status.ON_SITE: "complete"}


def make_machine(world):
    desk = principal_of(world.dispatcher)
    tech = principal_of(world.tech_a.user)

    class Clocks(RuleBasedStateMachine):
        """A model of the clocks beside the real order: the spans it has seen, and which clock each moved."""

        def __init__(self):
            super().__init__()
            self.order = make_order(world)
            self.now = self.order.created_at
            self.initial = clocks(self.order)
            self.last = self.initial
            self.spans: list[int] = []
            self.moved = {"response_due": 0, "onsite_due": 0}
            self.pause_started: dt.datetime | None = None

        def step(self, action, **kw):
            actor = desk if action in ("assign", "dispatch", "cancel") else tech
            if action == "hold" and self.order.status in (Status.NEW, Status.ASSIGNED, Status.DISPATCHED):
                actor = desk
            fresh = WorkOrder.objects.get(pk=self.order.pk)
            self.order = workflow.transition(fresh, action, actor=actor, now=self.now, outlet=world.outlet_a,
                                             technician=world.tech_a, **kw)

        @rule(minutes=st.integers(0, 600), seconds=st.integers(0, 59))
        def time_passes(self, minutes, seconds):
            self.now += dt.timedelta(minutes=minutes, seconds=seconds)

        @precondition(lambda self: self.order.status in FORWARD)
        @rule()
        def forward(self):
            self.step(FORWARD[self.order.status])

        @precondition(lambda self: self.order.status in workflow.HOLDABLE)
        @rule(reason=st.sampled_from(HoldReason.values))
        def hold(self, reason):
            self.step("hold", reason="hold", hold_reason=reason)
            if reason == HoldReason.WAITING_CUSTOMER:
                self.pause_started = self.now

        @precondition(lambda self: self.order.status == Status.ON_HOLD)
        @rule(cancel=st.booleans())
        def end_hold(self, cancel):
            was = WorkOrder.objects.get(pk=self.order.pk)
            self.step("cancel" if cancel else "resume", reason="done")
            if self.pause_started is not None:
                span = int((self.now - self.pause_started).total_seconds())
                self.spans.append(span)
                if was.accepted_at is None:
                    self.moved["response_due"] += span
                if was.arrived_at is None:
                    self.moved["onsite_due"] += span
                self.pause_started = None

        @invariant()
        def deadlines_move_only_by_pauses(self):
            now = clocks(self.order)
            for due in ("response_due", "onsite_due"):
                assert now[due] >= self.last[due], "a deadline moved backwards"
                assert now[due] - self.initial[due] == dt.timedelta(seconds=self.moved[due])
            assert now["paused"] == sum(self.spans)
            assert (now["paused_at"] is not None) == (self.pause_started is not None)
            self.last = now

    return Clocks


def test_random_sequences_keep_the_clock_invariants(world):
    run_state_machine_as_test(make_machine(world), settings=settings(
        max_examples=40, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
