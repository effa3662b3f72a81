"""The day's plan from the database: the optimiser's problem, its answer against the day as it stands, applied."""

from __future__ import annotations

import pytest
from django.utils import translation

from accounts.principal import principal_of
from core.errors import NotFound
from dispatch import audit, gather, planning, plans
from dispatch.models import DispatchRule, InHouseMode, Visit
from dispatch.tests.scene import at, dispatch_scene, east, north, order_at
from workorders.choices import Status
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return dispatch_scene(world)


def region_scope(w, persona="dispatcher"):
    user = getattr(w, persona)
    user = getattr(user, "user", user)
    return planning.scope_for(principal_of(user), user, region_id=w.region.pk)


def test_the_problem_carries_shifts_homes_lunch_skills_windows_durations_and_pins(w):
    new = order_at(w, east(2), slot=(9, 11))
    accepted = order_at(w, north(3), slot=(14, 16), status=Status.ACCEPTED, technician=w.tech_b)
    clk = gather.clock(w.day)
    built = planning.build_problem(planning.day_data(region_scope(w), clk), planning.travel.provider())
    p = built.problem
    techs = {t.id: t for t in p.technicians}
    assert set(techs) == {f"t{w.tech_a.pk}", f"t{w.tech_a2.pk}", f"t{w.tech_b.pk}"}
    a = techs[f"t{w.tech_a.pk}"]
    assert a.shift == (8 * 3600 + 1800, 17 * 3600 + 1800)
    assert a.breaks[0].window == (11 * 3600 + 1800, 13 * 3600 + 1800) and a.breaks[0].duration == 45 * 60
    assert {f"skill:{w.skill.pk}", f"cat:{w.category.pk}", f"region:{w.region.pk}", f"outlet:{w.outlet_a.pk}",
            "in-house"} <= a.skills
    assert "in-house" not in techs[f"t{w.tech_b.pk}"].skills  # outlet B is a partner
    jobs = {j.id: j for j in p.jobs}
    j = jobs[f"o{new.pk}"]
    assert j.windows == ((9 * 3600, 11 * 3600),) and j.duration == 3600 and j.pinned_to is None
    assert j.skills == {f"skill:{w.skill.pk}", f"cat:{w.category.pk}", f"region:{w.region.pk}"}
    assert jobs[f"o{accepted.pk}"].pinned_to == f"t{w.tech_b.pk}"
    # Home to the job's site, both ways, from the straight-line provider (the matrix is the caller's).
    assert p.durations[a.start_location][j.location] == p.durations[j.location][a.start_location] > 0


def test_preview_plans_the_queue_and_reports_the_improvement_then_applies(w):
    orders = [order_at(w, east(1 + k), slot=(9 + 2 * (k % 4), 11 + 2 * (k % 4))) for k in range(6)]
    far = order_at(w, east(11), slot=(9, 11), status=Status.DISPATCHED, technician=w.tech_a)
    clk = gather.clock(w.day)
    preview = planning.preview(region_scope(w), clk, time_limit=1.0)
    assert preview.before.served == 1 and preview.before.unassigned == 6
    assert preview.after.served == 7 and preview.after.unassigned == 0 and preview.unassigned == ()
    assert preview.moved >= 6
    planned = {s.order_id for stops in preview.routes.values() for s in stops}
    assert planned == {o.pk for o in orders} | {far.pk}
    for stops in preview.routes.values():
        assert all(a.end <= b.start for a, b in zip(stops, stops[1:], strict=False))
    actor = principal_of(w.dispatcher)
    applied = plans.apply(plan_id=plans.record(preview, actor).pk, actor=actor)
    assert applied.placed == 7
    assert set(WorkOrder.objects.filter(pk__in=planned).values_list("status", flat=True)) == {Status.DISPATCHED}
    # Every visit is written at the time the preview showed.
    shown = {s.order_id: (tech, clk.at(s.start)) for tech, stops in preview.routes.items() for s in stops}
    assert {v.work_order_id: (v.technician_id, v.planned_start) for v in Visit.objects.all()} == shown
    assert audit.day_violations([w.tech_a.pk, w.tech_a2.pk, w.tech_b.pk], w.day) == []


def test_jobs_that_cannot_fit_come_back_with_the_reason(w):
    w.tech_a2.skills.clear()
    w.tech_b.skills.clear()
    impossible = order_at(w, east(40), slot=(8, 9))  # 40 km out, window closes before anyone can get there
    w.tech_a.skills.clear()
    unskilled = order_at(w, east(1))
    with translation.override("en"):  # the reasons are said in the reader's language
        preview = planning.preview(region_scope(w), gather.clock(w.day), time_limit=0.5)
    why = dict(preview.unassigned)
    assert set(why) == {impossible.pk, unskilled.pk}
    assert "skill" in why[unskilled.pk]


def test_in_house_only_rule_keeps_complex_jobs_off_partners(w):
    DispatchRule.objects.create(brand=w.brand, complex_minutes=30, in_house_mode=InHouseMode.REQUIRE)
    w.tech_a.skills.clear()
    w.tech_a2.skills.clear()
    job = order_at(w, north(3))  # tech_b's door, but tech_b works for a partner
    preview = planning.preview(region_scope(w), gather.clock(w.day), time_limit=0.5)
    assert job.pk in dict(preview.unassigned)


def test_outlet_staff_plan_only_their_outlet_and_foreign_scopes_are_404(w):
    order_at(w, east(1))  # still with the brand: not the outlet's to plan
    mine = order_at(w, east(2), status=Status.ASSIGNED, outlet=w.outlet_a)
    scope = planning.scope_for(principal_of(w.manager_a), w.manager_a, region_id=w.region.pk)
    assert scope.outlet_ids == (w.outlet_a.pk,) and scope.region_ids == ()
    preview = planning.preview(scope, gather.clock(w.day), time_limit=0.5)
    assert {s.order_id for stops in preview.routes.values() for s in stops} == {mine.pk}
    assert set(preview.routes) <= {w.tech_a.pk, w.tech_a2.pk}
    with pytest.raises(NotFound):
        planning.scope_for(principal_of(w.rival_dispatcher), w.rival_dispatcher, region_id=w.region.pk)
    with pytest.raises(NotFound):
        planning.scope_for(principal_of(w.rival_dispatcher), w.rival_dispatcher, outlet_id=w.outlet_a.pk)


def test_today_nothing_is_planned_before_now(w):
    now = at(w.day, 12, 0)
    order = order_at(w, east(2), slot=None)
    preview = planning.preview(region_scope(w), gather.clock(w.day, now), time_limit=0.5)
    stop = next(s for stops in preview.routes.values() for s in stops if s.order_id == order.pk)
    assert stop.start >= 12 * 3600


def test_without_a_lunch_break_the_day_has_none(w, settings):
    settings.DISPATCH_DAY = {"LUNCH_MINUTES": 0}
    order_at(w, east(2), slot=(11, 13))
    built = planning.build_problem(planning.day_data(region_scope(w), gather.clock(w.day)),
                                   planning.travel.provider())
    assert all(t.breaks == () for t in built.problem.technicians)
    preview = planning.preview(region_scope(w), gather.clock(w.day), time_limit=1.0)
    assert preview.after.served == 1 and preview.lunches == {}
