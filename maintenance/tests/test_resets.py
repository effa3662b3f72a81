"""Resets: a finished visit (any path: the order.completed sink), a device report, restart the schedule."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.principal import principal_of
from catalog.models import Part
from core import outbox
from core.dates import add_months
from integrations.choices import Metric
from integrations.services.iot import Alert, receive_alert
from maintenance.choices import ReminderStatus
from maintenance.models import DeviceRule, DeviceRuleFiring, Reminder, Schedule
from maintenance.resets import restart_after
from maintenance.schedules import ensure_schedules
from maintenance.tests.factories import ConsumableRuleFactory
from parts import services
from parts.services import Line
from parts.tests.factories import build_stock
from workorders import workflow
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order


@pytest.fixture
def stocked(world):
    build_stock(world)
    world.rule = ConsumableRuleFactory(brand=world.brand, part=world.filter, category=world.category, months=6)
    ensure_schedules(brand_id=world.brand.pk)
    return world


def schedule_of(world):
    return Schedule.objects.get(product=world.product, rule=world.rule)


def test_a_visit_that_used_the_filter_restarts_its_schedule_on_the_completion_day(stocked):
    w = stocked
    order = make_order(w, status=Status.ON_SITE)
    services.consume_on_job(order=order, actor=principal_of(w.tech_a.user), lines=[Line(w.filter, 1)],
                            idempotency_key="k-1")
    order = workflow.transition(order, "complete", actor=principal_of(w.tech_a.user))
    outbox.deliver_due(now=timezone.now() + dt.timedelta(seconds=1), limit=100)

    today = timezone.localdate()
    s = schedule_of(w)
    assert (s.last_done_on, s.last_done_via, s.due_by, s.version) == (today, "visit", "time", 2)
    assert s.due_on == add_months(today, 6)
    # delivered again (another completion path, a retry): nothing more changes
    assert restart_after(WorkOrder.objects.get(pk=order.pk)) == []
    assert schedule_of(w).version == 2


def test_a_maintenance_visit_booked_from_a_reminder_restarts_it_and_answers_the_reminder(stocked):
    w = stocked
    s = schedule_of(w)
    order = make_order(w, status=Status.ON_SITE, type="maintenance")
    reminder = Reminder.objects.create(brand=w.brand, customer=w.customer, schedule=s, due_on=s.due_on,
                                       sent_at=timezone.now(), status=ReminderStatus.BOOKED, work_order=order)
    order = workflow.transition(order, "complete", actor=principal_of(w.tech_a.user))

    restarted = restart_after(order)

    assert [x.pk for x in restarted] == [s.pk]
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.DONE
    assert schedule_of(w).last_done_on == timezone.localdate()


def test_a_repair_without_the_filter_restarts_nothing(stocked):
    w = stocked
    order = make_order(w, status=Status.COMPLETED)
    assert restart_after(order) == []
    assert schedule_of(w).last_done_on is None


def _alert(alert_id, **kw):
    return Alert(alert_id=alert_id, serial="SN-A-0001", occurred_at=timezone.now() - dt.timedelta(minutes=5), **kw)


def test_the_device_says_the_filter_was_replaced(stocked):
    w = stocked
    DeviceRule.objects.create(brand=w.brand, name="PP replaced", fault_code="F-PP-NEW", action="reset",
                              part=w.filter)
    receive_alert(brand=w.brand, alert=_alert("a-1", fault_code="F-PP-NEW",
                                              readings={Metric.LITRES_FILTERED: Decimal("1234")}))
    s = schedule_of(w)
    assert (s.last_done_on, s.last_done_via, s.litres_at_last) == (timezone.localdate(), "device",
                                                                   Decimal("1234.000"))


def test_a_predicted_fault_opens_one_proactive_order_per_cycle(stocked):
    w = stocked
    rule = DeviceRule.objects.create(brand=w.brand, name="滤芯寿命低于10%", metric=Metric.FILTER_LIFE_PCT,
                                     comparison="below", threshold=Decimal("10"), action="order", part=w.filter)
    receive_alert(brand=w.brand, alert=_alert("b-1", readings={Metric.FILTER_LIFE_PCT: Decimal("20")}))
    assert WorkOrder.objects.count() == 0  # above the threshold
    receive_alert(brand=w.brand, alert=_alert("b-2", readings={Metric.FILTER_LIFE_PCT: Decimal("8")}))
    receive_alert(brand=w.brand, alert=_alert("b-3", readings={Metric.FILTER_LIFE_PCT: Decimal("6")}))
    order = WorkOrder.objects.get()
    assert (order.type, order.channel, order.product_id, order.symptom) == (
        "maintenance", "iot", w.product.pk, "滤芯寿命低于10%（filter_life_pct=8）")
    assert list(DeviceRuleFiring.objects.values_list("rule_id", "cycle", "work_order_id")) == [
        (rule.pk, "first", order.pk)]


def test_a_predicted_fault_reminds_the_customer_once(stocked):
    w = stocked
    DeviceRule.objects.create(brand=w.brand, name="TDS high", metric=Metric.TDS_OUT_PPM, comparison="above",
                              threshold=Decimal("50"), action="remind", part=w.filter)
    receive_alert(brand=w.brand, alert=_alert("c-1", readings={Metric.TDS_OUT_PPM: Decimal("80")}))
    receive_alert(brand=w.brand, alert=_alert("c-2", readings={Metric.TDS_OUT_PPM: Decimal("90")}))
    reminder = Reminder.objects.get()
    assert (reminder.schedule_id, reminder.due_on, reminder.sequence) == (schedule_of(w).pk, timezone.localdate(), 1)
    assert Part.objects.filter(pk=w.filter.pk).exists()
