"""The portal on a phone (390 px, Chinese for most, one in English) in Debian's chromium, against a live
server and a real database: sign in with a texted code, register by QR link, report a fault and see the
estimate, pick a slot, track (updated without reload), cancel. Screenshots in test-artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from PIL import Image

from accounts.principal import principal_of
from conftest import build_world
from core.browser import PHONE, SHOTS, open_page, shot
from core.sms import MemoryBackend
from customers.models import Customer
from customers.tests.factories import InstalledProductFactory
from portal.tests.conftest import CODE
from workorders import workflow
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    return build_world()


@pytest.fixture
def phone_page(browser, live_server, ready, sms, settings):
    settings.PORTAL_POLL_SECONDS = 1
    pages = []

    def make(locale="zh-CN"):
        page = open_page(browser, live_server, locale=locale, viewport=PHONE, has_touch=True, is_mobile=True)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()


def fits_the_phone(page) -> None:
    """No sideways scroll, and every button and link-button is a thumb's size."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    small = page.evaluate("""[...document.querySelectorAll('.btn, .choice, .chip')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.textContent.trim(), e.getBoundingClientRect().height])
        .filter(([t, h]) => h < 36)""")
    assert small == [], small


def sign_in_by_code(page, phone: str, *, start: str | None = None) -> None:
    if start is None:
        page.goto(page.base + "/portal/acme/login/")
    page.fill("#id_phone", phone)
    page.click("button[value=send]")
    page.wait_for_selector("#id_code")
    code = CODE.search(MemoryBackend.outbox[-1].text).group(1)
    page.fill("#id_code", code)
    page.click("button[value=verify]")
    page.wait_for_load_state()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (200, 80, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_sign_in_with_a_texted_code(phone_page, ready):
    page = phone_page()
    page.goto(page.base + "/portal/acme/login/")
    assert page.locator("h1").inner_text() == "登录"
    assert page.locator(".bar-brand").inner_text() == "Acme"
    fits_the_phone(page)
    shot(page, "portal-1-login")
    page.fill("#id_phone", "139 0000 0001")
    page.click("button[value=send]")
    page.wait_for_selector("#id_code")
    assert "139****0001" in page.locator(".note-success").inner_text()
    text = MemoryBackend.outbox[-1]
    assert text.phone == "+8613900000001" and "验证码" in text.text
    # A wrong code first: a message beside the field, still on the code step.
    page.fill("#id_code", "000000" if "000000" not in text.text else "111111")
    page.click("button[value=verify]")
    page.wait_for_selector("#error-code")
    assert "还可以再试 4 次" in page.locator("#error-code").inner_text()
    fits_the_phone(page)
    shot(page, "portal-2-code")
    page.fill("#id_code", CODE.search(text.text).group(1))
    page.click("button[value=verify]")
    page.wait_for_url(page.base + "/portal/acme/")
    assert "SN-A-0001" in page.locator("#my-products").inner_text()
    assert "在保" in page.locator("#my-products").inner_text()
    fits_the_phone(page)
    shot(page, "portal-3-home")


def test_register_a_product_by_its_qr_link(phone_page, ready):
    twin = Customer.objects.create(brand=ready.brand, name="安装时登记", phone=ready.customer.phone,
                                   duplicate_reason="Entered by the installer")
    unit = InstalledProductFactory(customer=twin, brand=ready.brand, product_model=ready.model, serial="SN-QR-0042")
    page = phone_page()
    page.goto(f"{page.base}/portal/acme/q/{unit.qr_token}/")
    assert "/portal/acme/login/?next=" in page.url
    sign_in_by_code(page, "13900000001", start="here")
    page.wait_for_selector("text=把这台产品添加到您的账户？")
    assert "SN-QR-0042" in page.content()
    fits_the_phone(page)
    shot(page, "portal-4-qr-add")
    page.click("button:has-text('添加到我的产品')")
    page.wait_for_url(f"{page.base}/portal/acme/products/{unit.pk}/")
    assert page.locator("#warranty").inner_text().startswith("在保")
    fits_the_phone(page)
    shot(page, "portal-5-product")
    unit.refresh_from_db()
    assert unit.customer_id == ready.customer.pk


def test_report_a_fault_see_the_estimate_pick_a_slot_track_and_cancel(phone_page, ready):
    page = phone_page()
    sign_in_by_code(page, "13900000001")
    page.click("text=我要报修")
    page.wait_for_selector("#step-symptom")
    page.evaluate("window.__noReload = true")
    page.check("input[name=symptom_code][value=no-water]")
    page.wait_for_selector("#step-help")
    assert "不出水或出水很慢" in page.locator("#step-help").inner_text()
    fits_the_phone(page)
    shot(page, "portal-6-self-help")
    page.fill("#id_description", "从昨天开始完全不出水，进水阀是开着的")
    page.set_input_files("#id_photos", files=[{"name": "panel.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    assert page.locator("#photo-count").inner_text() == "已选 1 张"
    page.click("#still-broken")
    page.wait_for_selector("#quote")
    assert "在保修范围内" in page.locator("#verdict").inner_text()
    assert page.locator("#quote-total").inner_text() == "¥0.00"
    assert page.locator("#quote tbody tr").count() >= 2
    assert page.evaluate("window.__noReload === true")  # htmx swapped parts; typed text and photo stayed
    assert page.input_value("#id_description").startswith("从昨天开始")
    fits_the_phone(page)
    shot(page, "portal-7-estimate")
    slot = page.locator("input[name=slot]").nth(2)
    chosen = slot.get_attribute("value")
    slot.check()
    shot(page, "portal-8-slot")
    page.click("#confirm")
    page.wait_for_selector("#tracking")
    order = WorkOrder.objects.get()
    assert page.url == f"{page.base}/portal/acme/orders/{order.pk}/"
    assert order.channel == "portal" and order.attachments.count() == 1
    assert chosen.startswith(order.slot_start.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()[:16])
    assert "报修已受理" in page.locator(".note-success").inner_text()
    assert page.locator("#order-status").inner_text() == "已分配服务网点"
    fits_the_phone(page)
    shot(page, "portal-9-tracking")

    page.click("#cancel-box summary")
    page.check("input[name=reason][value=time]")
    page.click("button:has-text('确认取消')")
    page.wait_for_selector("text=该服务单已取消。")
    order.refresh_from_db()
    assert order.status == Status.CANCELLED and order.cancel_reason == "时间不合适"
    fits_the_phone(page)
    shot(page, "portal-10-cancelled")


def test_tracking_updates_without_reload_in_english(phone_page, ready):
    tech = ready.tech_a
    tech.home_latitude, tech.home_longitude, tech.phone = Decimal("30.250000"), Decimal("120.160000"), "13711110000"
    tech.save()
    order = make_order(ready, status=Status.ASSIGNED)
    page = phone_page(locale="en-US")
    sign_in_by_code(page, "13900000001")
    page.goto(f"{page.base}/portal/acme/orders/{order.pk}/")
    assert page.locator("#order-status").inner_text() == "Service centre assigned"
    page.evaluate("window.__noReload = true")
    dispatcher, technician = principal_of(ready.dispatcher), principal_of(tech.user)
    order = workflow.transition(order, "dispatch", actor=dispatcher, technician=tech)
    order = workflow.transition(order, "accept", actor=technician)
    workflow.transition(order, "depart", actor=technician)
    assert page.locator("#change").count() == 1  # booked, not yet dispatched: it may still be changed
    page.wait_for_selector("#eta", timeout=8000)
    # The offer to change it went with the update: the technician is on the way.
    assert page.locator("#change").count() == 0
    assert "already on the job" in page.locator("#change-reason").inner_text()
    assert page.evaluate("window.__noReload === true")
    assert "tech_a is on the way" in page.locator("#eta").inner_text()
    assert page.locator('[data-stage="en_route"]').get_attribute("class") == "current"
    assert "The technician is on the way" in page.locator("#events").inner_text()
    fits_the_phone(page)
    shot(page, "portal-11-on-the-way-en")


def test_an_excluded_fault_shows_what_the_customer_pays(phone_page, ready):
    page = phone_page()
    sign_in_by_code(page, "13900000001")
    page.goto(f"{page.base}/portal/acme/report/?product={ready.product.pk}")
    page.check("input[name=symptom_code][value=dropped]")
    page.wait_for_selector("#step-price, #step-help")
    if page.locator("#still-broken").count():
        page.click("#still-broken")
    page.wait_for_selector("#quote")
    assert "不在保修范围内" in page.locator("#verdict").inner_text()
    assert page.locator("#quote-total").inner_text() == "¥80.00"
    assert "不予保修：意外或人为损坏" in page.locator("#quote").inner_text()  # why, line by line
    fits_the_phone(page)
    shot(page, "portal-12-paid-estimate")
    page.locator("#step-price").screenshot(path=str(SHOTS / "portal-12-paid-estimate-card.png"))


def test_the_customer_is_told_the_technician_by_name_with_one_honorific(phone_page, ready):
    ready.tech_a.name = "李建军"
    ready.tech_a.save()
    order = make_order(ready, status=Status.DISPATCHED)
    page = phone_page()
    sign_in_by_code(page, "13900000001")
    page.goto(f"{page.base}/portal/acme/orders/{order.pk}/")
    events = page.locator("#events").inner_text()
    assert "李建军师傅将为您上门服务" in events and "师傅 师傅" not in events and "师傅师傅" not in events
    shot(page, "names-portal-timeline-zh")
