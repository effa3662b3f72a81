"""Tracking (stages, visible events only, ETA, polling), cancel and reschedule within the rules, rating."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.principal import principal_of
from feedback.models import Rating
from portal import eta as eta_module
from portal.slotpicker import slot_value
from workorders import intake, services
from workorders.choices import EventKind, Status
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(ready):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(ready.customer.user)
    return c


def url(order, suffix=""):
    return f"/portal/acme/orders/{order.pk}/{suffix}"


def booked(world):
    """An order the customer booked in the portal, with a slot, assigned to the offering outlet."""
    offers = intake.preview(product=world.product, service_type="repair", symptom_code="leak").slots
    # A day ahead at least: far from the brand's cut-off for changes.
    offer = next(o for o in offers if o.start > timezone.now() + dt.timedelta(days=1))
    return intake.submit_request(actor=principal_of(world.customer.user), customer=world.customer,
                                 service_type="repair", channel="portal", product=world.product,
                                 site=world.product.site, symptom_code="leak", slot=(offer.start, offer.end))


def state(order):
    return WorkOrder.objects.filter(pk=order.pk).values_list("status", "version", "slot_start").get()


def test_timeline_shows_stages_and_only_customer_visible_events(client, ready):
    order = make_order(ready, status=Status.ACCEPTED)
    services.add_note(order=order, actor=principal_of(ready.dispatcher), text="内部：客户难沟通")
    services.add_note(order=order, actor=principal_of(ready.dispatcher), text="师傅明早到", customer_visible=True)
    body = client.get(url(order)).content.decode()
    assert "师傅明早到" in body and "内部：客户难沟通" not in body
    assert re.search(r'class="done" data-stage="received"', body)
    assert re.search(r'class="current" data-stage="assigned"', body)
    assert re.search(r'class="todo" data-stage="en_route"', body)
    assert "Technician: tech_a" in body


def on_the_way_from_home(world):
    """An order en route, its technician with a home base on file: (technician, order, departed at)."""
    tech = world.tech_a
    tech.home_latitude, tech.home_longitude = Decimal("30.250000"), Decimal("120.160000")
    tech.save()
    order = make_order(world, status=Status.EN_ROUTE)
    return tech, order, WorkOrderEvent.objects.get(work_order=order, action="depart").created_at


def test_en_route_shows_the_technician_and_an_eta(client, ready):
    tech, order, departed = on_the_way_from_home(ready)
    site = order.site
    expected = eta_module.eta(departed_at=departed, origin=(tech.home_latitude, tech.home_longitude),
                              destination=(site.latitude, site.longitude))
    body = client.get(url(order)).content.decode()
    assert 'id="eta"' in body and "tech_a is on the way" in body
    assert f'<div class="eta">{timezone.localtime(expected):%H:%M}</div>' in body


def test_the_eta_starts_from_the_technicians_last_position_on_the_trip(client, ready):
    tech, order, departed = on_the_way_from_home(ready)
    site = order.site
    # Reported before setting off: not this trip, so the home base is the start.
    tech.last_latitude, tech.last_longitude = site.latitude, site.longitude
    tech.last_located_at = departed - dt.timedelta(minutes=1)
    tech.save()
    from_home = eta_module.eta(departed_at=departed, origin=(tech.home_latitude, tech.home_longitude),
                               destination=(site.latitude, site.longitude))
    assert f'<div class="eta">{timezone.localtime(from_home):%H:%M}</div>' in client.get(url(order)).content.decode()
    # Reported on the way, a street from the site: the ETA is counted from there and then.
    tech.last_latitude = site.latitude + Decimal("0.002")
    tech.last_located_at = departed + dt.timedelta(minutes=40)
    tech.save()
    near = eta_module.eta(departed_at=tech.last_located_at, origin=(tech.last_latitude, site.longitude),
                          destination=(site.latitude, site.longitude))
    assert near != from_home
    assert f'<div class="eta">{timezone.localtime(near):%H:%M}</div>' in client.get(url(order)).content.decode()


def test_polling_answers_204_while_nothing_changed(client, ready, django_assert_max_num_queries):
    order = make_order(ready, status=Status.ASSIGNED)
    page = client.get(url(order)).content.decode()
    token = re.search(r'data-token="([^"]+)"', page).group(1)
    assert f"status/?since={token}" in page and 'hx-trigger="every 10s"' in page
    # Session, user, brand, membership, customer (twice: seat and scope), then one query for the state.
    with django_assert_max_num_queries(7):
        quiet = client.get(url(order, "status/"), {"since": token}, HTTP_HX_REQUEST="true")
    assert quiet.status_code == 204 and quiet.content == b""
    tech = principal_of(ready.dispatcher)
    from workorders import workflow

    workflow.transition(order, "dispatch", actor=tech, technician=ready.tech_a)
    fresh = client.get(url(order, "status/"), {"since": token}, HTTP_HX_REQUEST="true")
    body = fresh.content.decode()
    assert fresh.status_code == 200 and "<html" not in body
    assert re.search(r'data-token="([^"]+)"', body).group(1) != token
    assert "Technician tech_a will come" in body


def test_a_finished_order_stops_polling(client, ready):
    order = make_order(ready, status=Status.CLOSED)
    body = client.get(url(order)).content.decode()
    assert "hx-trigger" not in body
    assert re.search(r'class="done" data-stage="report"', body)


def test_cancel_with_a_reason(client, ready):
    order = make_order(ready, status=Status.NEW)
    response = client.post(url(order, "cancel/"), {"reason": "mistake", "detail": "选错了产品"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.CANCELLED and order.cancel_reason == "I booked by mistake: 选错了产品"
    assert "This order is cancelled." in client.get(url(order)).content.decode()


def test_cancel_without_a_reason_changes_nothing(client, ready):
    order = make_order(ready, status=Status.NEW)
    before = state(order)
    response = client.post(url(order, "cancel/"), {"reason": "nonsense"})
    assert response.status_code == 422 and 'id="error-cancel"' in response.content.decode()
    assert state(order) == before


def test_cancel_is_refused_once_the_technician_is_on_the_way(client, ready):
    order = make_order(ready, status=Status.EN_ROUTE)
    before = state(order)
    page = client.get(url(order)).content.decode()
    assert "Cancel this order" not in page and "already on the job" in page
    response = client.post(url(order, "cancel/"), {"reason": "time"})
    assert response.status_code == 409 and "already on the job" in response.content.decode()
    assert state(order) == before


def test_reschedule_to_another_offered_window(client, ready):
    order = booked(ready)
    page = client.get(url(order, "reschedule/"))
    body = page.content.decode()
    values = re.findall(r'name="slot" value="([^"]+)"', body)
    current = slot_value(order.slot_start, order.slot_end)
    assert values and current not in values
    response = client.post(url(order, "reschedule/"), {"slot": values[0]})
    assert response.status_code == 302
    order.refresh_from_db()
    assert slot_value(order.slot_start, order.slot_end) == values[0]
    assert WorkOrderEvent.objects.filter(work_order=order, kind=EventKind.RESCHEDULED, customer_visible=True).exists()
    assert "Appointment moved to" in client.get(url(order)).content.decode()


def test_the_first_window_an_order_gets_reads_as_a_booking_not_a_move(client, ready):
    # Taken by the hotline without a window, then booked: the customer's timeline says booked, in either language.
    order = make_order(ready)
    offer = next(o for o in intake.preview(product=ready.product, service_type="repair").slots
                 if o.start > timezone.now() + dt.timedelta(days=1))
    intake.reschedule(order=order, actor=principal_of(ready.hotline), slot=(offer.start, offer.end))
    start, end = timezone.localtime(offer.start), timezone.localtime(offer.end)

    body = client.get(url(order)).content.decode()
    # The window as the messages write it (core.dates.window): an en dash between its ends.
    assert f"Visit booked for {start:%B} {start.day}, {start:%H:%M}–{end:%H:%M}" in body
    assert "Appointment moved" not in body
    chinese = client.get(url(order), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"已预约上门：{start.month}月{start.day}日 {start:%H:%M}–{end:%H:%M}" in chinese
    assert "预约已改到" not in chinese


@pytest.mark.parametrize("slot", ["", "garbage", "2020-01-01T09:00:00+08:00/2020-01-01T11:00:00+08:00"])
def test_reschedule_to_a_bad_window_changes_nothing(client, ready, slot):
    order = booked(ready)
    before = state(order)
    response = client.post(url(order, "reschedule/"), {"slot": slot})
    assert response.status_code == 422 and 'id="error-slot"' in response.content.decode()
    assert state(order) == before


def test_reschedule_too_close_to_the_slot_is_refused(client, ready):
    order = booked(ready)
    WorkOrder.objects.filter(pk=order.pk).update(slot_start=timezone.now() + dt.timedelta(hours=1),
                                                 slot_end=timezone.now() + dt.timedelta(hours=3))
    page = client.get(url(order, "reschedule/")).content.decode()
    assert "Changes are possible up to 4 hours before" in page and 'name="slot"' not in page


def test_rate_a_completed_order_once(client, ready):
    order = make_order(ready, status=Status.COMPLETED)
    assert 'id="rate"' in client.get(url(order)).content.decode()
    response = client.post(url(order, "rate/"), {"score": "5", "comment": "师傅很专业"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.score, rating.comment, rating.customer_id) == (5, "师傅很专业", ready.customer.pk)
    event = WorkOrderEvent.objects.get(work_order=order, kind=EventKind.RATING)
    assert event.customer_visible and event.data == {"score": 5}
    body = client.get(url(order)).content.decode()
    assert 'id="rating"' in body and "You rated the service 5 of 5" in body and 'id="rate"' not in body
    again = client.post(url(order, "rate/"), {"score": "1"})
    assert again.status_code == 409 and "already rated" in again.content.decode()
    assert Rating.objects.count() == 1 and Rating.objects.get().score == 5


@pytest.mark.parametrize("score", ["", "0", "6", "x", "4.5"])
def test_bad_score_is_a_message(client, ready, score):
    order = make_order(ready, status=Status.CLOSED)
    response = client.post(url(order, "rate/"), {"score": score})
    assert response.status_code == 422 and 'id="error-score"' in response.content.decode()
    assert not Rating.objects.exists()


def test_an_open_order_cannot_be_rated(client, ready):
    order = make_order(ready, status=Status.ON_SITE)
    assert 'id="rate"' not in client.get(url(order)).content.decode()
    response = client.post(url(order, "rate/"), {"score": "4"})
    assert response.status_code == 409 and not Rating.objects.exists()


# A page answers 405 to the method it does not take (before reading anything), 404 to the one it takes.
@pytest.mark.parametrize(("suffix", "get", "post"), [("", 404, 405), ("status/", 404, 405), ("rate/", 405, 404),
                                                     ("cancel/", 405, 404), ("reschedule/", 404, 404)])
def test_another_customers_order_is_404_everywhere(client, ready, suffix, get, post):
    order = make_order(ready, status=Status.COMPLETED, customer=ready.other_customer, product=ready.other_product)
    before = state(order)
    assert client.get(url(order, suffix)).status_code == get
    assert client.post(url(order, suffix), {"score": "1", "reason": "time", "slot": "x"}).status_code == post
    assert state(order) == before and not Rating.objects.exists()
