"""Reads for dispatch on both databases: the database's epoch seconds agree with Python's, to the second."""

from __future__ import annotations

import pytest

from dispatch import gather
from dispatch.tests.scene import at, dispatch_scene, east, order_at
from workorders.choices import Status
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def test_epoch_seconds_of_slots_and_arrivals(world):
    w = dispatch_scene(world)
    order = order_at(w, east(2), slot=(14, 16), status=Status.ON_SITE, technician=w.tech_a)
    row = WorkOrder.objects.filter(pk=order.pk).annotate(
        s=gather.Epoch("slot_start"), e=gather.Epoch("slot_end"), a=gather.Epoch("arrived_at"),
        none=gather.Epoch("completed_at")).values("s", "e", "a", "none").get()
    assert row["s"] == int(at(w.day, 14).timestamp()) and row["e"] == int(at(w.day, 16).timestamp())
    assert row["a"] == int(order.arrived_at.timestamp()) and row["none"] is None
    clk = gather.clock(w.day)
    jobs = gather.day_jobs(w.brand.pk, [w.outlet_a.pk], clk, statuses=gather.ON_A_TECHNICIANS_DAY,
                           columns=gather.STOP_COLUMNS)
    stop = gather.job_stop(jobs[0], clk)
    assert stop.window == (14 * 3600, 16 * 3600) and stop.key == order.pk
