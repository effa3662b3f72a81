"""Urging a late order (催单) in a real browser (Debian's chromium) against a live server: the customer, on a
phone in Chinese, urges the late order; pressing again at once is refused beside the button; the dispatcher
finds the urge in the console's notifications; the third urge opens a late-visit complaint. Screenshots in
test-artifacts/screenshots/urge-*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone

from complaints.models import Complaint
from conftest import build_world
from core.browser import PHONE, open_page, shot, sign_in
from workorders.choices import Status
from workorders.models import Urge, WorkOrder
from workorders.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(transactional_db):
    world = build_world()
    order = make_order(world, status=Status.DISPATCHED)
    promised = timezone.now() - dt.timedelta(hours=2)
    WorkOrder.objects.filter(pk=order.pk).update(slot_start=promised - dt.timedelta(hours=2), slot_end=promised)
    return world, WorkOrder.objects.get(pk=order.pk)


def customer_phone(browser, live_server, user):
    client = Client()
    client.force_login(user)
    page = open_page(browser, live_server, locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    return page


def quiet_period_over() -> None:
    Urge.objects.update(created_at=F("created_at") - dt.timedelta(hours=1))


def test_the_customer_urges_the_dispatcher_hears_and_the_third_urge_complains(browser, live_server, scene):
    world, order = scene
    phone = customer_phone(browser, live_server, world.customer.user)
    phone.goto(f"{phone.base}/portal/acme/orders/{order.pk}/")
    card = phone.locator("#urge")
    assert "还在等待？" in card.inner_text()
    assert "让您久等了" in card.inner_text()
    shot(phone, "urge-1-late-order")

    phone.click("#urge-button")
    phone.wait_for_load_state()
    assert "已通知调度员您在等待" in phone.content()
    assert "调度员已收到您的催单" in phone.locator("#urge").inner_text()
    assert "已催单" in phone.locator("#events").inner_text()  # on the customer's own timeline
    shot(phone, "urge-2-urged")

    with phone.expect_response(lambda r: r.url.endswith("/urge/")) as pressed:
        phone.click("#urge-button")
    assert pressed.value.status == 429
    phone.wait_for_selector("#error-urge[role=alert]")
    assert "您刚刚已催过单" in phone.locator("#error-urge").inner_text()
    shot(phone, "urge-3-too-soon")
    assert Urge.objects.count() == 1

    desk = open_page(browser, live_server)
    sign_in(desk, "dispatcher")
    desk.goto(desk.base + "/console/notifications/")
    inbox = desk.locator("main").inner_text()
    assert "Urged by the customer" in inbox and order.number in inbox
    assert "urge 1" in inbox
    shot(desk, "urge-4-dispatcher-inbox")

    for _ in range(2):
        quiet_period_over()
        phone.goto(f"{phone.base}/portal/acme/orders/{order.pk}/")
        phone.click("#urge-button")
        phone.wait_for_load_state()
    assert list(Urge.objects.values_list("seq", "escalated")) == [(1, False), (2, False), (3, True)]
    complaint = Complaint.objects.get()
    assert (complaint.work_order_id, complaint.customer_id) == (order.pk, world.customer.pk)

    desk.goto(desk.base + "/console/notifications/")
    assert "a complaint about the late visit has been opened" in desk.locator("main").inner_text()
    shot(desk, "urge-5-third-urge-complaint")
    desk.goto(f"{desk.base}/console/orders/{order.pk}/")
    assert desk.locator("#urge-count").inner_text() == "Urged 3 times"
    shot(desk, "urge-6-order-page")
