"""The callback loop in Debian's chromium against a live server: the customer opens the survey link of their
message on a phone (Chinese), rates the repair 2★ "not solved"; the callback desk reviews it and reopens the order
as rework to another outlet. Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import pytest

from conftest import build_world
from core.browser import PHONE, open_page, shot, sign_in
from feedback import surveys
from feedback.choices import CallbackStatus
from feedback.models import Callback, SurveyPolicy
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    return build_world()


def test_two_stars_not_solved_goes_to_review_and_is_reopened_as_rework_elsewhere(browser, live_server, world):
    SurveyPolicy.objects.create(brand=world.brand, sample_percent=0, sample_premium=False)
    order = make_order(world, status=Status.COMPLETED, symptom="净水器出水有异味")
    survey = surveys.send_survey(order_id=order.pk)
    link = surveys.link_for(survey)
    path = "/" + link.split("/", 3)[3]

    phone = open_page(browser, live_server, locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
    phone.goto(phone.base + path)
    assert phone.locator("h1").first.inner_text() == "这次服务怎么样？"
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.click("label[for=overall-2]")
    phone.click("label[for=solved-no]")
    phone.click("label[for=on_time-yes]")
    phone.fill("#comment", "换完滤芯还是有异味")
    shot(phone, "callbacks-survey-filled-zh")
    phone.click("#survey-form button[type=submit]")
    phone.wait_for_selector("#survey-thanks")
    assert "客服会尽快给您打电话" in phone.inner_text("#survey-thanks")
    shot(phone, "callbacks-survey-thanks-zh")
    phone.goto(phone.base + path)  # the link is spent
    assert phone.locator("#survey-refused").get_attribute("data-code") == "survey_answered"
    shot(phone, "callbacks-survey-used-zh")
    phone.context.close()

    callback = Callback.objects.get(work_order=order)
    assert (callback.status, callback.reason) == (CallbackStatus.REVIEW, "not_solved")
    desk = open_page(browser, live_server)
    sign_in(desk, "hotline")
    desk.goto(desk.base + "/console/callbacks/?status=review")
    card = desk.locator(f"[data-callback='{callback.pk}']")
    assert card.locator("[data-solved]").get_attribute("data-solved") == "no"
    assert card.locator("[data-overall]").get_attribute("data-overall") == "2"
    shot(desk, "callbacks-desk-review-en")
    form = card.locator("form.decision-form")
    form.locator("select[name=decision]").select_option("rework")
    form.locator("select[name=outlet]").select_option(label="Outlet B")
    form.locator("input[name=reason]").fill("Still smells after the filter change")
    form.locator("button[type=submit]").click()
    desk.wait_for_selector("#callback-done")
    rework = WorkOrder.objects.get(rework_of=order)
    assert f"Rework order {rework.number} is with Outlet B." in desk.inner_text("#callback-done")
    shot(desk, "callbacks-desk-reworked-en")
    desk.context.close()

    assert (rework.status, rework.outlet_id, rework.is_rework) == (Status.ASSIGNED, world.outlet_b.pk, True)
    assert WorkOrder.objects.get(pk=order.pk).status == Status.CLOSED
