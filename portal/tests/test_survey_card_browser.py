"""The portal order page's survey card in a real browser (Debian's chromium) on a phone: after completion it
links to the survey, after the answer it thanks (and says the desk will call when the answer was bad); when the
desk then has the job done again (返修), the order links to its rework and back. In Chinese and in English.
Screenshots in test-artifacts/screenshots/rework-*.png.
"""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.principal import principal_of
from conftest import build_world
from core.browser import PHONE, open_page, shot
from feedback import desk, surveys
from feedback.choices import CallbackStatus, Decision
from feedback.models import Callback, Rating, Survey, SurveyPolicy
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    world = build_world()
    SurveyPolicy.objects.create(brand=world.brand, sample_percent=0, sample_premium=False)
    return world


def customer_phone(browser, live_server, user, locale: str):
    client = Client()
    client.force_login(user)
    page = open_page(browser, live_server, locale=locale, viewport=PHONE, has_touch=True, is_mobile=True)
    page.context.add_cookies([
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
        {"name": "django_language", "value": "zh-hans" if locale.startswith("zh") else "en", "url": live_server.url},
    ])
    return page


def completed_with_survey(world, symptom: str) -> WorkOrder:
    order = make_order(world, status=Status.COMPLETED, symptom=symptom)
    surveys.send_survey(order_id=order.pk)  # the outbox's sink may have sent it already: once either way
    assert Survey.objects.filter(work_order=order, answered_at__isnull=True).count() == 1
    return order


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_survey_card_in_chinese_links_thanks_and_follows_the_rework(browser, live_server, world):
    order = completed_with_survey(world, "净水器出水有异味")
    phone = customer_phone(browser, live_server, world.customer.user, "zh-CN")
    page_url = f"{phone.base}/portal/acme/orders/{order.pk}/"

    phone.goto(page_url)
    card = phone.locator("#survey")
    assert card.locator("h2").inner_text() == "关于这次上门的几个问题"
    assert phone.locator("#survey-link").inner_text() == "填写回访问卷"
    assert fits(phone)
    shot(phone, "rework-1-survey-card-zh")

    phone.click("#survey-link")
    assert phone.locator("h1").first.inner_text() == "这次服务怎么样？"
    phone.click("label[for=overall-2]")
    phone.click("label[for=solved-no]")
    phone.fill("#comment", "换完滤芯还是有异味")
    phone.click("#survey-form button[type=submit]")
    phone.wait_for_selector("#survey-thanks")
    shot(phone, "rework-2-survey-thanks-zh")

    phone.goto(page_url)
    card = phone.locator("#survey")
    assert card.get_attribute("data-state") == "answered"
    assert card.locator("h2").inner_text() == "谢谢，我们已收到您的回答"
    assert "客服会尽快给您打电话" in card.inner_text()
    assert phone.locator("#survey-link").count() == 0
    assert phone.locator("#rating .shown-stars").get_attribute("aria-label") == "2 / 5"
    assert fits(phone)
    shot(phone, "rework-3-survey-answered-zh")
    assert Rating.objects.get(work_order=order).score == 2

    # The callback desk's review sends the job back to outlet B: a new order, linked both ways
    callback = Callback.objects.get(work_order=order)
    assert callback.status == CallbackStatus.REVIEW
    desk.decide(callback=callback, actor=principal_of(world.hotline), decision=Decision.REWORK,
                outlet=world.outlet_b, reason="换滤芯后仍有异味")
    rework = WorkOrder.objects.get(rework_of=order)
    phone.goto(page_url)
    note = phone.locator("#reworked-as")
    assert "我们正在为您重新处理" in note.inner_text() and rework.number in note.inner_text()
    assert f"我们将重新为您处理：工单 {rework.number}" in phone.inner_text("#events")
    assert phone.locator("#order-status").inner_text() == "已关闭"  # the original is not reopened: it closed
    assert phone.locator("#survey").get_attribute("data-state") == "answered"
    shot(phone, "rework-4-original-reworked-zh")

    note.locator("a").click()
    phone.wait_for_selector("#rework-of")
    assert order.number in phone.inner_text("#rework-of")
    assert phone.locator("#survey").count() == 0  # nothing to ask about a job not done yet
    assert fits(phone)
    shot(phone, "rework-5-rework-order-zh")
    phone.context.close()


def test_the_survey_card_in_english_links_then_thanks(browser, live_server, world):
    order = completed_with_survey(world, "No water comes out")
    phone = customer_phone(browser, live_server, world.customer.user, "en-US")
    page_url = f"{phone.base}/portal/acme/orders/{order.pk}/"

    phone.goto(page_url)
    card = phone.locator("#survey")
    assert card.locator("h2").inner_text() == "A few questions about the visit"
    assert phone.locator("#survey-link").inner_text() == "Answer the survey"
    assert fits(phone)
    shot(phone, "rework-6-survey-card-en")

    phone.click("#survey-link")
    assert phone.locator("h1").first.inner_text() == "How did we do?"
    phone.click("label[for=overall-5]")
    phone.click("label[for=solved-yes]")
    phone.click("#survey-form button[type=submit]")
    phone.wait_for_selector("#survey-thanks")

    phone.goto(page_url)
    card = phone.locator("#survey")
    assert card.locator("h2").inner_text() == "Thank you, we have your answers"
    assert "Thank you for helping us do better." in card.inner_text()
    assert "call you" not in card.inner_text()
    assert fits(phone)
    shot(phone, "rework-7-survey-answered-en")
    phone.context.close()
    assert not Callback.objects.filter(work_order=order).exists()
