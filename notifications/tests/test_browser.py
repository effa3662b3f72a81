"""The messages of one repair as the customer and the outlet see them, in a real browser: the portal's order page
on a phone in Chinese and in English, the preferences page (SMS off, English), and the console's timeline.
Screenshots in test-artifacts/screenshots/messages-*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from conftest import build_world
from core.browser import PHONE, open_page, shot
from notifications import customer_messages
from notifications.models import CustomerMessage, CustomerPreference
from notifications.tests.messaging import Event
from notifications.tests.test_texts import REPAIR
from workorders.choices import Status
from workorders.tests.factories import make_order

from .test_customer_messages import DAY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    return build_world()


def signed_in(browser, live_server, user, **options):
    client = Client()
    client.force_login(user)
    page = open_page(browser, live_server, **options)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    return page


def whole_repair(world, order) -> None:
    """The events of test_texts.py's repair, about ``order``: its own number and page, their technician and times."""
    for n, (kind, data) in enumerate(REPAIR[:8]):
        if kind != "order.urged":
            about = {k: v for k, v in data.items() if kind == "survey.sent" or k not in ("number", "link")}
            if "technician" in about:
                about["technician"] = order.technician.name
            customer_messages.deliver(Event(kind, world.brand.pk, order.pk, data=about),
                                      now=DAY + dt.timedelta(minutes=20 * n))


def test_a_customer_reads_the_messages_of_one_repair_and_chooses_how_to_hear_from_us(
        world, providers, browser, live_server, settings):
    order = make_order(world, status=Status.COMPLETED)
    other_order = make_order(world, customer=world.other_customer, status=Status.COMPLETED)
    # Making the orders told their customers their steps already (the outbox, for real); this test tells them
    # the one repair of notifications/tests/test_texts.py instead, at the times it names.
    CustomerMessage.objects.all().delete()
    whole_repair(world, order)
    CustomerPreference.objects.create(customer=world.other_customer, language="en")
    whole_repair(world, other_order)
    assert CustomerMessage.objects.filter(status="sent").count() == 7 * 3 + 7  # the other has SMS only

    page = signed_in(browser, live_server, world.customer.user, locale="zh-CN", viewport=PHONE, is_mobile=True)
    page.goto(f"{live_server.url}/portal/acme/orders/{order.pk}/")
    card = page.locator("#messages")
    assert card.locator("li").count() == 7  # one line per thing told, with its channels
    assert card.locator("[data-channel=sms][data-status=sent]").count() == 7
    assert "tech_a师傅已出发，预计09:40左右到达" in card.inner_text()
    card.scroll_into_view_if_needed()
    shot(page, "messages-portal-zh")

    page.click("#messages a[href$='/preferences/']")
    page.uncheck("#pref-sms")
    page.check("input[name=language][value=en]")
    shot(page, "messages-preferences")
    page.click("#preferences-form button[type=submit]")
    page.wait_for_url("**/preferences/")
    saved = CustomerPreference.objects.get(customer=world.customer)
    assert (saved.sms, saved.wechat, saved.email, saved.language) == (False, True, True, "en")

    sms_before = len(providers.sms.sent)
    customer_messages.deliver(Event("order.urged", world.brand.pk, order.pk), now=DAY + dt.timedelta(hours=4))
    assert len(providers.sms.sent) == sms_before  # opted out: nothing by SMS
    urged = CustomerMessage.objects.get(kind="order.urged", channel="wechat")
    assert urged.text.startswith("We have your reminder about")

    other = signed_in(browser, live_server, world.other_customer.user, locale="en-US", viewport=PHONE,
                      is_mobile=True)
    other.goto(f"{live_server.url}/portal/acme/orders/{other_order.pk}/")
    text = other.locator("#messages").inner_text()
    assert "is on the way to you and should arrive at about 09:40" in text and "How did we do on" in text
    other.locator("#messages").scroll_into_view_if_needed()
    shot(other, "messages-portal-en")

    staff = signed_in(browser, live_server, world.manager_a, locale="en-US")
    staff.goto(f"{live_server.url}/console/orders/{order.pk}/")
    timeline = staff.locator("#order-timeline")
    assert timeline.locator("li[data-action=message]").count() == 7 * 3 + 3  # the urge: SMS suppressed
    assert timeline.locator("li[data-action=message][data-status=suppressed]").count() == 1
    timeline.scroll_into_view_if_needed()
    shot(staff, "messages-console-timeline")
