"""The deadline rule (workorders.sla.due_times): a booked order's on-site commitment is its window's end,
an unbooked one's the policy's minutes in the brand's service hours; moving a booking moves it.

Time travels by passing ``now`` to the lifecycle, the edit and the watch; nothing sleeps.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.principal import principal_of
from customers.models import Customer
from dispatch.gather import Clock, due_of
from workorders import services, workflow
from workorders.choices import HoldReason, SlaAlert, Status
from workorders.models import HolidayDate, HolidayYear, ServiceCalendar, SlaContract, SlaContractTerm, WorkOrder
from workorders.sla import DEFAULT_SLA_MINUTES, calendar_for, forget_policies
from workorders.sla_watch import sweep
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


def near(a: dt.timedelta, b: dt.timedelta) -> bool:
    # created_at is stamped a moment after the deadlines are computed
    return abs(a - b) < dt.timedelta(seconds=5)


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def brand_hours(world, **kw) -> ServiceCalendar:
    kw = {"name": "Service hours", "workday_opens": dt.time(8), "workday_closes": dt.time(20),
          "restday_opens": dt.time(9), "restday_closes": dt.time(18), **kw}
    return ServiceCalendar.objects.create(brand=world.brand, **kw)


def booked(world, start: dt.datetime, hours: int = 2, **kw) -> WorkOrder:
    return make_order(world, slot_start=start, slot_end=start + hours * HOUR, **kw)


def test_a_booked_order_is_due_at_the_end_of_its_window(world):
    start = timezone.now() + dt.timedelta(days=3)
    order = booked(world, start)
    # Normal priority gives 24 hours from opening; the booked visit three days out is the commitment instead.
    assert order.onsite_due == start + 2 * HOUR
    unbooked = make_order(world)
    assert near(unbooked.onsite_due - unbooked.created_at, dt.timedelta(minutes=DEFAULT_SLA_MINUTES["normal"][1]))


def test_a_booked_order_is_not_breached_before_its_visit(world):
    start = timezone.now() + dt.timedelta(days=3)
    order = booked(world, start, status=Status.ACCEPTED)  # the response is met: only the on-site clock runs
    # A day and a half later: the old rule's 24 hours are long gone, the visit is still ahead.
    assert sweep(now=order.created_at + dt.timedelta(hours=36)) == {}
    assert WorkOrder.objects.get(pk=order.pk).onsite_alert == SlaAlert.OK
    assert sweep(now=start + 2 * HOUR + MIN) == {"onsite_breached": 1}


def test_moving_the_booking_moves_the_commitment_and_clears_the_old_mark(world):
    desk = principal_of(world.dispatcher)
    start = timezone.now() + HOUR
    order = booked(world, start, status=Status.ACCEPTED)
    late = start + 3 * HOUR
    sweep(now=late)
    assert WorkOrder.objects.get(pk=order.pk).onsite_alert == SlaAlert.BREACHED

    order = WorkOrder.objects.get(pk=order.pk)
    new_start = start + dt.timedelta(days=2)
    order = services.update_work_order(order=order, actor=desk, now=late,
                                       changes={"slot_start": new_start, "slot_end": new_start + 2 * HOUR})

    assert order.onsite_due == new_start + 2 * HOUR
    assert order.onsite_alert == SlaAlert.OK
    assert sweep(now=late + HOUR) == {}


def test_removing_the_booking_falls_back_to_the_policy(world):
    desk = principal_of(world.dispatcher)
    order = booked(world, timezone.now() + dt.timedelta(days=2))
    order = services.update_work_order(order=order, actor=desk, changes={"slot_start": None, "slot_end": None})
    assert near(order.onsite_due - order.created_at, dt.timedelta(minutes=DEFAULT_SLA_MINUTES["normal"][1]))


def test_a_wait_for_the_customer_still_moves_a_booked_commitment(world):
    tech = principal_of(world.tech_a.user)
    start = timezone.now() + dt.timedelta(days=1)
    order = booked(world, start, status=Status.ACCEPTED)
    t1 = start + 30 * MIN
    order = workflow.transition(order, "hold", actor=tech, reason="not home", now=t1,
                                hold_reason=HoldReason.WAITING_CUSTOMER)
    order = workflow.transition(order, "resume", actor=tech, now=t1 + 50 * MIN)
    assert order.onsite_due == start + 2 * HOUR + 50 * MIN


def test_service_hours_count_the_minutes_with_holidays_and_worked_weekends(world):
    brand_hours(world)
    forget_policies()
    calendar = calendar_for(world.brand.pk)
    # The 22:00 order with an 8-hour (high priority) on-site policy: due at 16:00 the next working day.
    assert calendar.add_minutes(local(2026, 12, 7, 22), DEFAULT_SLA_MINUTES["high"][1]) == local(2026, 12, 8, 16)
    # The seeded official calendar: 1-7 October 2026 are off; Saturday 10 October is worked.
    assert HolidayYear.objects.filter(year__in=(2025, 2026, 2027)).count() == 3
    assert HolidayDate.objects.get(date=dt.date(2026, 10, 10)).kind == "workday"
    assert calendar.add_minutes(local(2026, 9, 30, 19), 120) == local(2026, 10, 8, 9)
    assert calendar.add_minutes(local(2026, 10, 10, 7), 60) == local(2026, 10, 10, 9)


def test_a_new_order_counts_in_the_brand_s_hours_and_a_7x24_contract_round_the_clock(world):
    brand_hours(world, workday_opens=dt.time(0, 1), workday_closes=dt.time(0, 2),
                restday_opens=dt.time(0, 1), restday_closes=dt.time(0, 2))  # one minute a day
    forget_policies()
    order = make_order(world, priority="urgent")
    # 30 minutes to respond at one minute a day: a month away, and inside that day's minute.
    assert order.response_due - order.created_at > dt.timedelta(days=25)
    assert calendar_for(world.brand.pk).is_open(order.response_due)

    enterprise = Customer.objects.get(pk=world.customer.pk)
    enterprise.kind = "enterprise"
    enterprise.save()
    contract = SlaContract.objects.create(customer=enterprise, reference="C-1", starts_on=dt.date(2020, 1, 1),
                                          round_the_clock=True)
    SlaContractTerm.objects.create(contract=contract, priority="urgent", response_minutes=15, onsite_minutes=120)
    order = make_order(world, priority="urgent")
    assert near(order.response_due - order.created_at, 15 * MIN)
    assert near(order.onsite_due - order.created_at, 120 * MIN)


def test_dispatch_reads_the_same_deadline(world):
    start = timezone.now() + HOUR
    order = booked(world, start)
    clk = Clock(timezone.localdate(start), timezone.get_default_timezone(), timezone.now())
    assert due_of(order.onsite_due, order.slot_end, clk) == clk.seconds(start + 2 * HOUR)


windows = st.tuples(st.integers(-6 * 60, 4 * 24 * 60), st.integers(30, 6 * 60))
steps = st.lists(st.one_of(
    st.tuples(st.just("sweep"), st.integers(1, 24 * 60)),
    st.tuples(st.just("hold"), st.integers(1, 12 * 60)),
    st.tuples(st.just("resume"), st.integers(1, 12 * 60)),
    st.tuples(st.just("rebook"), st.integers(1, 12 * 60), windows),
), max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(window=windows, steps=steps, hours=st.booleans())
def test_a_booked_order_is_never_breached_before_its_window_ends(world, window, steps, hours):
    """For arbitrary windows, waits for the customer and rebookings, with or without service hours."""
    ServiceCalendar.objects.filter(brand=world.brand).delete()
    if hours:
        brand_hours(world)
    forget_policies()
    desk, tech = principal_of(world.dispatcher), principal_of(world.tech_a.user)
    base = timezone.now()
    start = base + window[0] * MIN
    order = make_order(world, status=Status.ACCEPTED, slot_start=start, slot_end=start + window[1] * MIN)
    now = order.created_at
    for step in steps:
        now += step[1] * MIN
        order = WorkOrder.objects.get(pk=order.pk)
        if step[0] == "hold" and order.status == Status.ACCEPTED:
            workflow.transition(order, "hold", actor=tech, reason="not home", now=now,
                                hold_reason=HoldReason.WAITING_CUSTOMER)
        elif step[0] == "resume" and order.status == Status.ON_HOLD:
            workflow.transition(order, "resume", actor=tech, now=now)
        elif step[0] == "rebook":
            new_start = now + step[2][0] * MIN
            services.update_work_order(order=order, actor=desk, now=now, changes={
                "slot_start": new_start, "slot_end": new_start + step[2][1] * MIN})
        else:
            sweep(now=now)
        order = WorkOrder.objects.get(pk=order.pk)
        # The commitment is never earlier than the window, and nothing is breached while the window is ahead.
        assert order.onsite_due >= order.slot_end
        if now < order.slot_end:
            assert order.onsite_alert != SlaAlert.BREACHED, (now, order.slot_end, order.onsite_due)


def test_an_outlet_s_hours_beat_its_region_s_and_the_region_s_beat_the_brand_s(world):
    brand_hours(world)
    ServiceCalendar.objects.create(brand=world.brand, region=world.region, name="Region", round_the_clock=True)
    ServiceCalendar.objects.create(brand=world.brand, outlet=world.outlet_a, name="Outlet",
                                   workday_opens=dt.time(10), workday_closes=dt.time(12))
    forget_policies()
    assert calendar_for(world.brand.pk).workday == (8 * 60, 20 * 60)
    assert calendar_for(world.brand.pk, region_id=world.region.pk).always_open
    assert calendar_for(world.brand.pk, region_id=world.region.pk, outlet_id=world.outlet_a.pk).workday == (600, 720)


def test_rebooking_while_the_customer_is_awaited_starts_the_wait_again_from_the_new_booking(world):
    desk, tech = principal_of(world.dispatcher), principal_of(world.tech_a.user)
    start = timezone.now() + dt.timedelta(days=1)
    order = booked(world, start, status=Status.ACCEPTED)
    t1 = start + 10 * MIN
    order = workflow.transition(order, "hold", actor=tech, reason="not home", now=t1,
                                hold_reason=HoldReason.WAITING_CUSTOMER)
    t2 = t1 + 40 * MIN
    new_start = start + dt.timedelta(days=1)
    order = services.update_work_order(order=order, actor=desk, now=t2,
                                       changes={"slot_start": new_start, "slot_end": new_start + 2 * HOUR})
    assert (order.onsite_due, order.sla_paused_at, order.sla_paused_seconds) == (new_start + 2 * HOUR, t2, 40 * 60)
    order = workflow.transition(order, "resume", actor=tech, now=t2 + 5 * MIN)
    assert (order.onsite_due, order.sla_paused_seconds) == (new_start + 2 * HOUR + 5 * MIN, 45 * 60)


def test_the_migration_gives_open_booked_orders_their_window_as_deadline(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("workorders.migrations.0012_holidays_and_booked_deadlines")
    start = timezone.now() + dt.timedelta(days=2)
    ahead = booked(world, start, status=Status.ACCEPTED)
    past = booked(world, timezone.now() - dt.timedelta(days=2), status=Status.ACCEPTED)
    # As the old rule left them: counted from opening, and the one ahead marked breached already.
    WorkOrder.objects.filter(pk=ahead.pk).update(onsite_due=ahead.created_at - HOUR, onsite_alert=SlaAlert.BREACHED)
    WorkOrder.objects.filter(pk=past.pk).update(onsite_due=past.slot_end - HOUR, onsite_alert=SlaAlert.BREACHED)

    migration.booked_deadlines(apps, None)

    ahead, past = WorkOrder.objects.get(pk=ahead.pk), WorkOrder.objects.get(pk=past.pk)
    assert (ahead.onsite_due, ahead.onsite_alert) == (start + 2 * HOUR, SlaAlert.OK)
    # A window that is over keeps its mark: that visit was missed.
    assert (past.onsite_due, past.onsite_alert) == (past.slot_end, SlaAlert.BREACHED)
