"""The demo's issue-15 side walked in Chinese as the roles the demo prints: the dispatcher on the complaints desk
(every state, the ladder's clocks) and on an order's page with the customer's messages; the hotline on the
callbacks desk, each queue; the outlet manager on the complaints of their outlet; the demo customer on a phone, on
their repair's page (the messages they were sent) and "my complaints". Screenshots:
test-artifacts/screenshots/demo15-*.png."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from complaints.choices import ComplaintStatus
from complaints.models import Complaint
from core.browser import PHONE, open_page, shot, sign_in
from demo import data
from feedback.choices import CallbackStatus
from feedback.models import Callback
from notifications.models import CustomerMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The labels the desks show for each state, in Chinese (complaints/choices.py).
STATUS_ZH = {"received": "已受理", "acknowledged": "已响应", "investigating": "调查中", "escalated": "已升级",
             "resolved": "已解决", "reopened": "已重开", "appealed": "申诉中", "arbitrated": "已仲裁"}


def staff(browser, live_server, username: str):
    page = open_page(browser, live_server, locale="zh-CN")
    sign_in(page, username, data.PASSWORD)
    return page


def customer_phone(browser, live_server):
    client = Client()
    client.force_login(Complaint.objects.filter(customer__phone=data.CUSTOMER_PHONE).get().customer.user)
    page = open_page(browser, live_server, locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    return page


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_demo_walked_as_its_roles_in_chinese(browser, live_server):
    call_command("demo", "--size", "small", "--url", live_server.url, stdout=StringIO())
    repair = (CustomerMessage.objects.filter(customer__phone=data.CUSTOMER_PHONE, kind="order.arrived", channel="sms")
              .get().work_order)

    # The dispatcher: the complaints desk, every state with its clocks and rung; then the repair's messages.
    page = staff(browser, live_server, "dispatcher")
    try:
        page.goto(page.base + "/console/complaints/")
        rows = page.locator("tr[data-complaint]")
        assert rows.count() == Complaint.objects.count()
        table = page.locator("table.complaints").inner_text()
        for status in ComplaintStatus.values:
            assert STATUS_ZH[status] in table, status
        assert "下次升级" in table  # the ladder's next rung and when
        overdue = {int(pk) for pk in page.locator("tr.is-overdue").evaluate_all(
            "rows => rows.map(r => r.dataset.complaint)")}
        # Only what is late is marked so: the escalated ones, moved up because their clocks ran out.
        assert overdue == set(Complaint.objects.filter(status=ComplaintStatus.ESCALATED).values_list("pk", flat=True))
        shot(page, "demo15-1-complaints-desk-dispatcher")
        escalated = Complaint.objects.filter(status=ComplaintStatus.ESCALATED).order_by("-escalation_level").first()
        page.goto(page.base + f"/console/complaints/{escalated.pk}/")
        assert "升级" in page.locator("main").inner_text()
        # The remedies to tick read as a list: each box before its words, on one line.
        remedy = page.locator("form[data-action=resolve] input[name=remedies]").first
        box, label = remedy.bounding_box(), remedy.locator("xpath=..").bounding_box()
        assert box["width"] < 24 and label["height"] < 30 and box["y"] >= label["y"]
        shot(page, "demo15-2-complaint-escalated")
        page.goto(page.base + f"/console/orders/{repair.pk}/")
        told = page.locator("li.event-message")
        assert told.count() >= 14
        assert page.locator("li.event-message[data-channel=sms][data-status=delivered]").count() >= 7
        assert page.locator("li.event-message[data-channel=wechat][data-status=delivered]").count() >= 7
        # A survey's long link wraps inside the timeline instead of running out of the card.
        assert page.evaluate("[...document.querySelectorAll('li.event-message .event-detail')]"
                             ".every(e => e.scrollWidth <= e.clientWidth)")
        shot(page, "demo15-3-order-messages")
    finally:
        page.context.close()

    # The hotline: the callbacks desk, each queue holding something.
    page = staff(browser, live_server, "hotline")
    try:
        for n, status in enumerate(CallbackStatus.values, start=4):
            page.goto(page.base + f"/console/callbacks/?status={status}")
            cards = page.locator("section.callback")
            assert cards.count() > 0, status
            shot(page, f"demo15-{n}-callbacks-{status}")
        assert Callback.objects.filter(status=CallbackStatus.DONE, rework_order__isnull=False).exists()
    finally:
        page.context.close()

    # The outlet manager: the complaints about their outlet's orders only.
    page = staff(browser, live_server, "outlet_manager")
    try:
        page.goto(page.base + "/console/complaints/")
        featured = Complaint.objects.filter(outlet__code=data.FEATURED_OUTLET)
        assert page.locator("tr[data-complaint]").count() == featured.count() > 0
        shot(page, "demo15-7-complaints-desk-outlet-manager")
    finally:
        page.context.close()

    # The demo customer on a phone: the repair's page with the messages they got, and their complaint.
    phone = customer_phone(browser, live_server)
    try:
        phone.goto(phone.base + f"/portal/{data.BRAND_CODE}/orders/{repair.pk}/")
        messages = phone.locator("#messages").inner_text()
        assert "短信" in messages and "微信" in messages and "已出发，预计" in messages
        assert fits(phone)
        shot(phone, "demo15-8-portal-order-messages")
        phone.goto(phone.base + f"/portal/{data.BRAND_CODE}/complaints/")
        mine = phone.locator("[data-complaint]")
        assert mine.count() == 1 and mine.get_attribute("data-status") == ComplaintStatus.ACKNOWLEDGED
        assert fits(phone)
        shot(phone, "demo15-9-portal-my-complaints")
    finally:
        phone.context.close()
