"""The console's complaints in Debian's chromium against a live server, in Chinese: a hotline agent files the
caller's complaint from the order's page and finds it on the complaints desk; the outlet's manager finds the
complaint's notices under the inbox's complaints tab and opens one. Screenshots in
test-artifacts/screenshots/console-complaint-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.principal import principal_of
from complaints import services, workflow
from complaints.models import Complaint
from conftest import build_world
from core import outbox
from core.browser import open_page, shot, sign_in
from notifications.tests.factories import make_notification
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    return build_world()


def desk_as(browser, live_server, username):
    page = open_page(browser, live_server, locale="zh-CN")
    sign_in(page, username)
    return page


def test_the_hotline_files_the_callers_complaint_from_the_order_and_finds_it_on_the_desk(world, browser,
                                                                                         live_server):
    order = make_order(world, status=Status.COMPLETED, symptom="净水器漏水")
    page = desk_as(browser, live_server, "hotline")
    page.goto(f"{page.base}/console/orders/{order.pk}/")
    page.click("#complaint-form-box summary")
    form = page.locator("#complaint-form")
    form.locator("select[name=complaint-category]").select_option("attitude")
    form.locator("select[name=complaint-severity]").select_option("high")
    form.locator("textarea[name=complaint-description]").fill("客户来电：师傅上门态度很差，还抽烟")
    assert form.is_visible()
    # The timeline's messages (a survey's long link) wrap inside their card: the page is no wider than the window
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "console-complaint-1-order-form-zh")

    form.locator("button[type=submit]").click()
    page.wait_for_selector("#complaint-detail")
    complaint = Complaint.objects.get()
    assert page.url == f"{page.base}/console/complaints/{complaint.pk}/"
    assert (complaint.channel, complaint.severity, complaint.category, complaint.opened_by_id) == (
        "hotline", "high", "attitude", world.hotline.pk)
    assert (complaint.work_order_id, complaint.outlet_id, complaint.technician_id) == (
        order.pk, world.outlet_a.pk, world.tech_a.pk)
    detail = page.locator("#complaint-detail").inner_text()
    assert complaint.number in detail and "客户来电：师傅上门态度很差，还抽烟" in detail and "热线" in detail
    assert page.locator("#complaint-status").inner_text() == "已受理"
    assert order.number in detail and "Outlet A" in detail
    # The verdict's remedies are tick boxes beside their words, not boxes as wide as a text field
    box = page.locator("form[data-action=resolve] input[name=remedies]").first.bounding_box()
    assert box["width"] < 30 and box["height"] < 30
    shot(page, "console-complaint-2-detail-zh")

    page.click("a.back")
    page.wait_for_selector("#complaint-results")
    row = page.locator(f"tr[data-complaint='{complaint.pk}']")
    assert complaint.number in row.inner_text() and "高" in row.inner_text() and "已受理" in row.inner_text()
    shot(page, "console-complaint-3-desk-zh")


def test_the_outlets_manager_finds_the_complaints_notices_under_their_tab(world, browser, live_server):
    order = make_order(world, status=Status.COMPLETED)
    complaint = services.open_complaint(actor=principal_of(world.customer.user), customer=world.customer,
                                        order=order, category="no_show", description="师傅迟到两小时")
    desk = principal_of(world.dispatcher)
    workflow.transition(complaint, "escalate", actor=desk)
    services.resolve_complaint(actor=desk, complaint=complaint, resolution="属实，已致歉", remedies=("apology",))
    late = make_order(world, status=Status.ASSIGNED)
    make_notification(world.manager_a, brand=world.brand, work_order=late, key="sla:late",
                      data={"clock": "onsite", "state": "breached", "due": late.onsite_due.isoformat()})
    outbox.deliver_due(now=timezone.now() + dt.timedelta(hours=1))

    page = desk_as(browser, live_server, "manager_a")
    page.goto(f"{page.base}/console/notifications/")
    chip = page.locator("#topics a[data-topic=complaint]")
    assert chip.inner_text().split() == ["投诉", "3"]
    chip.click()
    page.wait_for_url("**/console/notifications/?topic=complaint")
    listed = page.locator("#notifications .notification")
    assert listed.count() == 3
    text = page.locator("#notifications").inner_text()
    assert "投诉已受理" in text and "投诉已升级到您" in text and f"投诉 {complaint.number} 已处理：成立。" in text
    assert "超时" not in text and late.number not in text  # the SLA alert is under its own tab
    shot(page, "console-complaint-4-inbox-tab-zh")

    page.locator("#notifications .notification", has_text="投诉已升级到您").locator("button").click()
    page.wait_for_selector("#complaint-detail")
    assert page.url == f"{page.base}/console/complaints/{complaint.pk}/"
