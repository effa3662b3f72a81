"""The demo's dispatch day: the board and the optimiser have something real to show at the featured outlet."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.principal import principal_of
from demo import data
from dispatch import gather, planning
from dispatch.models import Visit
from network.models import Region
from workorders.choices import Status
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)  # 09:00 in Hangzhou


def test_the_demo_day_has_jobs_on_lanes_a_queue_and_a_plan_to_improve_it():
    output = StringIO()
    call_command("demo", "--size", "small", "--now", NOW.isoformat(), stdout=output)
    dispatcher = authenticate(username="dispatcher", password=data.PASSWORD)
    seat = principal_of(dispatcher)
    hangzhou = Region.objects.get(code="hangzhou")
    clk = gather.clock(dt.date(2026, 11, 20), NOW)
    day = planning.day_data(planning.scope_for(seat, dispatcher, region_id=hangzhou.pk), clk)
    on_lanes = sum(len(d.stops) for d in day.days.values())
    assert on_lanes >= 15 and len(day.queue) >= 8
    assert WorkOrder.objects.filter(status=Status.ACCEPTED, visit__isnull=False).exists()
    assert Visit.objects.count() >= on_lanes // 2
    preview = planning.preview(day.scope, clk, time_limit=1.0)
    # The plan takes jobs out of the queue, and no technician's day runs past the shift's end.
    assert preview.moved > 0 and preview.after.unassigned < preview.before.unassigned
    assert preview.after.overrun == 0
    # The outlet's own dispatcher sees the same outlet's day.
    desk = authenticate(username="outlet_dispatcher", password=data.PASSWORD)
    own = planning.day_data(planning.scope_for(principal_of(desk), desk), clk)
    assert len(own.scope.outlet_ids) == 1 and own.techs and set(own.scope.outlet_ids) <= set(day.scope.outlet_ids)
