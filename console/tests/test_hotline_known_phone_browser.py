"""The hotline desk in a real browser: a "new" caller whose phone the brand knows is offered the existing
customer instead of silently becoming a second record (issue 13, item 7).

Screenshots land in test-artifacts/screenshots/hotline-known-phone-*.png for a person to look at.
"""

from __future__ import annotations

import re

import pytest

from conftest import build_world
from core.browser import open_page, shot, sign_in
from customers.models import Customer
from customers.tests.factories import CustomerFactory, SiteFactory
from workorders.tests.intake_setup import prepare_intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return prepare_intake(build_world())


def test_a_new_caller_with_a_known_phone_is_offered_the_existing_customer(browser, live_server, world):
    zhang = CustomerFactory(brand=world.brand, name="张晓雯", phone="+8613800138000")
    SiteFactory(customer=zhang, address="杭州市西湖区文三路 90 号")
    page = open_page(browser, live_server, locale="zh-CN")
    said: list[str] = []
    page.on("console", lambda m: said.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: said.append(f"pageerror: {e}"))
    sign_in(page, "hotline")
    page.goto(f"{page.base}/console/hotline/")

    # The agent goes straight to "new customer" and types the caller's details.
    page.click("summary.new-caller-summary, .new-caller-card summary")
    page.fill("#id_new-name", "张小姐")
    page.fill("#id_new-phone", "138 0013 8000")
    # Said as soon as the number is typed, before the rest of the form.
    page.wait_for_selector(f"#known-phone-live [data-known='{zhang.pk}']")
    shot(page, "hotline-known-phone-0-while-typing")
    page.fill("#id_new-address", "西湖区文三路 100 号")
    page.select_option("#id_new-region", str(world.region.pk))
    page.click("#new-caller button[type=submit]")

    # Refused with a warning that names the existing customer and offers her; nothing was created.
    warning = page.locator("#known-phone")
    warning.wait_for()
    assert "张晓雯" in warning.inner_text() and "+8613800138000" in warning.inner_text()
    assert Customer.objects.filter(brand=world.brand, phone="+8613800138000").count() == 1
    shot(page, "hotline-known-phone-1-warning")

    # Taking the offer opens 张晓雯's panel: the call goes on the record the portal signs her into.
    page.click("#open-known")
    page.wait_for_url(re.compile(rf"/console/hotline/callers/{zhang.pk}/$"))
    page.wait_for_selector(f"#caller[data-customer='{zhang.pk}']")
    assert "张晓雯" in page.locator("#caller .caller-h").inner_text()
    shot(page, "hotline-known-phone-2-existing-opened")
    assert Customer.objects.filter(brand=world.brand, phone="+8613800138000").count() == 1
    # The 409 is the desk's answer, not a fault: nothing else in the browser's console.
    assert [m for m in said if "409" not in m] == []


def test_a_second_record_is_made_only_with_the_agents_reason(browser, live_server, world):
    CustomerFactory(brand=world.brand, name="张晓雯", phone="+8613800138000")
    page = open_page(browser, live_server)
    sign_in(page, "hotline")
    page.goto(f"{page.base}/console/hotline/?q=13800138001")
    page.wait_for_selector("#no-caller")
    page.fill("#id_new-name", "Tenant Li")
    page.fill("#id_new-phone", "13800138000")
    page.fill("#id_new-address", "西湖区文三路 100 号")
    page.select_option("#id_new-region", str(world.region.pk))
    page.click("#new-caller button[type=submit]")
    page.wait_for_selector("#known-phone")

    page.fill("#id_new-duplicate_reason", "A tenant using the landlord's landline")
    page.click("#new-caller button[type=submit]")
    page.wait_for_selector("#caller .caller-h:text('Tenant Li')")
    twin = Customer.objects.get(name="Tenant Li")
    assert (twin.phone, twin.duplicate_reason) == ("+8613800138000", "A tenant using the landlord's landline")
    shot(page, "hotline-known-phone-3-second-record")
