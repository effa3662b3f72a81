"""The demo as `make run` loads it, walked as `dispatcher` (issue 13, items 3-6 and 15): the default board (no day
or region asked for) is a day and region where someone can still take work; a queued job has candidates; no
technician is drawn off while booked; optimise and apply, and every job is drawn inside the timeline; the
slots offered for a Hangzhou product can be staffed. Screenshots: test-artifacts/screenshots/dispatch-demo-*.png.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from console.tests.test_dispatch_board_plan_browser import inside
from core.browser import open_page, shot, sign_in
from demo import data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_demo_board_as_the_dispatcher_sees_it(browser, live_server, small_demo):
    from customers.models import InstalledProduct
    from dispatch.selectors import offer_slots

    small_demo()  # a copy of the session's load at the real time when that was lately (demo/tests/snapshot.py)
    page = open_page(browser, live_server, locale="zh-CN")
    sign_in(page, "dispatcher", data.PASSWORD)
    page.goto(f"{page.base}/console/dispatch/")
    page.wait_for_selector("#board .dlane")
    query = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
    assert set(query) >= {"date", "region"} and page.input_value("#id_region") == query["region"]
    shot(page, "dispatch-demo-1-default-board")
    # Nobody is drawn off while holding jobs that day.
    for lane in page.locator("#board .dlane.is-off").all():
        assert lane.locator(".djob").count() == 0, lane.inner_text()
    # A queued job has someone who can take it.
    cards = page.locator("#board .dqueue-item")
    assert cards.count() > 0
    found = False
    for k in range(cards.count()):
        card = cards.nth(k)
        card.locator(".dqueue-pick").click()
        # The panel of this very order: a panel still showing the previous card's answer says nothing of this one.
        panel = page.locator(f'#dispatch-panel.dcands[data-order="{card.get_attribute("data-order")}"]')
        panel.wait_for()
        if panel.locator(".dcand").count():
            found = True
            break
    assert found, "no queued job of the default day has a candidate"
    shot(page, "dispatch-demo-2-candidates")
    page.click("[data-close-panel]")
    page.click("#optimise")
    page.locator("#dispatch-panel.dplan").wait_for(timeout=60_000)
    shot(page, "dispatch-demo-3-plan")
    page.click("#apply-plan")
    page.wait_for_selector("#board-message, #board-error")
    assert page.locator("#board-message").count() == 1, page.inner_text("#board")
    assert all(inside(page, j) for j in page.locator("#board .djob").all())
    shot(page, "dispatch-demo-4-applied")
    # The Hangzhou customers are offered only windows someone can staff.
    product = InstalledProduct.objects.filter(site__region__code="hangzhou", site__latitude__isnull=False) \
        .select_related("product_model__category", "site").first()
    assert offer_slots(product=product, service_type="repair")
