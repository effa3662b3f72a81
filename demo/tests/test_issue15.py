"""The demo holds what issue 15 asks (complaints in every state on the brand's own clocks, callbacks in every queue,
a reworked order, the messages of a whole repair on SMS and WeChat), and the periodic jobs `make run` starts find
nothing of the past left to do: no complaint escalates again, nobody is told twice, no message goes out."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from complaints import sla
from complaints import watch as ladder_watch
from complaints.choices import ACTIVE_STATUSES, ComplaintStatus, LadderLevel
from complaints.models import Complaint, ComplaintClock, ComplaintEvent
from core import outbox
from core.models import OutboxEvent
from customers.models import Customer
from demo import complaints as demo_complaints
from demo import data
from demo.messages import REPAIR
from feedback import sweep as callback_sweep
from feedback.choices import CallbackStatus, Decision
from feedback.models import Callback
from field.profile import customer_profile
from notifications import customer_messages, receipts
from notifications.models import CustomerMessage, Notification
from workorders import sla_watch
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

# Friday 18:00 in Shanghai: the desks are open.
EVENING = dt.datetime.fromisoformat("2026-11-20T10:00:00+00:00")
# Sunday 04:00 in Shanghai: the desks are closed and SMS wait for the morning.
NIGHT = dt.datetime.fromisoformat("2026-11-21T20:00:00+00:00")


def load(now: dt.datetime) -> None:
    call_command("demo", "--size", "small", "--now", now.isoformat(), stdout=StringIO())


def drain_outbox() -> None:
    """What the load's own commits deliver when the tasks run at once (the test's transaction never commits)."""
    while outbox.deliver_due(limit=500):
        pass


def test_the_demo_holds_complaints_callbacks_a_rework_and_a_whole_repairs_messages(small_demo):
    small_demo("--now", EVENING.isoformat())
    # The brand's own clocks, one per severity, tighter than the defaults.
    clocks = {c.severity: (c.acknowledge_minutes, c.resolve_minutes, c.rung_minutes)
              for c in ComplaintClock.objects.filter(brand__code="aqualife")}
    assert clocks == {severity: tuple(minutes) for severity, minutes in demo_complaints.CLOCKS.items()}
    complaints = list(Complaint.objects.select_related("work_order"))
    assert {c.status for c in complaints} == set(ComplaintStatus.values)
    for c in complaints:
        assert c.work_order.customer_id == c.customer_id
        assert (c.outlet_id, c.technician_id) == (c.work_order.outlet_id, c.work_order.technician_id)
        assert c.work_order.completed_at <= c.opened_at <= EVENING
        # Clocks from the brand's rows, in its service hours; every step taken inside the clock it answers.
        if c.status != ComplaintStatus.REOPENED:
            assert (c.acknowledge_due, c.resolve_due) == sla.due_times(c, start=c.opened_at)
        if c.acknowledged_at is not None and c.status != ComplaintStatus.REOPENED:
            assert c.acknowledged_at <= c.acknowledge_due
        if c.resolved_at is not None and c.escalation_level == LadderLevel.DESK:
            assert c.resolved_at <= c.resolve_due
        if c.status in ACTIVE_STATUSES and c.escalate_at is not None:
            assert c.escalate_at >= EVENING + demo_complaints.MARGIN, (c.status, c.severity)
    arbitrated = next(c for c in complaints if c.status == ComplaintStatus.ARBITRATED)
    assert arbitrated.appeal_statement and arbitrated.resolution and arbitrated.arbitration
    # The demo customer's own complaint, acknowledged, in the portal and on the technician's view of them.
    assert customer_profile(Customer.objects.get(phone=data.CUSTOMER_PHONE)).open_complaints >= 1
    # Each escalated complaint climbed rung by rung at the minute its clock ran out, as the watch moves it.
    escalated = [c for c in complaints if c.status == ComplaintStatus.ESCALATED]
    assert escalated
    for c in escalated:
        steps = list(ComplaintEvent.objects.filter(complaint=c, action="escalate").order_by("created_at"))
        assert [e.level for e in steps] == list(range(1, c.escalation_level + 1))
        assert all(e.actor_role == "system" for e in steps)
        assert steps[0].created_at == demo_complaints.tick(c.acknowledge_due)
    # Callbacks in each of the desk's queues, one of them ended by a rework to another outlet.
    queues = dict(Callback.objects.values_list("status").annotate(n=Count("pk")))
    assert queues.keys() == set(CallbackStatus.values)
    assert Callback.objects.filter(status=CallbackStatus.DUE, next_call_at__lte=EVENING).exists()
    assert not Callback.objects.filter(created_at__gt=EVENING).exists()
    reworked = Callback.objects.get(decision=Decision.REWORK)
    rework = WorkOrder.objects.get(rework_of=reworked.work_order)
    assert reworked.rework_order == rework and rework.outlet_id != reworked.work_order.outlet_id
    # One order of the demo customer carries the messages of a whole repair, on SMS and WeChat, delivered.
    messages = CustomerMessage.objects.filter(customer__user__username="customer")
    repair = messages.filter(kind="order.arrived").get(channel="sms").work_order
    told = messages.filter(work_order=repair).order_by("created_at", "pk")
    kinds = list(dict.fromkeys(told.values_list("kind", flat=True)))
    assert [k for k in kinds if not k.startswith("complaint.")] == [kind for kind, *_ in REPAIR]  # and their complaint
    for kind, *_ in REPAIR:
        assert set(told.filter(kind=kind).values_list("channel", "status")) == {("sms", "delivered"),
                                                                                 ("wechat", "delivered")}, kind
    assert "已出发，预计" in told.get(kind="order.en_route", channel="sms").text
    # The rest of the history told its customers too, at each event's time and never after the load's now.
    assert messages.filter(kind="complaint.opened").exists()
    assert not CustomerMessage.objects.filter(created_at__gt=EVENING).exists()


def periodic_jobs(now: dt.datetime) -> dict[str, object]:
    return {"sla": sla_watch.sweep(now=now), "ladder": ladder_watch.sweep(now=now),
            "callbacks": callback_sweep.sweep(now=now), "messages": customer_messages.send_due(now=now),
            "receipts": receipts.collect(now=now), "outbox": outbox.deliver_due(now=now, limit=500)}


def snapshot() -> dict[str, int]:
    return {"events": OutboxEvent.objects.count(), "notices": Notification.objects.count(),
            "complaint_steps": ComplaintEvent.objects.count(),
            "messages": CustomerMessage.objects.exclude(status="deferred").count()}


def test_the_first_minute_of_make_run_changes_nothing_the_demo_loaded():
    load(NIGHT)
    drain_outbox()
    ladder_notices = Notification.objects.filter(kind="complaint_escalated").count()
    assert ladder_notices >= OutboxEvent.objects.filter(kind="complaint.escalated").count() > 0
    before = snapshot()
    assert periodic_jobs(NIGHT + dt.timedelta(minutes=1)) == {
        "sla": {}, "ladder": {"escalated": 0}, "callbacks": {"surveys_sent": 0, "callbacks_due": 0,
                                                              "orders_closed": 0}, "messages": 0, "receipts": {},
        "outbox": 0}
    # The watch started up to an hour after the load's now (its anchor is on the hour) escalates nothing either.
    assert ladder_watch.sweep(now=NIGHT + dt.timedelta(hours=1)) == {"escalated": 0}
    assert snapshot() == before
    # What waits for the morning is only what the night held back: an SMS of the night's own events.
    waiting = CustomerMessage.objects.filter(status="deferred")
    assert all(m.channel == "sms" and m.created_at > NIGHT - dt.timedelta(hours=8) for m in waiting)
