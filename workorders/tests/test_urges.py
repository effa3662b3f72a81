"""Urging a late order (催单): when it may be urged, the quiet period, the timeline, the dispatchers' notice,
the complaint the third urge opens, the API, and two urges at once making one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from accounts.principal import principal_of
from complaints import services as complaint_services
from complaints.choices import ComplaintCategory
from complaints.models import Complaint
from conftest import _member, build_world, race
from core.dates import brand_tz
from core.errors import NotFound, PermissionDenied
from core.models import Delivery, OutboxEvent
from notifications.models import Notification
from workorders import urges
from workorders.choices import EventKind, Status
from workorders.models import IntakePolicy, Urge, WorkOrder, WorkOrderEvent
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def late(order: WorkOrder, *, minutes: int = 60, window: bool = False) -> WorkOrder:
    """The order's promise passed ``minutes`` ago (the booked window's end, or else the on-site due)."""
    promised = timezone.now() - dt.timedelta(minutes=minutes)
    if window:
        WorkOrder.objects.filter(pk=order.pk).update(slot_start=promised - dt.timedelta(hours=2), slot_end=promised)
    else:
        WorkOrder.objects.filter(pk=order.pk).update(slot_start=None, slot_end=None, onsite_due=promised)
    return WorkOrder.objects.get(pk=order.pk)


@pytest.fixture
def order(world):
    return late(make_order(world, status=Status.DISPATCHED))


def test_the_customer_urges_a_late_order_once_on_the_timeline_and_the_dispatchers_hear_of_it(
        world, order, django_capture_on_commit_callbacks):
    outlet_dispatcher = _member(world.outlet_a, Role.OUTLET_DISPATCHER, "outlet_dispatcher_a")
    other_outlet_dispatcher = _member(world.outlet_b, Role.OUTLET_DISPATCHER, "outlet_dispatcher_b")
    with django_capture_on_commit_callbacks(execute=True):
        urge = urges.urge_order(order=order, actor=principal_of(world.customer.user), channel="portal", note="急")

    assert (urge.seq, urge.channel, urge.actor_id, urge.escalated) == (1, "portal", world.customer.user.pk, False)
    assert urge.promised == order.onsite_due
    event = WorkOrderEvent.objects.get(work_order=order, kind=EventKind.URGE)
    assert (event.customer_visible, event.reason, event.data) == (True, "急", {"seq": 1, "channel": "portal"})
    told = set(Notification.objects.filter(kind="urge", work_order=order).values_list("recipient_id", flat=True))
    assert told == {world.dispatcher.pk, outlet_dispatcher.pk}
    assert other_outlet_dispatcher.pk not in told
    note = Notification.objects.get(recipient=world.dispatcher, kind="urge")
    assert note.data == {"number": order.number, "seq": 1, "channel": "portal", "escalated": False}
    event = OutboxEvent.objects.get(kind="order.urged")
    assert (event.brand_id, event.work_order_id, event.subject_type, event.subject_id) == (
        world.brand.pk, order.pk, "urge", urge.pk)
    assert event.data == {"number": order.number, "seq": 1, "since_promise": 1, "channel": "portal",
                          "actor_role": "customer", "escalated": False, "promised": order.onsite_due.isoformat()}
    assert Delivery.objects.get(event=event, sink="in_app").status == "delivered"


def test_an_order_whose_promise_has_not_passed_is_not_urged(world):
    order = make_order(world, status=Status.DISPATCHED)
    WorkOrder.objects.filter(pk=order.pk).update(onsite_due=timezone.now() + dt.timedelta(hours=1), slot_end=None)
    order.refresh_from_db()
    with pytest.raises(urges.NotLate) as refused:
        urges.urge_order(order=order, actor=principal_of(world.customer.user), channel="portal")
    assert refused.value.status == 409 and refused.value.code == "not_late"
    assert not Urge.objects.exists()
    assert not WorkOrderEvent.objects.filter(kind=EventKind.URGE).exists()
    assert not OutboxEvent.objects.filter(kind="order.urged").exists()


def test_the_booked_window_is_the_promise_before_the_onsite_due(world):
    order = late(make_order(world, status=Status.ASSIGNED), window=True)
    WorkOrder.objects.filter(pk=order.pk).update(onsite_due=timezone.now() + dt.timedelta(days=1))
    order.refresh_from_db()
    assert urges.urge_state(order).late
    urge = urges.urge_order(order=order, actor=principal_of(world.hotline), channel="hotline")
    assert urge.promised == order.slot_end


@pytest.mark.parametrize("status", [Status.ON_SITE, Status.COMPLETED, Status.CANCELLED])
def test_an_order_at_the_door_or_finished_is_not_urged(world, status):
    order = late(make_order(world, status=status))
    with pytest.raises(urges.NotUrgeable):
        urges.urge_order(order=order, actor=principal_of(world.customer.user), channel="portal")
    assert not Urge.objects.exists()


def test_a_second_urge_within_the_quiet_period_is_429_and_after_it_is_the_second(world, order):
    customer = principal_of(world.customer.user)
    first = timezone.now()
    urges.urge_order(order=order, actor=customer, channel="portal", now=first)
    with pytest.raises(urges.UrgedRecently) as refused:
        urges.urge_order(order=order, actor=customer, channel="portal", now=first + dt.timedelta(minutes=29))
    assert (refused.value.status, refused.value.code) == (429, "urged_recently")
    assert refused.value.detail["retry_after"] == (first + dt.timedelta(minutes=30)).isoformat()
    assert refused.value.retry_after_seconds == 60  # one minute of the quiet period left
    assert Urge.objects.count() == 1
    second = urges.urge_order(order=order, actor=customer, channel="portal", now=first + dt.timedelta(minutes=30))
    assert second.seq == 2


def test_the_brands_policy_sets_the_quiet_period_and_the_urge_that_complains(world, order):
    IntakePolicy.objects.create(brand=world.brand, urge_interval_minutes=5, urges_to_complaint=2)
    customer, start = principal_of(world.customer.user), timezone.now()
    urges.urge_order(order=order, actor=customer, channel="portal", now=start)
    second = urges.urge_order(order=order, actor=customer, channel="portal", now=start + dt.timedelta(minutes=5))
    assert second.escalated
    assert Complaint.objects.filter(work_order=order).count() == 1


def test_the_third_urge_opens_one_late_visit_complaint_and_later_urges_add_none(world, order):
    customer, start = principal_of(world.customer.user), timezone.now()
    made = [urges.urge_order(order=order, actor=customer, channel="portal", now=start + dt.timedelta(hours=i))
            for i in range(2)]
    assert not Complaint.objects.exists()
    made.append(urges.urge_order(order=order, actor=customer, channel="wechat", now=start + dt.timedelta(hours=2)))
    complaint = Complaint.objects.get()
    assert (complaint.work_order_id, complaint.customer_id, complaint.category, complaint.outlet_id) == (
        order.pk, world.customer.pk, ComplaintCategory.NO_SHOW, world.outlet_a.pk)
    assert complaint.opened_by is None  # the system opened it
    assert (complaint.severity, complaint.channel) == ("high", "urging")
    # The promise is written as the brand's clock reads it
    local = timezone.localtime(made[-1].promised, brand_tz()).strftime("%Y-%m-%d %H:%M")
    assert local in complaint.description and "+00:00" not in complaint.description, complaint.description
    assert [u.escalated for u in made] == [False, False, True]
    urges.urge_order(order=order, actor=customer, channel="portal", now=start + dt.timedelta(hours=3))
    assert Complaint.objects.count() == 1


def test_who_may_urge(world, order):
    other = make_order(world, status=Status.DISPATCHED, customer=world.other_customer)
    with pytest.raises(NotFound):
        urges.urge_order(order=late(other), actor=principal_of(world.customer.user), channel="portal")
    for user in (world.manager_a, world.tech_a.user, world.analyst):
        with pytest.raises(PermissionDenied):
            urges.urge_order(order=order, actor=principal_of(user), channel="api")
    assert not Urge.objects.exists()
    for user in (world.hotline, world.dispatcher, world.admin):
        order = late(make_order(world, status=Status.DISPATCHED))
        assert urges.urge_order(order=order, actor=principal_of(user), channel="hotline").seq == 1


# --- the API --------------------------------------------------------------------------------------------

def test_api_urges_a_late_order_then_refuses_429_with_a_code(api_as, order):
    client = api_as("customer")
    url = f"/api/v1/workorders/{order.pk}/urges"
    made = client.post(url, {"note": "还没来"}, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["seq"], body["channel"], body["note"], body["escalated"], body["actor_role"]) == (
        1, "api", "还没来", False, "customer")
    again = client.post(url, {}, content_type="application/json")
    assert again.status_code == 429
    assert again.json()["code"] == "urged_recently"
    assert "retry_after" in again.json()["detail"]
    # Retry-After (RFC 9110): whole seconds until the quiet period (30 minutes by default) ends
    assert 29 * 60 < int(again["Retry-After"]) <= 30 * 60
    assert "Retry-After" not in api_as("other_customer").post(url, {}, content_type="application/json")
    assert [u["seq"] for u in client.get(url).json()] == [1]


def test_api_hides_anothers_order_and_refuses_an_outlet(api_as, world, order):
    url = f"/api/v1/workorders/{order.pk}/urges"
    assert api_as("other_customer").post(url, {}, content_type="application/json").status_code == 404
    assert api_as("manager_b").post(url, {}, content_type="application/json").status_code == 404
    refused = api_as("manager_a").post(url, {}, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert not Urge.objects.exists()
    assert api_as("manager_a").get(url).status_code == 200
    assert api_as("other_customer").get(url).status_code == 404


def test_api_not_late_is_409(api_as, world):
    order = make_order(world, status=Status.DISPATCHED)
    WorkOrder.objects.filter(pk=order.pk).update(onsite_due=timezone.now() + dt.timedelta(hours=2), slot_end=None)
    refused = api_as("customer").post(f"/api/v1/workorders/{order.pk}/urges", {}, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (409, "not_late")


# --- two at once ------------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_urges_at_the_same_moment_make_one():
    world = build_world()
    order = late(make_order(world, status=Status.DISPATCHED))
    customer = principal_of(world.customer.user)

    def press(i):
        return urges.urge_order(order=WorkOrder.objects.get(pk=order.pk), actor=customer, channel="portal")

    results = race(press, 4)
    made = [r for r in results if isinstance(r, Urge)]
    assert len(made) == 1, results
    assert all(isinstance(r, urges.UrgedRecently) for r in results if r not in made), results
    assert Urge.objects.count() == 1
    assert WorkOrderEvent.objects.filter(work_order=order, kind=EventKind.URGE).count() == 1


# --- a new promise starts the count again ---------------------------------------------------------------------

def repromise(order: WorkOrder, *, minutes_ago: int) -> WorkOrder:
    """The order is given a new promise (a re-booked window) that has itself passed ``minutes_ago``."""
    end = timezone.now() - dt.timedelta(minutes=minutes_ago)
    WorkOrder.objects.filter(pk=order.pk).update(slot_start=end - dt.timedelta(hours=2), slot_end=end)
    return WorkOrder.objects.get(pk=order.pk)


def english(user):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_a_new_promise_starts_the_count_again_and_its_third_urge_complains_once(world, order, api_as):
    customer, start = principal_of(world.customer.user), timezone.now()
    first = [urges.urge_order(order=order, actor=customer, channel="portal", now=start + dt.timedelta(hours=i))
             for i in range(2)]
    # Re-booked: two urges were about the old promise; the next is the first about the new one
    order = repromise(order, minutes_ago=10)
    assert (urges.urge_state(order).count, urges.urge_state(order).since_promise) == (2, 0)
    later = start + dt.timedelta(hours=2)
    second = [urges.urge_order(order=order, actor=customer, channel="portal", now=later + dt.timedelta(hours=i))
              for i in range(2)]
    assert [(u.seq, u.since_promise, u.escalated) for u in first + second] == [
        (1, 1, False), (2, 2, False), (3, 1, False), (4, 2, False)]
    assert not Complaint.objects.exists()
    third = urges.urge_order(order=order, actor=customer, channel="portal", now=later + dt.timedelta(hours=2))
    assert (third.seq, third.since_promise, third.escalated, third.promised) == (5, 3, True, order.slot_end)
    complaint = Complaint.objects.get()
    assert "催单 3 次" in complaint.description and complaint.work_order_id == order.pk  # the brand language
    listed = api_as("hotline").get(f"/api/v1/workorders/{order.pk}/urges").json()
    assert [(u["seq"], u["since_promise"], u["escalated"]) for u in listed] == [
        (1, 1, False), (2, 2, False), (3, 1, False), (4, 2, False), (5, 3, True)]
    page = english(world.hotline).get(f"/console/orders/{order.pk}/").content.decode()
    assert 'id="urge-count">Urged 5 times' in page and 'id="urge-since-promise">3 since the new promise' in page


def test_a_lateness_complaint_is_opened_once_per_promise_even_after_it_is_resolved(world, order):
    customer, start = principal_of(world.customer.user), timezone.now()
    for i in range(3):
        urges.urge_order(order=order, actor=customer, channel="portal", now=start + dt.timedelta(hours=i))
    complaint = Complaint.objects.get()
    complaint_services.resolve_complaint(actor=principal_of(world.hotline), complaint=complaint,
                                         resolution="已致歉，今天下午上门")
    # Still the same promise: urging on is on the timeline and with the dispatcher, but no second complaint
    fourth = urges.urge_order(order=order, actor=customer, channel="portal", now=start + dt.timedelta(hours=3))
    assert (fourth.since_promise, fourth.escalated) == (4, True)
    assert Complaint.objects.count() == 1
    # A new promise broken three times more is a new lateness complaint
    order = repromise(order, minutes_ago=5)
    later = start + dt.timedelta(hours=4)
    made = [urges.urge_order(order=order, actor=customer, channel="portal", now=later + dt.timedelta(hours=i))
            for i in range(3)]
    assert [u.since_promise for u in made] == [1, 2, 3]
    assert Complaint.objects.count() == 2


def test_a_complaint_still_open_from_the_old_promise_takes_the_new_promises_escalation(world, order):
    customer, start = principal_of(world.customer.user), timezone.now()
    for i in range(3):
        urges.urge_order(order=order, actor=customer, channel="portal", now=start + dt.timedelta(hours=i))
    order = repromise(order, minutes_ago=5)
    for i in range(3):
        urges.urge_order(order=order, actor=customer, channel="portal", now=start + dt.timedelta(hours=3 + i))
    assert Complaint.objects.count() == 1  # one open lateness complaint per order at a time: it climbs its ladder
