"""The customer's messages on the order's timeline: the console's order page and the portal's."""

from __future__ import annotations

import pytest
from django.test import Client

from notifications import customer_messages
from notifications.models import CustomerPreference
from notifications.tests.messaging import Event
from workorders.choices import Status
from workorders.tests.factories import make_order

from .test_customer_messages import DAY


@pytest.fixture
def order(world, providers):
    order = make_order(world, status=Status.DISPATCHED)
    CustomerPreference.objects.create(customer=world.customer, email=False, language="en")
    providers.sms.fail_with = "isv.AMOUNT_NOT_ENOUGH"
    customer_messages.deliver(Event("order.assigned", world.brand.pk, order.pk), now=DAY)
    return order


def test_the_console_timeline_shows_each_message_with_its_delivery_status(world, order):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.manager_a)
    html = client.get(f"/console/orders/{order.pk}/").content.decode()
    assert 'data-channel="sms" data-status="failed"' in html
    assert "isv.AMOUNT_NOT_ENOUGH" in html
    assert 'data-channel="wechat" data-status="sent"' in html
    assert 'data-channel="email" data-status="suppressed"' in html
    assert f"Technician tech_a will take care of your service request {order.number}." in html


def test_the_portal_order_page_shows_the_customer_what_was_sent(world, order):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.customer.user)
    html = client.get(f"/portal/acme/orders/{order.pk}/").content.decode()
    assert 'id="messages"' in html
    assert 'data-channel="wechat" data-status="sent"' in html
    assert 'data-channel="email"' not in html  # opted out: nothing to show
    assert "/portal/acme/preferences/" in html


def test_another_customer_sees_none_of_it(world, order):
    client = Client()
    client.force_login(world.other_customer.user)
    assert client.get(f"/portal/acme/orders/{order.pk}/").status_code == 404
