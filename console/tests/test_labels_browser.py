"""A unit's QR label as staff print it, in a real browser (Debian's chromium): the code, the unit, the button.

Screenshot: test-artifacts/screenshots/label-*.png.
"""

from __future__ import annotations

import pytest

from conftest import build_world
from core.browser import open_page, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_dispatcher_prints_a_units_label_and_the_old_address_still_leads_there(browser, live_server):
    world = build_world()
    page = open_page(browser, live_server)
    sign_in(page, "dispatcher")
    page.goto(f"{page.base}/portal/labels/{world.product.pk}/")  # a bookmark of the page's old address
    page.wait_for_selector("#label svg")
    assert page.url == f"{page.base}/console/labels/{world.product.pk}/"
    label = page.locator("#label").inner_text()
    assert world.product.serial in label and world.product.product_model.name in label
    box = page.locator("#label svg").bounding_box()
    assert box and 140 <= box["width"] <= 160 and abs(box["width"] - box["height"]) < 1  # 40 mm square at 96 dpi
    assert page.locator("button[data-print]").is_visible()
    page.emulate_media(media="print")
    assert page.locator("button[data-print]").is_hidden()
    shot(page, "label-1-print")
