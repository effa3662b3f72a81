"""Extended warranty in a real browser: the hotline sells it for a caller's unit out of its base warranty, then
the unit's next order reads covered by the extended warranty (screenshots warranty-*.png)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from conftest import build_world
from core.browser import open_page, shot, sign_in
from pricing.models import ExtendedWarranty
from pricing.tests.factories import ExtensionTermFactory, PriceListFactory, TermPriceFactory
from workorders.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    w = build_world()
    today = timezone.localdate()
    price_list = PriceListFactory(brand=w.brand, valid_from=today - dt.timedelta(days=800))
    w.term = ExtensionTermFactory(brand=w.brand, category=w.category, name="净水器延保两年",
                                  name_en="Purifier extended warranty, 2 years", months=24, months_after_expiry=12)
    TermPriceFactory(term=w.term, price_list=price_list, amount="349.00")
    # RO-500's 12 months ended about two months ago.
    w.product.purchase_date = w.product.install_date = today - dt.timedelta(days=430)
    w.product.save()
    return w


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_hotline_sells_it_and_the_next_order_reads_covered(browser, live_server, world, locale):
    page = open_page(browser, live_server, locale=locale)
    sign_in(page, "hotline")
    page.goto(f"{page.base}/console/hotline/callers/{world.customer.pk}/")
    page.click(f"a.sell-warranty[data-serial='{world.product.serial}']")
    page.wait_for_url(re.compile(r"/warranty/$"))
    back = {"en-US": f"← Back to {world.customer.name}", "zh-CN": f"← 返回{world.customer.name}"}[locale]
    assert page.locator(".page-head a.back").inner_text().strip() == back
    page.check(f"label.offer[data-term='{world.term.pk}'] input")
    shot(page, f"warranty-1-offers-{locale}")
    page.click("#sell-warranty-form button[type=submit]")
    page.wait_for_selector("#warranty-sold")
    sold = ExtendedWarranty.objects.get()
    assert (sold.sold_via, str(sold.price), sold.starts_on) == ("hotline", "349.00", timezone.localdate())
    assert page.locator("#warranty-verdict").get_attribute("data-code") == "extended_warranty"
    shot(page, f"warranty-2-sold-{locale}")

    order = make_order(world)
    page.goto(f"{page.base}/console/orders/{order.pk}/")
    tag = page.locator("#order-extended-warranty")
    until = sold.ends_on.isoformat()
    reason = (f"Covered by extended warranty until {until}" if locale == "en-US" else f"延保期内，保修至 {until}")
    assert tag.get_attribute("title") == reason
    assert tag.inner_text() == ("Extended warranty" if locale == "en-US" else "延保")
    shot(page, f"warranty-3-order-covered-{locale}")
