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


def _orm_stops(w, clk, technicians, exclude=None):
    rows = gather.day_jobs(w.brand.pk, [w.outlet_a.pk, w.outlet_b.pk], clk, statuses=gather.ON_A_TECHNICIANS_DAY,
                           exclude=exclude, technicians=technicians, columns=gather.STOP_COLUMNS)
    return sorted(rows, key=lambda r: r["pk"])


@pytest.mark.parametrize("today", [False, True], ids=["a later day", "today"])
def test_the_rankings_hand_written_read_gives_the_orms_rows(world, today):
    """dispatch.gather.day_stops (SQL) against day_jobs (ORM): the same rows, to the value and type."""
    from django.utils import timezone

    from core.dates import brand_tz
    from dispatch.models import Visit

    day = timezone.localdate(timezone.now(), brand_tz()) if today else None
    w = dispatch_scene(world, day) if day else dispatch_scene(world)
    made = [order_at(w, east(2), slot=(9, 11), status=Status.DISPATCHED, technician=w.tech_a),
            order_at(w, east(4), slot=(13, 15), status=Status.ACCEPTED, technician=w.tech_a),
            order_at(w, east(6), slot=None, status=Status.ON_SITE, technician=w.tech_a2),
            order_at(w, east(1), slot=(10, 12), status=Status.EN_ROUTE, technician=w.tech_b),
            order_at(w, east(3), slot=(14, 16), status=Status.ASSIGNED, technician=w.tech_a),  # not on a day yet
            order_at(w, east(5), slot=(8, 10), status=Status.DISPATCHED, technician=w.tech_a2)]
    Visit.objects.create(work_order=made[1], technician=w.tech_a, day=w.day, sequence=2,
                         planned_start=at(w.day, 13, 25), planned_end=at(w.day, 14, 25))
    clk = gather.clock(w.day)
    assert clk.is_today is today
    everyone = [w.tech_a.pk, w.tech_a2.pk, w.tech_b.pk]
    for technicians, exclude in ((everyone, None), (everyone, made[0].pk), ([w.tech_a.pk], None), ([], None)):
        mine = sorted(gather.day_stops(w.brand.pk, [w.outlet_a.pk, w.outlet_b.pk], clk, technicians=technicians,
                                       exclude=exclude), key=lambda r: r["pk"])
        theirs = _orm_stops(w, clk, technicians, exclude)
        assert mine == theirs
        assert [{k: type(v) for k, v in r.items()} for r in mine] == [{k: type(v) for k, v in r.items()}
                                                                         for r in theirs]
    rows = {r["pk"]: r for r in gather.day_stops(w.brand.pk, [w.outlet_a.pk, w.outlet_b.pk], clk,
                                                  technicians=everyone)}
    # No slot: on today's plate only; the assigned order is not on anybody's day yet.
    assert (made[2].pk in rows) is today and made[4].pk not in rows
    assert rows[made[1].pk]["visit__day"] == w.day and rows[made[1].pk]["visit__sequence"] == 2
    assert isinstance(rows[made[0].pk]["site_lat"], float)
    load = gather.outlet_load([w.outlet_a.pk, w.outlet_b.pk], clk)
    assert load == {w.outlet_a.pk: 4 + today, w.outlet_b.pk: 1}
    assert gather.outlet_load([w.outlet_a.pk], clk, exclude=made[4].pk) == {w.outlet_a.pk: 3 + today}
