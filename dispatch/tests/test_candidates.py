"""One order, now: who may take it, best first, with reasons; who may not, and why (real database, no mocks)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.principal import principal_of
from catalog.models import ServiceStandard
from dispatch import reasons
from dispatch.choose import candidates_for, fetch_order
from dispatch.models import DispatchRule, InHouseMode
from dispatch.slots import WEEKDAYS
from dispatch.tests.scene import CENTRE, at, dispatch_scene, east, north, order_at
from network.models import Certification
from workorders.choices import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return dispatch_scene(world)


def rank(w, order, persona="dispatcher", **kw):
    user = getattr(w, persona)
    user = getattr(user, "user", user)
    return candidates_for(fetch_order(user, order.pk), principal=principal_of(user), day=w.day, **kw)


def texts(choice, tech):
    with translation.override("en"):
        found = next(c for c in choice.ranking.candidates if c.technician_id == tech.pk)
        return reasons.say_all(found.reasons)


def refusal(choice, tech):
    with translation.override("en"):
        found = next(e for e in choice.ranking.excluded if e.technician_id == tech.pk)
        return reasons.say(found.reason)


def test_the_nearest_free_technician_ranks_first_and_every_candidate_says_why(w):
    order = order_at(w, east(2), slot=(14, 16))
    choice = rank(w, order)
    ranked = [c.technician_id for c in choice.ranking.candidates]
    # tech_a lives at the centre (2 km), tech_b 3 km north (partner), tech_a2 12 km east: nearest first.
    assert ranked == [w.tech_a.pk, w.tech_b.pk, w.tech_a2.pk]
    first = choice.ranking.candidates[0]
    assert first.start == 14 * 3600  # waits for the window to open
    line = texts(choice, w.tech_a)
    assert line.startswith("skill ok, 2.6 km, ")  # 2 km as the crow flies x 1.3 for roads
    assert "arrives 14:00" in line and "load 0/6" in line
    assert choice.ranking.excluded == ()


def test_insertion_is_between_the_jobs_already_on_the_day_when_that_is_cheapest(w):
    morning = order_at(w, east(10), slot=(9, 11), status=Status.DISPATCHED, technician=w.tech_a)
    afternoon = order_at(w, east(10.5), slot=(15, 17), status=Status.DISPATCHED, technician=w.tech_a)
    order = order_at(w, east(10.2), slot=(11, 13))
    choice = rank(w, order)
    best = choice.ranking.candidates[0]
    # tech_a2 lives 12 km out, right beside the job; tech_a drives past it between two jobs out there.
    by_tech = {c.technician_id: c for c in choice.ranking.candidates}
    a = by_tech[w.tech_a.pk]
    assert a.position == 1  # between the morning and the afternoon job
    assert [t.key for t in a.schedule.stops] == [morning.pk, order.pk, afternoon.pk]
    assert a.schedule.stops[2].start == 15 * 3600  # the afternoon job still waits for its window
    assert a.added_travel < 7 * 60  # a detour of a few hundred metres, and one stop more to park at
    assert "load 2/6" in texts(choice, w.tech_a)
    assert best.technician_id in (w.tech_a.pk, w.tech_a2.pk)


def test_excluded_technicians_carry_the_reason(w):
    tech_c = w.tech_a2
    tech_c.skills.clear()
    order = order_at(w, east(1))
    assert refusal(rank(w, order), tech_c) == "lacks the skill RO"

    tech_c.skills.add(w.skill)
    Certification.objects.create(technician=tech_c, skill=w.skill, valid_from=w.day - dt.timedelta(days=400),
                                 expires_on=w.day - dt.timedelta(days=1))
    assert refusal(rank(w, order), tech_c).startswith("no certificate for RO valid on ")
    Certification.objects.create(technician=tech_c, skill=w.skill, valid_from=w.day - dt.timedelta(days=10),
                                 expires_on=w.day + dt.timedelta(days=300))
    assert "certificate valid until" in texts(rank(w, order), tech_c)

    tech_c.working_hours = {"mon": ["08:30", "17:30"]}
    tech_c.save(update_fields=["working_hours"])
    assert refusal(rank(w, order), tech_c).startswith("not on shift on ")

    w.tech_b.daily_capacity = 1
    w.tech_b.save(update_fields=["daily_capacity"])
    order_at(w, north(3), status=Status.DISPATCHED, technician=w.tech_b, outlet=w.outlet_b)
    assert refusal(rank(w, order), w.tech_b) == "fully booked (1/1 jobs)"


def test_a_window_nobody_can_reach_or_a_shift_too_short_is_said_so(w):
    early = order_at(w, east(30), slot=(8, 9))
    choice = rank(w, early)
    # Shifts start 08:30; 30 km at town and road speeds takes longer than the half hour left.
    assert refusal(choice, w.tech_a) == "cannot arrive by 09:00"
    assert not [c for c in choice.ranking.candidates if c.technician_id == w.tech_a.pk]

    standard = ServiceStandard.objects.get(product_model=w.model, service_type="repair")
    standard.standard_minutes = 8 * 60
    standard.save()  # saved: this process's copy of the standards is forgotten (dispatch.masters)
    late = order_at(w, east(1), slot=(15, 17))
    assert refusal(rank(w, late), w.tech_a) == "would finish after the shift ends (17:30)"


def test_outlets_not_authorised_or_full_are_left_out_with_their_technicians(w):
    w.category.authorised_outlets.remove(w.outlet_b)
    order = order_at(w, east(1))
    choice = rank(w, order)
    assert refusal(choice, w.tech_b) == "the outlet is not authorised for this product category"
    assert dict(choice.ranking.outlets_excluded)[w.outlet_b.pk].code == "outlet_not_authorised"

    w.category.authorised_outlets.add(w.outlet_b)
    w.outlet_a.daily_capacity = 1
    w.outlet_a.save(update_fields=["daily_capacity"])
    order_at(w, east(3), status=Status.ASSIGNED, outlet=w.outlet_a)
    choice = rank(w, order)
    assert refusal(choice, w.tech_a) == "the outlet is full that day (1 of 1 jobs)"
    assert [c.technician_id for c in choice.ranking.candidates] == [w.tech_b.pk]


def test_complex_or_high_value_jobs_go_in_house_by_the_brands_rule(w):
    rule = DispatchRule.objects.create(brand=w.brand, complex_minutes=90, high_value_price=Decimal("5000"),
                                       partner_penalty_minutes=60)
    near_partner = order_at(w, north(3))  # at tech_b's home: the partner is much nearer
    simple = rank(w, near_partner)
    assert simple.ranking.candidates[0].technician_id == w.tech_b.pk

    w.model.list_price = Decimal("6800.00")  # high value now
    w.model.save(update_fields=["list_price"])
    valuable = rank(w, near_partner)
    assert valuable.ranking.candidates[0].technician_id == w.tech_a.pk
    assert "partner outlet on a complex or high-value job (+60 min)" in texts(valuable, w.tech_b)
    assert "in-house staff for a complex or high-value job" in texts(valuable, w.tech_a)

    rule.in_house_mode = InHouseMode.REQUIRE
    rule.save()
    required = rank(w, near_partner)
    assert refusal(required, w.tech_b) == "complex and high-value jobs go to in-house staff only"
    assert {c.technician_id for c in required.ranking.candidates} == {w.tech_a.pk, w.tech_a2.pk}


def test_sla_slack_is_counted_and_a_late_arrival_ranks_last(w):
    order = order_at(w, east(6), slot=None)
    order.onsite_due = at(w.day, 9, 30)
    order.save(update_fields=["onsite_due"])
    choice = rank(w, order)
    line = texts(choice, w.tech_a2)  # 6 km from tech_a2's home, 6 km from tech_a's: both before 09:30
    assert "SLA slack" in line
    assert all(c.sla_slack is not None for c in choice.ranking.candidates)
    late = [c for c in choice.ranking.candidates if c.sla_slack < 0]
    on_time = [c for c in choice.ranking.candidates if c.sla_slack >= 0]
    assert on_time and all(x.score < y.score for x in on_time for y in late)
    for c in late:
        assert "SLA breached by" in texts(choice, next(t for t in (w.tech_a, w.tech_a2, w.tech_b)
                                                       if t.pk == c.technician_id))


def test_an_assigned_order_stays_with_its_outlet_and_outlet_staff_see_only_theirs(w):
    order = order_at(w, east(1), status=Status.ASSIGNED, outlet=w.outlet_a)
    brand_view = rank(w, order)
    assert {c.technician_id for c in brand_view.ranking.candidates} == {w.tech_a.pk, w.tech_a2.pk}
    manager_view = rank(w, order, "manager_a")
    assert {c.technician_id for c in manager_view.ranking.candidates} == {w.tech_a.pk, w.tech_a2.pk}
    assert set(manager_view.tech_names) == {w.tech_a.pk, w.tech_a2.pk}


def test_reasons_are_in_chinese_for_a_chinese_reader(w):
    order = order_at(w, east(2), slot=(14, 16))
    choice = rank(w, order)
    with translation.override("zh-hans"):
        line = reasons.say_all(choice.ranking.candidates[0].reasons)
    assert "技能" in line and "14:00" in line and "公里" in line


def test_a_site_without_region_has_no_outlet_and_says_so(w):
    order = order_at(w, CENTRE)
    order.site.region = None
    order.site.save(update_fields=["region"])
    order.region = None
    order.save(update_fields=["region"])
    choice = rank(w, order)
    assert choice.ranking.candidates == ()
    assert [n.code for n in choice.ranking.notes] == ["no_region"]


def test_a_saved_region_code_or_shift_applies_to_the_next_ranking_at_once(w):
    """Region codes and shifts come from this process's copy (dispatch.masters); a save forgets it."""
    order = order_at(w, east(2))
    assert rank(w, order).ranking.job.region == w.region.code
    w.region.code = "HZ-WEST"
    w.region.save()
    hours = dict(w.tech_a.working_hours)
    hours[WEEKDAYS[w.day.weekday()]] = None  # a day off
    w.tech_a.working_hours = hours
    w.tech_a.save()
    choice = rank(w, order)
    assert choice.ranking.job.region == "HZ-WEST"
    assert refusal(choice, w.tech_a).startswith("not on shift")
