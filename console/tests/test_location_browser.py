"""Locating new addresses and finding orders by name and address, in Debian's chromium against a live server.

Screenshots land in test-artifacts/screenshots/geo-*.png for a person to look at.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from conftest import build_world
from core.browser import open_page, shot, sign_in
from customers.models import Customer
from customers.tests.factories import CustomerFactory, SiteFactory
from workorders.tests.factories import make_order
from workorders.tests.intake_setup import prepare_intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return prepare_intake(build_world())


def test_a_new_address_is_priced_from_its_district_and_a_pin_corrects_it(browser, live_server, world):
    page = open_page(browser, live_server)
    sign_in(page, "hotline")
    page.goto(f"{page.base}/console/hotline/?q=13700001234")
    page.wait_for_selector("#no-caller")
    page.fill("#id_new-name", "王小明")
    page.fill("#id_new-address", "西湖区文三路 100 号")
    page.select_option("#id_new-region", str(world.region.pk))
    page.click("#new-caller button[type=submit]")
    page.wait_for_selector("#caller .caller-h:text('王小明')")
    site = Customer.objects.get(name="王小明").sites.get()
    assert (site.geo_precision, site.geo_adcode) == ("district", "330106")
    assert page.locator(".site-location [data-precision=district]").inner_text() == "district centre"

    # An out-of-warranty purifier, so the caller pays the call-out fee: priced from the district's centre.
    page.click("summary:text('Register a product')")
    page.fill("#id_product-serial", "SN-GEO-0001")
    page.select_option("#id_product-product_model", str(world.model.pk))
    page.select_option("#id_product-site", str(site.pk))
    page.fill("#id_product-install_date", "2020-01-01")
    page.click("#add-product button[type=submit]")
    page.wait_for_selector("#callout-approximate")
    callout = page.locator("#estimate tr:has-text('Call-out fee')")
    assert re.fullmatch(r"Call-out fee, about 2\.\d km \(the address is located only roughly\)",
                        callout.locator("td").first.inner_text())
    assert "to be confirmed" not in page.locator("#estimate").inner_text()
    shot(page, "geo-1-hotline-district-estimate")

    # The agent opens the picker and drags the pin to the far west of the grid (about 9 km from the centre,
    # 12 km from the outlet, which is east of it).
    page.click(".site-pin summary")
    svg = page.locator(".pin-svg")
    svg.wait_for()
    box = svg.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.03, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    lat, lon = Decimal(page.input_value("[data-pin-lat]")), Decimal(page.input_value("[data-pin-lon]"))
    assert abs(lat - Decimal("30.259463")) < Decimal("0.002") and Decimal("120.02") < lon < Decimal("120.04")
    shot(page, "geo-2-pin-dragged")
    page.click("[data-pin-save]")
    page.wait_for_selector("#site-pinned")
    site.refresh_from_db()
    assert (site.geo_precision, site.geo_source, site.latitude) == ("pin", "pin", lat)
    assert page.locator(".site-location [data-precision=pin]").inner_text() == "pinned on the map"
    page.wait_for_selector("#estimate")
    line = page.locator("#estimate tr:has-text('Call-out fee')").locator("td")
    assert re.fullmatch(r"Call-out fee, 1\d\.\d km", line.first.inner_text())
    assert line.nth(3).inner_text() == "¥30.00"
    assert page.locator("#callout-approximate").count() == 0
    shot(page, "geo-3-pinned-estimate")


def test_an_address_that_cannot_be_located_is_to_be_confirmed_in_chinese(browser, live_server, world):
    world.region.name = "某区域"
    world.region.save()
    customer = CustomerFactory(brand=world.brand, name="赵无名", phone="+8613700009999")
    from accounts.principal import principal_of
    from customers.services import create_site, register_product

    site = create_site(actor=principal_of(world.hotline), customer=customer, name="家", address="幸福路 1 号",
                       region=world.region)
    assert site.latitude is None
    register_product(actor=principal_of(world.hotline), customer=customer, serial="SN-GEO-0002",
                     product_model=world.model, site=site, install_date=None, purchase_date=None)
    page = open_page(browser, live_server, locale="zh-CN")
    sign_in(page, "hotline")
    page.goto(f"{page.base}/console/hotline/callers/{customer.pk}/")
    page.wait_for_selector("#callout-to-confirm")
    row = page.locator("#estimate tr:has-text('上门费')").locator("td")
    assert row.first.inner_text() == "上门费：待确认（地址尚未定位）"
    assert row.nth(3).inner_text() == "待确认"
    assert "另加上门费（待确认）" in page.locator("#estimate-total").inner_text()
    assert page.locator(".site-location [data-precision='']").inner_text() == "未定位"
    shot(page, "geo-4-to-be-confirmed-zh")


def test_the_order_list_finds_orders_by_name_and_by_address(browser, live_server, world):
    zhang = CustomerFactory(brand=world.brand, name="张晓雯", phone="+8613800138000")
    home = SiteFactory(customer=zhang, address="杭州市西湖区文三路 90 号")
    mine = make_order(world, customer=zhang, product=None, site=home)
    make_order(world)  # someone else's
    page = open_page(browser, live_server)
    sign_in(page, "dispatcher")
    for query in ("张晓雯", "晓雯", "文三路"):
        page.goto(f"{page.base}/console/?q={query}")
        page.wait_for_selector("#order-table, .order-table, table")
        body = page.inner_text("main")
        assert mine.number in body, query
        assert page.locator(f"a[href='/console/orders/{mine.pk}/']").count() >= 1
    page.fill("#id_q", "")
    page.fill("#id_q", "晓雯")
    page.wait_for_function("document.querySelectorAll('table tbody tr').length === 1")
    assert mine.number in page.inner_text("main") and "1 order" in page.inner_text("main")
    shot(page, "geo-5-order-list-search")
