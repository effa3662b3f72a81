"""The periodic SLA watch marks each clock once, writes it on the timeline and notifies the dispatchers once.

Time travels by passing ``now`` to ``sweep``; nothing sleeps.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.management import call_command

from accounts.choices import Role
from accounts.principal import principal_of
from accounts.tests.factories import MembershipFactory, UserFactory
from conftest import build_world, race
from core import outbox
from core.models import Delivery, DeliveryStatus
from notifications.backends import InAppBackend, Notice
from notifications.models import Notification
from notifications.tasks import notify_sla_alert
from workorders import workflow
from workorders.choices import HoldReason, SlaAlert, Status
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.sla_watch import sweep
from workorders.tasks import watch_sla
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def watch(django_capture_on_commit_callbacks):
    """The sweep with its on-commit work run, as it is outside a test's transaction."""

    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return sweep(now=now)

    return run


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def outlet_dispatcher(world, outlet, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=outlet, role=Role.OUTLET_DISPATCHER)
    return user


def sla_events(order) -> list[tuple[str, dict]]:
    return [(e.action, e.data) for e in WorkOrderEvent.objects.filter(work_order=order, kind="sla")]


def inbox(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("key", flat=True))


def alerts(order) -> tuple[str, str]:
    return tuple(WorkOrder.objects.values_list("response_alert", "onsite_alert").get(pk=order.pk))


def test_an_order_is_marked_at_risk_then_breached_once_each_and_the_right_people_hear(world, caplog, watch):
    desk_a = outlet_dispatcher(world, world.outlet_a, "desk_a")
    desk_b = outlet_dispatcher(world, world.outlet_b, "desk_b")
    order = make_order(world, status=Status.ACCEPTED)  # outlet A; response met
    due = order.onsite_due
    key = f"sla:{order.pk}:onsite:"

    with caplog.at_level(logging.INFO, logger="aftersales.notifications"):
        assert watch(now=due - 3 * HOUR) == {}
        assert watch(now=due - HOUR) == {"onsite_at_risk": 1}
        assert watch(now=due - 30 * MIN) == {}

    assert alerts(order) == (SlaAlert.OK, SlaAlert.AT_RISK)
    assert sla_events(order) == [("onsite_at_risk", {"clock": "onsite", "state": "at_risk", "due": due.isoformat()})]
    assert WorkOrderEvent.objects.get(work_order=order, kind="sla").customer_visible is False
    assert inbox(world.dispatcher) == inbox(desk_a) == [key + "at_risk"]
    for bystander in (desk_b, world.manager_a, world.hotline, world.rival_dispatcher):
        assert inbox(bystander) == []
    lines = [r.getMessage() for r in caplog.records if r.name == "aftersales.notifications"]
    assert len(lines) == 1 and lines[0].startswith(f"notify {key}at_risk to users ")

    assert watch(now=due + MIN) == {"onsite_breached": 1}
    assert watch(now=due + 2 * MIN) == {}
    assert alerts(order) == (SlaAlert.OK, SlaAlert.BREACHED)
    assert [a for a, _ in sla_events(order)] == ["onsite_at_risk", "onsite_breached"]
    assert inbox(world.dispatcher) == [key + "at_risk", key + "breached"]
    # The watch writes no version: a dispatcher's form opened before it still submits.
    assert WorkOrder.objects.get(pk=order.pk).version == order.version


def test_a_missed_window_goes_straight_to_breached_with_one_notice(world, watch):
    order = make_order(world)  # new: both clocks run
    assert watch(now=order.onsite_due + HOUR) == {"onsite_breached": 1, "response_breached": 1}
    assert alerts(order) == (SlaAlert.BREACHED, SlaAlert.BREACHED)
    assert inbox(world.dispatcher) == [f"sla:{order.pk}:onsite:breached", f"sla:{order.pk}:response:breached"]


def test_the_response_clock_stops_at_acceptance(world, watch):
    waiting = make_order(world, status=Status.DISPATCHED)
    accepted = make_order(world, status=Status.ACCEPTED)
    now = waiting.response_due + MIN

    assert watch(now=now) == {"response_breached": 1}
    assert alerts(waiting)[0] == SlaAlert.BREACHED and alerts(accepted)[0] == SlaAlert.OK


def test_paused_arrived_and_finished_orders_are_left_alone_but_waiting_for_parts_is_not(world, watch):
    tech = principal_of(world.tech_a.user)
    paused = make_order(world, status=Status.ACCEPTED)
    workflow.transition(paused, "hold", actor=tech, reason="away", hold_reason=HoldReason.WAITING_CUSTOMER)
    parts = make_order(world, status=Status.ACCEPTED)
    workflow.transition(parts, "hold", actor=tech, reason="pump", hold_reason=HoldReason.WAITING_PARTS)
    arrived = make_order(world, status=Status.ON_SITE)
    closed = make_order(world, status=Status.CLOSED)
    cancelled = make_order(world, status=Status.CANCELLED)
    late = max(o.onsite_due for o in (paused, parts, arrived, closed, cancelled)) + HOUR

    assert watch(now=late) == {"onsite_breached": 1}  # the one waiting for parts (its response was met)
    assert alerts(parts) == (SlaAlert.OK, SlaAlert.BREACHED)
    for order in (paused, arrived, closed):
        assert alerts(order) == (SlaAlert.OK, SlaAlert.OK)


def test_running_the_task_twice_delivers_once(world, committing):
    order = make_order(world, status=Status.ACCEPTED)
    with committing():
        watch_sla.call(now=(order.onsite_due + MIN).isoformat())
    rows = list(Notification.objects.values_list("pk", "recipient_id", "key"))
    assert len(rows) == 1

    with committing():
        watch_sla.call(now=(order.onsite_due + 2 * MIN).isoformat())
    assert notify_sla_alert.call(order.pk, "onsite", "breached") == 1  # the task again, by hand: same key
    assert list(Notification.objects.values_list("pk", "recipient_id", "key")) == rows
    assert len(sla_events(order)) == 1


class Recorder:
    """A notification backend of another kind (think SMS): keeps what it was handed."""

    seen: list[Notice] = []

    def deliver(self, notice: Notice) -> None:
        Recorder.seen.append(notice)


class Broken:
    def deliver(self, notice: Notice) -> None:
        raise ConnectionError("gateway down")


def test_the_backend_is_pluggable_and_a_broken_one_does_not_stop_the_others(world, settings, watch):
    settings.NOTIFICATION_BACKENDS = [f"{__name__}.Broken", "notifications.backends.InAppBackend",
                                      f"{__name__}.Recorder"]
    Recorder.seen = []
    order = make_order(world, status=Status.ACCEPTED)

    watch(now=order.onsite_due - HOUR)
    watch(now=order.onsite_due - HOUR)

    assert [(n.key, n.recipient_ids, n.data["number"]) for n in Recorder.seen] == [
        (f"sla:{order.pk}:onsite:at_risk", (world.dispatcher.pk,), order.number)]
    assert inbox(world.dispatcher) == [f"sla:{order.pk}:onsite:at_risk"]


class InAppFailingOnce(InAppBackend):
    """The in-app rows' write fails the first time (the database went away for a moment)."""

    failures = 0

    def deliver(self, notice: Notice) -> None:
        if InAppFailingOnce.failures == 0:
            InAppFailingOnce.failures += 1
            raise ConnectionError("database went away")
        super().deliver(notice)


def test_a_failed_in_app_write_is_retried_by_the_outbox_and_the_notice_lands_once(world, settings, watch):
    settings.NOTIFICATION_BACKENDS = [f"{__name__}.InAppFailingOnce"]
    InAppFailingOnce.failures = 0
    order = make_order(world, status=Status.ACCEPTED)

    watch(now=order.onsite_due - HOUR)
    assert inbox(world.dispatcher) == []
    in_app = Delivery.objects.get(sink="in_app", event__kind="sla.alert")
    assert in_app.status != DeliveryStatus.DELIVERED and in_app.next_attempt_at is not None

    outbox.deliver_due(now=in_app.next_attempt_at + MIN)
    outbox.deliver_due(now=in_app.next_attempt_at + 2 * MIN)
    assert inbox(world.dispatcher) == [f"sla:{order.pk}:onsite:at_risk"]
    assert Delivery.objects.get(pk=in_app.pk).status == DeliveryStatus.DELIVERED


def test_run_periodic_runs_the_watch_and_is_safe_to_repeat(world, capsys, committing):
    order = make_order(world)
    WorkOrder.objects.filter(pk=order.pk).update(onsite_due=order.created_at - MIN,
                                                 response_due=order.created_at - MIN)

    with committing():
        call_command("run_periodic")
        call_command("run_periodic", "--loop", "--interval", "0", "--max-runs", "2")

    lines = capsys.readouterr().out.splitlines()
    # Every periodic job reports a line; the others (e.g. integrations.tasks.forget_wechat_nonces) are not this test's.
    assert lines.count("integrations.tasks.forget_wechat_nonces: 0") == 3
    out = [line for line in lines if line.startswith("workorders.tasks.watch_sla")]
    assert out[0] == "workorders.tasks.watch_sla: {'onsite_breached': 1, 'response_breached': 1}"
    assert out[1:] == ["workorders.tasks.watch_sla: {}"] * 2
    assert len(sla_events(order)) == 2 and len(inbox(world.dispatcher)) == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_watches_mark_and_notify_once():
    world = build_world()
    desk_a = outlet_dispatcher(world, world.outlet_a, "desk_a")
    orders = [make_order(world, status=s) for s in (Status.NEW, Status.ASSIGNED, Status.DISPATCHED,
                                                     Status.ACCEPTED, Status.EN_ROUTE)]
    now = max(o.onsite_due for o in orders) + MIN

    results = race(lambda i: sweep(now=now), 6)

    assert not [r for r in results if isinstance(r, Exception)], results
    total: dict[str, int] = {}
    for moved in results:
        for k, v in moved.items():
            total[k] = total.get(k, 0) + v
    assert total == {"onsite_breached": 5, "response_breached": 3}
    for order in orders:
        expected = 2 if order.status in (Status.NEW, Status.ASSIGNED, Status.DISPATCHED) else 1
        assert len(sla_events(order)) == expected
    assert len(inbox(world.dispatcher)) == 8
    assert len(inbox(desk_a)) == 6  # the new order has no outlet yet: the brand's desk alone hears of it
