"""No applied plan puts a job outside a shift, a booked window or a capacity (hypothesis, issue 13 item 4).

Small random days (three technicians with random shifts and capacities; new, dispatched and accepted jobs at
random places, with or without a booked window) are optimised by the real optimiser, the preview is kept and
applied by id, and then dispatch.audit, which reads only the database, must find nothing wrong on any
technician's day the plan wrote; every visit is at the time the preview showed.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.principal import principal_of
from dispatch import audit, gather, planning, plans
from dispatch.models import Visit
from dispatch.tests.scene import dispatch_scene, east, north, order_at
from workorders.choices import Status

pytestmark = pytest.mark.django_db

shift = st.tuples(st.integers(min_value=7, max_value=10), st.integers(min_value=13, max_value=18))
tech = st.tuples(shift, st.integers(min_value=1, max_value=4))
job = st.tuples(
    st.integers(min_value=0, max_value=15), st.integers(min_value=0, max_value=10),  # km east, km north
    st.one_of(st.none(), st.integers(min_value=8, max_value=17)),  # the booked window's first hour (2 h long)
    st.sampled_from(["new", "new", "dispatched", "accepted"]), st.integers(min_value=0, max_value=2),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(techs=st.tuples(tech, tech, tech), jobs=st.lists(job, min_size=1, max_size=9))
def test_an_applied_plan_keeps_every_job_inside_shift_window_and_capacity(world, techs, jobs):
    with transaction.atomic():
        w = dispatch_scene(world)
        people = [w.tech_a, w.tech_a2, w.tech_b]
        for person, ((start, end), capacity) in zip(people, techs, strict=True):
            person.working_hours = {d: [f"{start:02d}:00", f"{end:02d}:00"]
                                    for d in ("mon", "tue", "wed", "thu", "fri", "sat")}
            person.daily_capacity = capacity
            person.save(update_fields=["working_hours", "daily_capacity"])
        for km_e, km_n, hour, status, who in jobs:
            where = north(km_n, east(km_e))
            slot = None if hour is None else (hour, hour + 2)
            order_at(w, where, slot=slot, status={"new": Status.NEW, "dispatched": Status.DISPATCHED,
                                                  "accepted": Status.ACCEPTED}[status], technician=people[who])
        actor = principal_of(w.dispatcher)
        scope = planning.scope_for(actor, w.dispatcher.user if hasattr(w.dispatcher, "user") else w.dispatcher,
                                   region_id=w.region.pk)
        clk = gather.clock(w.day)
        preview = planning.preview(scope, clk, time_limit=0.5)
        if preview.moves:
            plans.apply(plan_id=plans.record(preview, actor).pk, actor=actor)
            written = [int(t) for t in preview.routes]
            assert audit.day_violations(written, w.day) == []
            shown = {s.order_id: (t, clk.at(s.start), clk.at(s.end)) for t, stops in preview.routes.items()
                     for s in stops}
            assert {v.work_order_id: (v.technician_id, v.planned_start, v.planned_end)
                    for v in Visit.objects.filter(work_order_id__in=list(shown))} == shown
        transaction.set_rollback(True)
