"""SMS delivery receipts in a real browser: after the periodic job asked the gateway, the console's timeline says
which text message reached the customer's phone and when, and which did not and why (the carrier's code), and the
portal shows the customer the same. Screenshots in test-artifacts/screenshots/sms-receipts-*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import build_world
from core.browser import PHONE, shot
from notifications import customer_messages, receipts
from notifications.models import CustomerMessage
from notifications.tests.messaging import Event
from workorders.choices import Status
from workorders.tests.factories import make_order

from .test_browser import signed_in
from .test_customer_messages import DAY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    return build_world()


def test_the_timeline_says_which_text_message_was_delivered_and_which_was_not(world, providers, browser,
                                                                              live_server):
    order = make_order(world, status=Status.DISPATCHED)
    CustomerMessage.objects.all().delete()  # making the order told its steps; this test tells two of its own
    providers.sms.deliver_after = 0
    customer_messages.deliver(Event("order.assigned", world.brand.pk, order.pk), now=DAY)
    providers.sms.unreachable["13900000001"] = "MK:0001"  # the phone is switched off for the next one
    customer_messages.deliver(Event("order.arrived", world.brand.pk, order.pk), now=DAY + dt.timedelta(hours=1))

    assert receipts.collect() == {"delivered": 1, "failed": 1}
    # Written at the test's fixed daytime (no quiet hours) but sent and received now: shown as they happened.
    for message in CustomerMessage.objects.all():
        CustomerMessage.objects.filter(pk=message.pk).update(created_at=message.sent_at)

    staff = signed_in(browser, live_server, world.manager_a, locale="zh-CN")
    staff.goto(f"{live_server.url}/console/orders/{order.pk}/")
    sms = staff.locator("#order-timeline li[data-action=message][data-channel=sms]")
    delivered, failed = sms.filter(has_text="送达时间"), sms.filter(has_text="送达回执")
    assert delivered.count() == failed.count() == 1
    assert delivered.locator(".badge").inner_text() == "已送达"
    assert (failed.locator(".badge").inner_text(), failed.locator("code").inner_text()) == ("未送达", "MK:0001")
    sms.first.scroll_into_view_if_needed()
    shot(staff, "sms-receipts-console-timeline")

    customer = signed_in(browser, live_server, world.customer.user, locale="zh-CN", viewport=PHONE, is_mobile=True)
    customer.goto(f"{live_server.url}/portal/acme/orders/{order.pk}/")
    card = customer.locator("#messages")
    assert card.locator("[data-channel=sms][data-status=delivered]").count() == 1
    assert card.locator("[data-channel=sms][data-status=failed]").inner_text() == "短信 · 未送达"
    card.scroll_into_view_if_needed()
    shot(customer, "sms-receipts-portal")
