"""The electronic warranty card end to end in chromium (issue 13, item 8): a customer on a phone registers a
unit the brand has not seen, with its invoice photo; brand staff approve it in the console; the customer sees
the warranty. Screenshots in test-artifacts/screenshots/warranty-card-*.png.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from conftest import build_world
from core.browser import PHONE, open_page, shot, sign_in
from customers.models import InstalledProduct, WarrantyCardPolicy
from portal.tests.test_browser import fits_the_phone, sign_in_by_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    return build_world()


@pytest.fixture
def phone_page(browser, live_server, ready, sms):
    pages = []

    def make(locale="zh-CN"):
        page = open_page(browser, live_server, locale=locale, viewport=PHONE, has_touch=True, is_mobile=True)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()


@pytest.fixture
def invoice(tmp_path) -> str:
    path = tmp_path / "fapiao.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (235, 230, 220)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_a_customer_registers_a_new_purchase_and_the_brand_approves_its_card(phone_page, ready, invoice, browser,
                                                                            live_server):
    ready.model.serial_pattern = r"AQRO\d{6}"
    ready.model.save()
    WarrantyCardPolicy.objects.create(brand=ready.brand, review_required=True)
    bought = timezone.localdate() - dt.timedelta(days=12)

    page = phone_page()
    sign_in_by_code(page, "13900000001")
    page.goto(page.base + "/portal/acme/products/add/")
    page.fill("#id_serial", "aqro000123")
    page.click("form:has(#id_serial) button[type=submit]")

    # Unknown to the brand: the warranty card opens with the model read from the serial's pattern.
    page.wait_for_selector("#warranty-card-form")
    assert page.input_value("#id_serial") == "AQRO000123"
    assert page.input_value("#id_product_model") == str(ready.model.pk)
    page.fill("#id_purchase_date", (timezone.localdate() + dt.timedelta(days=3)).isoformat())
    page.fill("#id_purchased_from", "京东自营旗舰店")
    page.set_input_files("#id_invoice", invoice)
    page.click("#warranty-card-form button[type=submit]")
    page.wait_for_selector("#error-purchase_date")  # a date in the future is refused beside its field
    assert not InstalledProduct.objects.filter(serial="AQRO000123").exists()
    page.fill("#id_purchase_date", bought.isoformat())
    page.set_input_files("#id_invoice", invoice)  # a refused form does not keep the file
    fits_the_phone(page)
    shot(page, "warranty-card-1-form")
    page.click("#warranty-card-form button[type=submit]")

    page.wait_for_selector("#warranty[data-card=pending]")
    unit = InstalledProduct.objects.get(serial="AQRO000123")
    assert (unit.customer_id, unit.product_model_id, unit.purchase_date) == (ready.customer.pk, ready.model.pk, None)
    assert "保修卡审核中" in page.inner_text("#warranty")
    fits_the_phone(page)
    shot(page, "warranty-card-2-pending")

    # The hotline agent reviews it in the console: the invoice is there; approve.
    desk = open_page(browser, live_server, locale="zh-CN")
    sign_in(desk, "hotline")
    desk.click("a[data-nav=cards]")
    row = desk.locator(f"tr[data-card='{unit.warranty_card.pk}']")
    row.wait_for()
    assert "京东自营旗舰店" in row.inner_text()
    desk.wait_for_function("document.querySelector('img.invoice-thumb').naturalWidth > 0")
    shot(desk, "warranty-card-3-console-review")
    row.locator("button[value=approve]").click()
    desk.wait_for_selector("#reviewed")
    shot(desk, "warranty-card-4-approved")
    desk.context.close()

    unit.refresh_from_db()
    assert unit.purchase_date == bought and unit.warranty_end is not None
    page.reload()
    page.wait_for_selector("#warranty[data-card=approved]")
    assert page.locator("#warranty").inner_text().startswith("在保")
    shot(page, "warranty-card-5-in-warranty")
