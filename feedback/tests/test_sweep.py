"""The callbacks' periodic sweep (feedback.sweep): each brand's own clocks, every due order whatever the batch size,
and two sweeps at once doing each thing once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from accounts.principal import principal_of
from conftest import build_world, race
from core.models import OutboxEvent
from feedback import surveys, sweep
from feedback.choices import CallbackReason
from feedback.models import Callback, Survey, SurveyPolicy
from workorders import services
from workorders.choices import Status, WorkOrderType
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.tests.factories import make_order

NOW = timezone.now()


def completed(world, *, days_ago: float, type: str = WorkOrderType.REPAIR, **kw) -> WorkOrder:
    order = make_order(world, status=Status.COMPLETED, type=type, **kw)
    WorkOrder.objects.filter(pk=order.pk).update(completed_at=NOW - dt.timedelta(days=days_ago))
    return WorkOrder.objects.get(pk=order.pk)


def rival_completed(world, *, days_ago: float) -> WorkOrder:
    """A completed order of the second brand (set down as done: only its status and completion matter here)."""
    order = services.create_work_order(actor=principal_of(world.rival_dispatcher), customer=world.rival_customer,
                                       type=WorkOrderType.REPAIR, channel="hotline")
    WorkOrder.objects.filter(pk=order.pk).update(status=Status.COMPLETED,
                                                 completed_at=NOW - dt.timedelta(days=days_ago))
    return WorkOrder.objects.get(pk=order.pk)


def status_of(*orders) -> list[str]:
    return [WorkOrder.objects.get(pk=o.pk).status for o in orders]


@pytest.mark.django_db
def test_each_brand_and_service_type_closes_by_its_own_days_whatever_the_batch(world, monkeypatch):
    # Given the brand closes repairs after 3 days and everything else after 10; the rival keeps the default 7
    SurveyPolicy.objects.create(brand=world.brand, service_type="", close_after_days=10, sample_percent=0,
                                sample_premium=False)
    SurveyPolicy.objects.create(brand=world.brand, service_type=WorkOrderType.REPAIR, close_after_days=3,
                                sample_percent=0, sample_premium=False)
    # Older installs not due yet fill a batch: they must not hold back the repairs due behind them
    installs = [completed(world, days_ago=9 - i / 10, type=WorkOrderType.INSTALL) for i in range(3)]
    repairs = [completed(world, days_ago=4), completed(world, days_ago=3.5)]
    fresh_repair = completed(world, days_ago=2)
    rival_due, rival_not = rival_completed(world, days_ago=7.5), rival_completed(world, days_ago=6)
    monkeypatch.setattr(sweep, "BATCH", 2)

    done = sweep.sweep(now=NOW)

    assert done["orders_closed"] == 3
    assert status_of(*repairs, rival_due) == [Status.CLOSED] * 3
    assert status_of(*installs, fresh_repair, rival_not) == [Status.COMPLETED] * 5
    # Ten days on, the installs close too
    assert sweep.sweep(now=NOW + dt.timedelta(days=1.5))["orders_closed"] == 5
    assert sweep.sweep(now=NOW + dt.timedelta(days=1.5))["orders_closed"] == 0


@pytest.mark.django_db
def test_each_brand_calls_the_silent_after_its_own_hours_whatever_the_batch(world, monkeypatch):
    # Given the brand waits 72 h for an answer before calling, and the rival 24 h
    SurveyPolicy.objects.create(brand=world.brand, answer_hours=72, sample_percent=0, sample_premium=False)
    SurveyPolicy.objects.create(brand=world.other_brand, answer_hours=24, sample_percent=0, sample_premium=False)
    ours = [completed(world, days_ago=0.5) for _ in range(3)]
    theirs = rival_completed(world, days_ago=0.5)
    for n, order in enumerate([*ours, theirs]):  # ours were sent first: they fill a batch of two
        surveys.send_survey(order_id=order.pk, now=NOW - dt.timedelta(hours=40 - n))
    monkeypatch.setattr(sweep, "BATCH", 2)

    assert sweep.sweep(now=NOW)["callbacks_due"] == 1
    assert list(Callback.objects.values_list("work_order_id", "reason")) == [(theirs.pk, CallbackReason.NO_ANSWER)]
    assert sweep.sweep(now=NOW + dt.timedelta(hours=35))["callbacks_due"] == 3
    assert sweep.sweep(now=NOW + dt.timedelta(hours=35))["callbacks_due"] == 0


@pytest.mark.django_db
def test_every_unsurveyed_order_gets_its_survey_however_many(world, monkeypatch):
    SurveyPolicy.objects.create(brand=world.brand, sample_percent=0, sample_premium=False)
    orders = [completed(world, days_ago=0.1) for _ in range(5)]
    Survey.objects.all().delete()
    monkeypatch.setattr(sweep, "BATCH", 2)
    assert sweep.sweep(now=NOW)["surveys_sent"] == 5
    assert Survey.objects.filter(work_order__in=orders).count() == 5
    assert sweep.sweep(now=NOW)["surveys_sent"] == 0


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_do_each_thing_once(monkeypatch):
    # Given, for one brand, orders to close, surveys unanswered past the brand's hours and orders not yet surveyed
    world = build_world()
    SurveyPolicy.objects.create(brand=world.brand, answer_hours=48, close_after_days=7, sample_percent=0,
                                sample_premium=False)
    to_close = [completed(world, days_ago=8) for _ in range(3)]
    silent = [completed(world, days_ago=1) for _ in range(2)]
    unsurveyed = [completed(world, days_ago=0.2) for _ in range(2)]
    Callback.objects.all().delete()
    Survey.objects.all().delete()  # the outbox's own sends at completion: these orders' stories are set below
    for order in silent:
        surveys.send_survey(order_id=order.pk, now=NOW - dt.timedelta(hours=50))
    OutboxEvent.objects.all().delete()
    monkeypatch.setattr(sweep, "BATCH", 2)

    # When two sweeps run at the same moment
    results = race(lambda i: sweep.sweep(now=NOW), 2, timeout=120)

    # Then each thing was done once, and the two reports add up to it
    assert not [r for r in results if isinstance(r, Exception)], (connection.vendor, results)
    assert sum(r["orders_closed"] for r in results) == 3, results
    assert sum(r["callbacks_due"] for r in results) == 2, results
    assert sum(r["surveys_sent"] for r in results) == 2, results
    assert status_of(*to_close) == [Status.CLOSED] * 3
    for order in to_close:
        assert WorkOrderEvent.objects.filter(work_order=order, action="close").count() == 1
    assert sorted(Callback.objects.values_list("work_order_id", flat=True)) == sorted(o.pk for o in silent)
    assert Survey.objects.filter(work_order__in=unsurveyed).count() == 2
    kinds = list(OutboxEvent.objects.values_list("kind", flat=True))
    assert (kinds.count("order.closed"), kinds.count("callback.due"), kinds.count("survey.sent")) == (3, 2, 2)
    # And a third sweep finds nothing left to do
    assert sweep.sweep(now=NOW) == {"surveys_sent": 0, "callbacks_due": 0, "orders_closed": 0}
