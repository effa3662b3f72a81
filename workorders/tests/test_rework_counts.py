"""Reworks and repeat repairs within 30 days, held against the earlier order's outlet and technician."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.principal import principal_of
from core.errors import IllegalTransition, PermissionDenied
from workorders import rework, selectors
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def counts(world):
    now = timezone.now()
    rows = selectors.reworks_and_repeats(brand_id=world.brand.pk, start=now - dt.timedelta(days=1),
                                         end=now + dt.timedelta(days=1))
    return rows, selectors.count_by(rows, "outlet_id"), selectors.count_by(rows, "technician_id")


def test_a_rework_and_a_repeat_repair_count_against_the_first_outlet_and_technician(world):
    first = make_order(world, status=Status.COMPLETED)  # outlet A, tech_a, the customer's unit
    redo = rework.create_rework_order(original=first, actor=principal_of(world.hotline), outlet=world.outlet_b,
                                      reason="仍漏水")
    repeat = make_order(world)  # the same unit again, a new fault report
    rows, outlets, technicians = counts(world)
    assert {(r.order_id, r.earlier_id, r.rework) for r in rows} == {(redo.pk, first.pk, True),
                                                                     (repeat.pk, first.pk, False)}
    assert outlets == {world.outlet_a.pk: 2} and technicians == {world.tech_a.pk: 2}


def test_an_order_after_30_days_is_a_new_fault_and_counts_against_no_one(world):
    first = make_order(world, status=Status.COMPLETED)
    WorkOrder.objects.filter(pk=first.pk).update(completed_at=timezone.now() - dt.timedelta(days=31))
    first.refresh_from_db()
    rework.create_rework_order(original=first, actor=principal_of(world.hotline), outlet=world.outlet_a,
                                 reason="again")
    make_order(world)
    assert counts(world) == ([], {}, {})


def test_a_rework_is_refused_for_an_unfinished_order_and_for_an_outlet_seat(world):
    open_order = make_order(world, status=Status.ON_SITE)
    with pytest.raises(IllegalTransition):
        rework.create_rework_order(original=open_order, actor=principal_of(world.hotline), outlet=world.outlet_a,
                                     reason="x")
    done = make_order(world, status=Status.COMPLETED)
    with pytest.raises(PermissionDenied):
        rework.create_rework_order(original=done, actor=principal_of(world.manager_a), outlet=world.outlet_a,
                                     reason="x")
    assert not WorkOrder.objects.filter(is_rework=True).exists()


def test_a_rework_asked_for_twice_counts_once(world):
    # Given a finished order the desk sends back to outlet B
    first = make_order(world, status=Status.COMPLETED)
    redo = rework.create_rework_order(original=first, actor=principal_of(world.hotline), outlet=world.outlet_b,
                                      reason="仍漏水")
    # When the hotline, on the customer's second call, asks again (the order is closed now)
    first.refresh_from_db()
    with pytest.raises(rework.AlreadyReworked):
        rework.create_rework_order(original=first, actor=principal_of(world.dispatcher), outlet=world.outlet_a,
                                   reason="客户再次来电")
    # Then the redo is one order, counted once against the first job's outlet and technician
    rows, outlets, technicians = counts(world)
    assert [(r.order_id, r.earlier_id, r.rework) for r in rows] == [(redo.pk, first.pk, True)]
    assert outlets == {world.outlet_a.pk: 1} and technicians == {world.tech_a.pk: 1}
