"""Sales on site in a real browser (Debian's chromium) against a live server: the technician records a lead
on a phone with the customer's consent, the brand's desk marks it won in the console (htmx, no reload), and
the technician's earnings page shows the commission. Screenshots: test-artifacts/screenshots/revenue-*.png."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from conftest import build_world
from core.browser import PHONE, open_page, shot, sign_in
from revenue.models import Commission, Lead
from revenue.tests.factories import RuleFactory
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_lead_from_a_phone_to_the_desk_and_back_as_earnings(browser, live_server):
    world = build_world()
    RuleFactory(brand=world.brand, kind="extended_warranty", queue="brand", percent=Decimal("8.00"),
                fixed_amount=Decimal("20.00"))
    order = make_order(world, status=Status.ON_SITE)

    # 1. On site, on a phone in Chinese: the technician offers extended warranty and the customer agrees.
    phone = open_page(browser, live_server, locale="zh-CN", viewport=PHONE)
    sign_in(phone, "tech_a")
    phone.goto(f"{phone.base}/field/jobs/{order.pk}/")
    if phone.locator("button[data-lang=zh-hans]").count():
        phone.click("button[data-lang=zh-hans]")
        phone.wait_for_selector("button[data-lang=en]")
    phone.click("a[data-action=new-lead]")
    phone.wait_for_selector("#lead-form")
    first_words = phone.inner_text("#consent-wording")
    phone.check("input[name=kind][value=extended_warranty]")
    words = phone.inner_text("#consent-wording")
    assert words != first_words and "延保" in words and "Acme" in words
    phone.click("#lead-form button[type=submit]")  # the box is not ticked yet
    phone.wait_for_selector(".field-error")
    assert "须经客户同意" in phone.inner_text("#lead-form")
    assert no_sideways_scroll(phone)
    shot(phone, "revenue-1-lead-refused-without-consent")
    assert Lead.objects.count() == 0
    phone.fill("#id_note", "客户对三年延保感兴趣，晚上七点后方便接电话")
    phone.check("#id_consent")
    shot(phone, "revenue-2-lead-form")
    phone.click("#lead-form button[type=submit]")
    phone.wait_for_url(re.compile(r"/field/earnings/\?recorded=1$"))
    lead = Lead.objects.get()
    assert (lead.kind, lead.queue, lead.consent_language) == ("extended_warranty", "brand", "zh-hans")
    assert lead.consent_text == " ".join(words.split())
    assert "跟进中" in phone.inner_text("#earnings-page")

    # 2. The brand's desk, in English: the queue filtered by kind with htmx, then the lead marked won.
    desk = open_page(browser, live_server)
    sign_in(desk, "hotline")
    desk.goto(f"{desk.base}/console/leads/")
    desk.evaluate("window.__noReload = true")
    desk.select_option("#id_kind", "trade_in")
    desk.wait_for_selector("#lead-results .empty")
    desk.select_option("#id_kind", "extended_warranty")
    desk.wait_for_selector(f"tr[data-lead='{lead.pk}']")
    assert "kind=extended_warranty" in desk.url
    shot(desk, "revenue-3-desk-queue")
    desk.click(f"tr[data-lead='{lead.pk}'] td a >> nth=0")
    desk.wait_for_selector("#lead-detail")
    desk.evaluate("window.__noReload = true")
    desk.fill("#id_win_value", "12.345")
    desk.click("form[data-action=win] button")
    desk.wait_for_selector("form[data-action=win] .field-error")
    assert desk.evaluate("window.__noReload === true")
    assert Lead.objects.get().status == "new"
    desk.fill("#id_win_value", "1280.00")
    desk.click("form[data-action=win] button")
    desk.wait_for_selector("#lead-commission")
    assert desk.inner_text("#lead-commission") == "¥122.40"
    assert desk.evaluate("window.__noReload === true")
    shot(desk, "revenue-4-desk-won")
    assert Commission.objects.get().amount == Decimal("122.40")

    # 3. Back on the phone: this month's earnings show it, per lead.
    phone.goto(f"{phone.base}/field/")
    phone.click("nav.tabs a[data-tab=earnings]")
    phone.wait_for_selector("nav.tabs a[data-tab=earnings][aria-current=page]")
    assert "¥122.40" in phone.inner_text("#earn-this-month")
    assert "¥122.40" in phone.inner_text(f"#earn-per-lead li[data-lead='{lead.pk}']")
    assert no_sideways_scroll(phone)
    shot(phone, "revenue-5-earnings")
