"""The portal's urge button (催单): shown once the promise has passed, one press one urge, a second press within
the quiet period a 429 with the message beside the button; the console's button for the hotline and the count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from workorders.choices import Status
from workorders.models import Urge, WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def late(order, minutes=90):
    promised = timezone.now() - dt.timedelta(minutes=minutes)
    WorkOrder.objects.filter(pk=order.pk).update(slot_end=None, onsite_due=promised)
    return WorkOrder.objects.get(pk=order.pk)


def signed_in(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_the_button_shows_only_once_the_promise_has_passed(world):
    order = make_order(world, status=Status.DISPATCHED)
    WorkOrder.objects.filter(pk=order.pk).update(slot_end=None, onsite_due=timezone.now() + dt.timedelta(hours=1))
    client = signed_in(world.customer.user)
    page = client.get(f"/portal/acme/orders/{order.pk}/").content.decode()
    assert 'id="urge-button"' not in page
    late(order)
    page = client.get(f"/portal/acme/orders/{order.pk}/").content.decode()
    assert 'id="urge-button"' in page and "Still waiting?" in page


def test_pressing_urges_once_and_pressing_again_is_429_beside_the_button(world):
    order = late(make_order(world, status=Status.DISPATCHED))
    client = signed_in(world.customer.user, "zh-hans")
    pressed = client.post(f"/portal/acme/orders/{order.pk}/urge/")
    assert pressed.status_code == 302 and pressed["Location"] == f"/portal/acme/orders/{order.pk}/"
    after = client.get(pressed["Location"]).content.decode()
    assert "已通知调度员您在等待" in after and "调度员已收到您的催单" in after
    again = client.post(f"/portal/acme/orders/{order.pk}/urge/")
    assert again.status_code == 429
    html = again.content.decode()
    assert 'id="error-urge" role="alert">您刚刚已催过单，调度员已收到通知。' in html
    assert Urge.objects.filter(work_order=order).count() == 1


def test_an_urge_refused_as_not_late_or_not_urgeable_is_said_on_the_page(world):
    order = make_order(world, status=Status.DISPATCHED)
    WorkOrder.objects.filter(pk=order.pk).update(slot_end=None, onsite_due=timezone.now() + dt.timedelta(hours=1))
    client = signed_in(world.customer.user)
    refused = client.post(f"/portal/acme/orders/{order.pk}/urge/")
    assert refused.status_code == 409
    assert 'id="error-urge" role="alert">The order is not late yet' in refused.content.decode()
    late(order)
    WorkOrder.objects.filter(pk=order.pk).update(status=Status.COMPLETED)
    refused = client.post(f"/portal/acme/orders/{order.pk}/urge/")
    assert refused.status_code == 409
    assert 'id="error-urge" role="alert">This order cannot be urged' in refused.content.decode()
    assert not Urge.objects.filter(work_order=order).exists()


def test_the_hotline_urges_from_the_console_and_the_list_and_page_count_urges(world):
    order = late(make_order(world, status=Status.DISPATCHED))
    hotline = signed_in(world.hotline)
    page = hotline.get(f"/console/orders/{order.pk}/").content.decode()
    assert 'id="urge-form"' in page and 'id="urge-count"' not in page
    assert hotline.post(f"/console/orders/{order.pk}/urge/").status_code == 302
    urge = Urge.objects.get()
    assert (urge.channel, urge.actor_id) == ("hotline", world.hotline.pk)
    assert 'id="urge-count">Urged 1 time<' in hotline.get(f"/console/orders/{order.pk}/").content.decode()
    refused = hotline.post(f"/console/orders/{order.pk}/urge/")
    assert refused.status_code == 429 and "urged a moment ago" in refused.content.decode()
    assert 'data-urges="1"' in hotline.get("/console/").content.decode()


def test_an_outlet_sees_the_count_but_has_no_button(world):
    order = late(make_order(world, status=Status.DISPATCHED))
    signed_in(world.hotline).post(f"/console/orders/{order.pk}/urge/")
    manager = signed_in(world.manager_a)
    page = manager.get(f"/console/orders/{order.pk}/").content.decode()
    assert 'id="urge-count"' in page and 'id="urge-form"' not in page
    assert manager.post(f"/console/orders/{order.pk}/urge/").status_code == 403
    assert Urge.objects.count() == 1
