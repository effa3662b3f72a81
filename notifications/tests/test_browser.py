"""SLA marks and notifications in a real browser (Debian's chromium) against a live server.

Screenshots land in test-artifacts/screenshots/sla-*.png for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db.models import F
from django.utils import timezone

from accounts.principal import principal_of
from conftest import build_world
from core.browser import PHONE, open_page, shot, sign_in
from workorders import workflow
from workorders.choices import HoldReason, Status
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.sla_watch import sweep
from workorders.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(transactional_db):
    world = build_world()
    late = make_order(world, status=Status.DISPATCHED)
    soon = make_order(world, status=Status.ACCEPTED)
    paused = make_order(world, status=Status.ACCEPTED)
    # Opened four hours ago, so the pauses below come after everything on their timelines.
    now = timezone.now()
    WorkOrder.objects.update(created_at=F("created_at") - dt.timedelta(hours=4))
    WorkOrderEvent.objects.update(created_at=F("created_at") - dt.timedelta(hours=4))
    paused.refresh_from_db()
    tech = principal_of(world.tech_a.user)
    paused = workflow.transition(paused, "hold", actor=tech, reason="not home", now=now - dt.timedelta(hours=3),
                                 hold_reason=HoldReason.WAITING_CUSTOMER)
    paused = workflow.transition(paused, "resume", actor=tech, now=now - dt.timedelta(hours=2))
    workflow.transition(paused, "hold", actor=tech, reason="call back at 5", now=now - dt.timedelta(minutes=45),
                        hold_reason=HoldReason.WAITING_CUSTOMER)
    WorkOrder.objects.filter(pk=late.pk).update(onsite_due=now - dt.timedelta(minutes=20),
                                                response_due=now - dt.timedelta(hours=3))
    WorkOrder.objects.filter(pk=soon.pk).update(onsite_due=now + dt.timedelta(minutes=50))
    assert sweep(now=timezone.now()) == {"onsite_breached": 1, "response_breached": 1, "onsite_at_risk": 1}
    return world, late, soon, paused


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_dispatcher_sees_the_marks_the_badge_and_opens_a_notification(browser, live_server, scene):
    world, late, soon, paused = scene
    page = open_page(browser, live_server)
    sign_in(page, "dispatcher")
    page.goto(page.base + "/console/")

    assert page.text_content("a[data-nav=notifications] .nav-count") == "3"
    row = page.locator("tr", has=page.locator(f"a[href='/console/orders/{paused.pk}/']"))
    assert "Paused" in row.text_content() and "paused 1 h" in row.text_content()
    shot(page, "sla-order-list")

    page.click("a[data-nav=notifications]")
    page.wait_for_url(re.compile(r"/notifications/$"))
    assert page.locator(".notification.is-unread").count() == 3
    assert "On-site deadline missed" in page.text_content("#notifications")
    shot(page, "sla-notifications")

    page.locator(f".notification[data-key='sla:{late.pk}:onsite:breached'] button").click()
    page.wait_for_url(re.compile(rf"/console/orders/{late.pk}/$"))
    timeline = page.text_content("#order-timeline")
    assert "On-site deadline missed" in timeline and "Response deadline missed" in timeline
    assert page.text_content("a[data-nav=notifications] .nav-count") == "2"
    shot(page, "sla-order-detail-breached")

    page.goto(page.base + f"/console/orders/{paused.pk}/")
    assert "paused now: waiting for the customer" in page.text_content("#sla-paused")
    assert page.text_content("#sla-paused").strip().startswith("1 h 4")  # 60 min ended + ~45 min running
    shot(page, "sla-order-detail-paused")


def test_the_notifications_page_on_a_phone_in_chinese(browser, live_server, scene):
    page = open_page(browser, live_server, locale="zh-CN", viewport=PHONE)
    sign_in(page, "dispatcher")
    page.goto(page.base + "/notifications/")
    assert "上门已超时" in page.text_content("#notifications")
    assert no_sideways_scroll(page)
    shot(page, "sla-notifications-phone-zh")
    page.click("form[action='/notifications/read/'] button")
    page.wait_for_load_state()
    assert page.locator(".notification.is-unread").count() == 0
    assert page.locator("a[data-nav=notifications] .nav-count").count() == 0
