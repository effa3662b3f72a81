"""Mail-in at the hotline desk in a real browser (Debian's chromium, a live server, the site's own
Content-Security-Policy): the caller's address is covered by no outlet, the repair's preview offers mail-in
instead, one tap switches the service and shows the courier's pickup windows, the agent picks one and books it.

Screenshots land in test-artifacts/screenshots/hotline-mail-in-*.png for a person to look at.
"""

from __future__ import annotations

import re

import pytest

from conftest import build_world
from core.browser import open_page, shot, sign_in
from logistics.models import MailIn
from logistics.tests.setup import prepare_mail_in
from workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PREVIEW = re.compile(r"/console/hotline/callers/\d+/preview/")


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = prepare_mail_in(build_world())
    w.region.outlets.clear()  # no outlet covers the caller's address
    return w


def test_an_agent_switches_an_unserved_caller_to_mail_in_and_books_a_pickup_window(browser, live_server, world):
    page = open_page(browser, live_server, bypass_csp=False)
    said: list[str] = []
    page.on("console", lambda m: said.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: said.append(f"pageerror: {e}"))
    sign_in(page, "hotline")
    page.goto(f"{page.base}/console/hotline/callers/{world.customer.pk}/")
    page.wait_for_selector("#caller[data-customer]")

    # A repair is asked for: no outlet covers the address, so the preview offers mail-in instead.
    with page.expect_response(PREVIEW):
        page.select_option("#id_request-symptom_code", "leak")
    offer = page.locator("#mail-in-instead")
    offer.wait_for()
    assert "No service outlet covers this address. A courier can collect the unit for repair at our repair centre " \
           "instead." in offer.inner_text()
    assert page.locator("#slot-picker input[type=radio]").count() == 0
    shot(page, "hotline-mail-in-1-offered-instead")

    # One tap: the service becomes mail-in and the courier's pickup windows appear, the first picked.
    with page.expect_response(PREVIEW):
        page.click("#switch-to-mail-in")
    page.wait_for_selector("#slot-picker .pickup-windows")
    assert page.input_value("#id_request-service_type") == "mail_in"
    assert page.locator("#mail-in-instead").count() == 0
    assert page.locator("#slot-picker legend").inner_text() == "Courier pickup window"
    windows = page.locator("#slot-picker .pickup-windows input[type=radio]")
    assert windows.count() > 2 and windows.first.is_checked()
    assert "Courier, both ways" in page.locator("#estimate").inner_text()
    shot(page, "hotline-mail-in-2-pickup-windows")

    # The agent picks the third window and creates the order.
    picked = windows.nth(2).get_attribute("value")
    windows.nth(2).check()
    page.fill("#id_request-description", "滤芯处漏水")
    page.click("#create-order")
    page.wait_for_selector("#order-created")
    order = WorkOrder.objects.get()
    assert (order.type, order.channel, order.outlet_id) == ("mail_in", "hotline", world.centre.pk)
    start, end = picked.split("|")
    assert (order.slot_start.isoformat(), order.slot_end.isoformat()) == (start, end)
    assert MailIn.objects.get(work_order=order).pickup_start == order.slot_start
    assert order.number in page.locator("#order-created").inner_text()
    shot(page, "hotline-mail-in-3-booked")
    assert said == []
