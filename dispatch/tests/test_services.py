"""Assigning one order and applying a plan: through the lifecycle service, with version checks, all or nothing."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation

from accounts.principal import principal_of
from conftest import race
from core.errors import IllegalTransition, PermissionDenied, StaleVersion
from dispatch import gather, services
from dispatch.choose import fetch_order
from dispatch.models import Visit
from dispatch.services import Move, NotEligible
from dispatch.tests.scene import at, dispatch_scene, east, north, order_at
from workorders.choices import Status
from workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return dispatch_scene(world)


def seat(w, persona="dispatcher"):
    user = getattr(w, persona)
    return principal_of(getattr(user, "user", user))


def apply_moves(moves, actor, day):
    """A plan's moves through the lifecycle, all or none (dispatch.plans applies a stored plan this way)."""
    orders, techs = services.fetch_moves(moves, actor)
    with transaction.atomic():
        return services.walk_moves(moves, orders, techs, gather.clock(day), actor)


def snapshot():
    return (list(WorkOrder.objects.order_by("pk").values_list("pk", "status", "version", "outlet_id", "technician_id")),
            WorkOrderEvent.objects.count(), list(Visit.objects.order_by("pk").values_list("pk", "technician_id",
                                                                                        "sequence")))


def test_a_new_order_is_assigned_and_dispatched_through_the_lifecycle(w):
    order = order_at(w, east(2), slot=(14, 16))
    actor = seat(w)
    done = services.assign(order=fetch_order(w.dispatcher, order.pk), technician=w.tech_a, actor=actor,
                           version=order.version, day=w.day)
    assert (done.status, done.outlet_id, done.technician_id) == (Status.DISPATCHED, w.outlet_a.pk, w.tech_a.pk)
    steps = list(WorkOrderEvent.objects.filter(work_order=order, action__in=["assign", "dispatch"])
                 .values_list("action", "actor_id"))
    assert steps == [("assign", w.dispatcher.pk), ("dispatch", w.dispatcher.pk)]
    visit = Visit.objects.get(work_order=order)
    assert (visit.technician_id, visit.day, visit.sequence) == (w.tech_a.pk, w.day, 0)
    assert visit.planned_start == at(w.day, 14) and visit.travel_seconds > 0


def test_a_stale_version_an_ineligible_technician_or_a_wrong_role_change_nothing(w):
    order = order_at(w, east(2))
    before = snapshot()
    with pytest.raises(StaleVersion):
        services.assign(order=fetch_order(w.dispatcher, order.pk), technician=w.tech_a, actor=seat(w),
                        version=order.version + 1, day=w.day)
    assert snapshot() == before
    w.tech_a2.skills.clear()
    with pytest.raises(NotEligible) as refused:
        services.assign(order=fetch_order(w.dispatcher, order.pk), technician=w.tech_a2, actor=seat(w),
                        version=order.version, day=w.day)
    assert refused.value.detail["reason"] == "no_skill"
    with pytest.raises(PermissionDenied):
        services.assign(order=fetch_order(w.hotline, order.pk), technician=w.tech_a, actor=seat(w, "hotline"),
                        version=order.version, day=w.day)
    assert snapshot() == before


def test_a_dispatched_job_is_recalled_then_dispatched_and_an_accepted_one_is_refused(w):
    order = order_at(w, east(2), status=Status.DISPATCHED, technician=w.tech_a)
    with translation.override("en"):
        done = services.assign(order=fetch_order(w.manager_a, order.pk), technician=w.tech_a2,
                               actor=seat(w, "manager_a"), version=order.version, day=w.day)
    assert done.technician_id == w.tech_a2.pk and done.status == Status.DISPATCHED
    actions = list(WorkOrderEvent.objects.filter(work_order=order).order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == ["recall", "dispatch"]
    recall = WorkOrderEvent.objects.filter(work_order=order, action="recall").get()
    assert recall.reason == f"Reassigned to {w.tech_a2.name}"

    accepted = order_at(w, east(3), status=Status.ACCEPTED, technician=w.tech_a)
    before = snapshot()
    with pytest.raises(IllegalTransition):
        services.assign(order=fetch_order(w.dispatcher, accepted.pk), technician=w.tech_a2, actor=seat(w),
                        version=accepted.version, day=w.day)
    assert snapshot() == before


def test_outlet_staff_cannot_hand_their_order_to_another_outlets_technician(w):
    order = order_at(w, east(2), status=Status.ASSIGNED, outlet=w.outlet_a)
    before = snapshot()
    with pytest.raises(NotEligible):
        services.assign(order=fetch_order(w.manager_a, order.pk), technician=w.tech_b, actor=seat(w, "manager_a"),
                        version=order.version, day=w.day)
    assert snapshot() == before


def test_a_plan_applies_every_move_or_none(w):
    new = order_at(w, east(2), slot=(9, 11))
    assigned = order_at(w, east(4), slot=(11, 13), status=Status.ASSIGNED, outlet=w.outlet_a)
    dispatched = order_at(w, east(11), slot=(14, 16), status=Status.DISPATCHED, technician=w.tech_a)
    accepted = order_at(w, north(3), slot=(9, 11), status=Status.ACCEPTED, technician=w.tech_b)
    moves = [Move(new.pk, new.version, w.tech_a.pk, 0), Move(assigned.pk, assigned.version, w.tech_a.pk, 1),
             Move(dispatched.pk, dispatched.version, w.tech_a2.pk, 0),
             Move(accepted.pk, accepted.version, w.tech_b.pk, 0)]

    # One order changed since the preview: nothing at all is applied.
    WorkOrder.objects.filter(pk=assigned.pk).update(version=assigned.version + 1)
    before = snapshot()
    with pytest.raises(StaleVersion) as stale:
        apply_moves(moves, seat(w), w.day)
    assert stale.value.detail["order"] == assigned.number
    assert snapshot() == before

    moves[1] = Move(assigned.pk, assigned.version + 1, w.tech_a.pk, 1)
    changed = apply_moves(moves, seat(w), w.day)
    assert sorted(changed) == sorted([new.pk, assigned.pk, dispatched.pk])
    got = dict(WorkOrder.objects.filter(pk__in=[m.order_id for m in moves]).values_list("pk", "technician_id"))
    assert got == {new.pk: w.tech_a.pk, assigned.pk: w.tech_a.pk, dispatched.pk: w.tech_a2.pk,
                   accepted.pk: w.tech_b.pk}
    assert list(WorkOrderEvent.objects.filter(work_order=dispatched).order_by("pk").values_list(
        "action", flat=True))[-2:] == ["recall", "dispatch"]


def test_a_plan_cannot_move_an_accepted_job_or_give_a_job_to_the_unqualified(w):
    accepted = order_at(w, east(2), status=Status.ACCEPTED, technician=w.tech_a)
    before = snapshot()
    with pytest.raises(IllegalTransition):
        apply_moves([Move(accepted.pk, accepted.version, w.tech_a2.pk, 0)], seat(w), w.day)
    assert snapshot() == before
    new = order_at(w, east(2))
    w.tech_a2.skills.clear()
    before = snapshot()
    with pytest.raises(NotEligible):
        apply_moves([Move(new.pk, new.version, w.tech_a2.pk, 0)], seat(w), w.day)
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_assigning_one_order_at_once_one_wins(world):
    """The same new order dragged onto two lanes at the same moment: one assignment, the other a clean 409."""
    w = dispatch_scene(world)
    order = order_at(w, east(2))
    techs = [w.tech_a, w.tech_a2]
    copies = [fetch_order(w.dispatcher, order.pk) for _ in techs]  # both read the order before either wrote

    def attempt(i):
        mine = copies[i]
        try:
            services.assign(order=mine, technician=techs[i], actor=seat(w), version=mine.version, day=w.day)
            return "ok"
        except (StaleVersion, IllegalTransition) as refused:
            return refused.code

    results = race(attempt, 2)
    assert sorted(results, key=str) == ["ok", "stale_version"], results
    assert WorkOrderEvent.objects.filter(work_order=order, action="assign").count() == 1
    assert WorkOrderEvent.objects.filter(work_order=order, action="dispatch").count() == 1
    assert Visit.objects.filter(work_order=order).count() == 1


def test_the_dispatch_rule_is_edited_in_the_admin_with_brands_only(world):
    from django.test import Client

    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client = Client()
    client.force_login(world.admin)
    page = client.get("/admin/dispatch/dispatchrule/add/").content.decode()
    assert f'value="{world.brand.pk}"' in page and f'value="{world.outlet_a.pk}"' not in page
    response = client.post("/admin/dispatch/dispatchrule/add/", {
        "brand": world.brand.pk, "complex_minutes": 90, "high_value_price": "6000.00", "in_house_mode": "require",
        "partner_penalty_minutes": 30})
    assert response.status_code == 302
    from dispatch.gather import rule_of

    assert rule_of(world.brand.pk).mode == "require" and rule_of(world.brand.pk).complex_minutes == 90
    bad = client.post("/admin/dispatch/dispatchrule/add/", {
        "brand": world.other_brand.pk, "complex_minutes": 0, "high_value_price": "-1", "in_house_mode": "x",
        "partner_penalty_minutes": 30})
    assert bad.status_code == 200 and "errornote" in bad.content.decode()


def test_a_technician_the_ranking_leaves_out_takes_the_job_only_with_a_reason_on_the_timeline(w):
    order = order_at(w, east(2), slot=(9, 11))
    w.tech_a2.skills.clear()
    before = snapshot()
    with pytest.raises(NotEligible) as refused:
        services.assign(order=order, technician=w.tech_a2, actor=seat(w), version=order.version, day=w.day)
    assert refused.value.detail["reason"] == "no_skill" and refused.value.detail["overridable"] is True
    assert snapshot() == before
    with translation.override("en"):
        order = services.assign(order=order, technician=w.tech_a2, actor=seat(w), version=order.version, day=w.day,
                                override_reason="Only one who speaks the customer's dialect")
    assert (order.status, order.technician_id) == (Status.DISPATCHED, w.tech_a2.pk)
    note = WorkOrderEvent.objects.filter(work_order=order, kind="note").get()
    assert note.reason == ("Dispatched to tech_a2 over the ranking (lacks the skill RO): Only one who speaks the "
                           "customer's dialect")
    assert note.data == {"override": "no_skill", "technician": "tech_a2", "technician_id": w.tech_a2.pk,
                         "reason": "Only one who speaks the customer's dialect"}
    assert note.actor == w.dispatcher.user if hasattr(w.dispatcher, "user") else note.actor == w.dispatcher


def test_no_reason_overrides_another_outlets_order(w):
    order = order_at(w, east(2), status=Status.ASSIGNED, outlet=w.outlet_a)
    before = snapshot()
    with pytest.raises(NotEligible) as refused:
        services.assign(order=order, technician=w.tech_b, actor=seat(w), version=order.version, day=w.day,
                        override_reason="Because")
    assert refused.value.detail["overridable"] is False
    assert snapshot() == before
