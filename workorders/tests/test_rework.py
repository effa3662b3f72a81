"""Rework (返修) is one thing: a new order linked to the finished one, never the finished order reopened.

The service (workorders.rework), its API route, the lifecycle without "reopen", both timelines, one live rework per
order (also when two ask at once), and the original's callback ending with it.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.utils import timezone

from accounts.principal import principal_of
from conftest import build_world, race
from core.errors import IllegalTransition, InvalidInput, PermissionDenied
from core.models import OutboxEvent
from feedback import surveys
from feedback.choices import CallbackStatus, Decision
from feedback.models import Callback, SurveyPolicy
from workorders import rework, selectors, workflow
from workorders.choices import EventKind, SlaAlert, Status
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def rework_of(world, original, *, outlet=None, reason="仍然漏水", who=None):
    return rework.create_rework_order(original=original, actor=principal_of(who or world.hotline),
                                      outlet=outlet or world.outlet_b, reason=reason)


def test_there_is_no_reopen_step_and_a_closed_order_stays_closed(world):
    order = make_order(world, status=Status.CLOSED)
    before = WorkOrder.objects.values().get(pk=order.pk)
    assert "reopen" not in workflow.ACTIONS
    assert not any(Status.CLOSED in a.sources for a in workflow.ACTIONS.values())
    assert workflow.available_actions(order, principal_of(world.hotline)) == []
    with pytest.raises(InvalidInput):
        workflow.transition(order, "reopen", actor=principal_of(world.hotline), reason="still leaking")
    assert WorkOrder.objects.values().get(pk=order.pk) == before


def test_a_rework_is_a_new_order_and_both_timelines_name_the_other(world):
    original = make_order(world, status=Status.CLOSED)
    done = WorkOrder.objects.values("status", "completed_at", "technician_id", "outlet_id").get(pk=original.pk)

    made = rework_of(world, original)

    assert made.pk != original.pk and (made.rework_of_id, made.is_rework) == (original.pk, True)
    assert (made.status, made.outlet_id, made.technician_id, made.product_id) == (
        Status.ASSIGNED, world.outlet_b.pk, None, original.product_id)
    assert made.response_alert == SlaAlert.OK and made.onsite_due > timezone.now()  # a new order's own clocks
    # The original is as it was done: closed, completed, its technician and outlet kept
    assert WorkOrder.objects.values("status", "completed_at", "technician_id", "outlet_id").get(
        pk=original.pk) == done
    mark = WorkOrderEvent.objects.get(work_order=original, kind=EventKind.REWORK)
    assert (mark.reason, mark.customer_visible, mark.data) == (
        "仍然漏水", True, {"rework": made.pk, "rework_number": made.number, "outlet": "Outlet B"})
    back = WorkOrderEvent.objects.get(work_order=made, kind=EventKind.REWORK)
    assert back.data == {"rework_of": original.pk, "rework_of_number": original.number}
    told = OutboxEvent.objects.get(kind="order.rework_opened")
    assert (told.work_order_id, told.data["rework_id"], told.data["rework_number"]) == (
        original.pk, made.pk, made.number)
    links = selectors.rework_links(world.dispatcher, original)
    assert (links["of"], [(link.pk, link.number) for link in links["by"]]) == (None, [(made.pk, made.number)])
    assert selectors.rework_links(world.dispatcher, made)["of"].number == original.number


def test_an_order_has_one_live_rework_and_a_cancelled_one_frees_it(world):
    original = make_order(world, status=Status.COMPLETED)
    first = rework_of(world, original)
    orders = WorkOrder.objects.count()
    with pytest.raises(rework.AlreadyReworked) as refused:
        rework_of(world, original, outlet=world.outlet_a, who=world.dispatcher)
    assert (refused.value.status, refused.value.code) == (409, "already_reworked")
    assert refused.value.detail == {"rework_id": first.pk, "rework_number": first.number}
    assert WorkOrder.objects.count() == orders
    assert WorkOrderEvent.objects.filter(work_order=original, kind=EventKind.REWORK).count() == 1

    workflow.transition(first, "cancel", actor=principal_of(world.dispatcher), reason="客户另约")
    second = rework_of(world, original, outlet=world.outlet_a)
    assert second.rework_of_id == original.pk and rework.live_rework(original) == second


def test_a_rework_that_fails_again_is_reworked_in_its_turn(world):
    original = make_order(world, status=Status.CLOSED)
    first = rework_of(world, original, outlet=world.outlet_b)
    for step, kw in (("dispatch", {"technician": world.tech_b}), ("accept", {}), ("depart", {}), ("arrive", {}),
                     ("complete", {})):
        actor = principal_of(world.dispatcher if step == "dispatch" else world.tech_b.user)
        first = workflow.transition(first, step, actor=actor, **kw)
    second = rework_of(world, first, outlet=world.outlet_a)
    assert second.rework_of_id == first.pk
    now = timezone.now()
    rows = selectors.reworks_and_repeats(brand_id=world.brand.pk, start=now - DAY, end=now + DAY)
    # Each rework once, against the order it redoes: the first against outlet A, the second against outlet B
    assert sorted((r.order_id, r.earlier_id, r.outlet_id, r.rework) for r in rows) == [
        (first.pk, original.pk, world.outlet_a.pk, True), (second.pk, first.pk, world.outlet_b.pk, True)]


def test_refusals_change_nothing(world):
    open_order = make_order(world, status=Status.ON_SITE)
    done = make_order(world, status=Status.COMPLETED)
    orders = WorkOrder.objects.count()
    with pytest.raises(IllegalTransition):
        rework_of(world, open_order)
    with pytest.raises(PermissionDenied):
        rework_of(world, done, who=world.manager_a)
    with pytest.raises(InvalidInput) as blank:
        rework_of(world, done, reason="  ")
    assert blank.value.field == "reason"
    world.outlet_b.is_active = False
    world.outlet_b.save()
    with pytest.raises(InvalidInput) as closed:
        rework_of(world, done, outlet=world.outlet_b)
    assert closed.value.field == "outlet"
    assert WorkOrder.objects.count() == orders and not WorkOrder.objects.filter(is_rework=True).exists()
    assert not OutboxEvent.objects.filter(kind="order.rework_opened").exists()


def test_a_rework_from_the_console_or_the_api_ends_the_originals_open_callback_and_closes_it(world):
    SurveyPolicy.objects.create(brand=world.brand, sample_percent=100, sample_premium=False)
    original = make_order(world, status=Status.COMPLETED)
    surveys.send_survey(order_id=original.pk)
    callback = Callback.objects.get(work_order=original)
    assert callback.status == CallbackStatus.DUE

    made = rework_of(world, original)

    callback.refresh_from_db()
    assert (callback.status, callback.decision, callback.rework_order_id, callback.done_by_id) == (
        CallbackStatus.DONE, Decision.REWORK, made.pk, world.hotline.pk)
    assert WorkOrder.objects.get(pk=original.pk).status == Status.CLOSED


# --- the API --------------------------------------------------------------------------------------------------

def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_api_reworks_as_a_new_order_and_the_transition_has_no_reopen(world, api_as):
    original = make_order(world, status=Status.CLOSED)
    url = f"/api/v1/workorders/{original.pk}/rework"
    hotline = api_as("hotline")
    assert hotline.get(f"/api/v1/workorders/{original.pk}").json()["may_rework"] is True
    reopen = post(hotline, f"/api/v1/workorders/{original.pk}/transitions", {"action": "reopen", "reason": "x"})
    assert reopen.status_code == 422
    assert post(api_as("manager_a"), url, {"outlet_id": world.outlet_b.pk, "reason": "x"}).status_code == 403
    assert post(api_as("manager_b"), url, {"outlet_id": world.outlet_b.pk, "reason": "x"}).status_code == 404
    assert post(api_as("other_customer"), url, {"outlet_id": world.outlet_b.pk, "reason": "x"}).status_code == 404
    assert WorkOrder.objects.count() == 1

    made = post(hotline, url, {"outlet_id": world.outlet_b.pk, "reason": "还是不出水"})

    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["rework_of_id"], body["is_rework"], body["status"], body["outlet_id"]) == (
        original.pk, True, "assigned", world.outlet_b.pk)
    again = post(hotline, url, {"outlet_id": world.outlet_a.pk, "reason": "again"})
    assert (again.status_code, again.json()["code"], again.json()["detail"]["rework_id"]) == (
        409, "already_reworked", body["id"])
    seen = hotline.get(f"/api/v1/workorders/{original.pk}").json()
    assert (seen["rework_ids"], seen["status"], seen["may_rework"]) == ([body["id"]], "closed", True)
    # Outlet A did the original and may see it, but not the rework it lost to outlet B
    assert api_as("manager_a").get(f"/api/v1/workorders/{original.pk}").json()["rework_ids"] == []


# --- two at once ------------------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_asks_at_the_same_moment_make_one_rework():
    world = build_world()
    original = make_order(world, status=Status.CLOSED)
    outlets = [world.outlet_a, world.outlet_b]

    def ask(i):
        return rework.create_rework_order(original=WorkOrder.objects.get(pk=original.pk),
                                          actor=principal_of(world.hotline), outlet=outlets[i % 2],
                                          reason=f"第 {i} 次来电")

    results = race(ask, 4)
    made = [r for r in results if isinstance(r, WorkOrder)]
    assert len(made) == 1, (connection.vendor, results)
    assert all(isinstance(r, rework.AlreadyReworked) for r in results if r not in made), results
    assert list(WorkOrder.objects.filter(rework_of=original).values_list("pk", flat=True)) == [made[0].pk]
    assert WorkOrderEvent.objects.filter(work_order=original, kind=EventKind.REWORK).count() == 1
    assert OutboxEvent.objects.filter(kind="order.rework_opened").count() == 1
