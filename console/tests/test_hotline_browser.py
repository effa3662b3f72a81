"""The hotline desk in a real browser (Debian's chromium) against a live server: a whole call, no page reloads.

Screenshots land in test-artifacts/screenshots/hotline-*.png for a person to look at.
"""

from __future__ import annotations

import re

import pytest

from conftest import build_world
from core.browser import PHONE, open_page, shot, sign_in
from customers.models import Customer, InstalledProduct
from workorders.choices import Status
from workorders.models import CustomerCall, WorkOrder
from workorders.tests.factories import make_order
from workorders.tests.intake_setup import prepare_intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return prepare_intake(build_world())


PREVIEW = re.compile(r"/console/hotline/callers/\d+/preview/")


def mark_document(page) -> None:
    page.evaluate("window.__noReload = true")


def still_same_document(page) -> bool:
    return page.evaluate("window.__noReload === true")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_agent_takes_a_whole_call_without_a_reload(browser, live_server, world):
    open_order = make_order(world, status=Status.ASSIGNED)
    page = open_page(browser, live_server)
    sign_in(page, "hotline")
    page.click("a[data-nav=hotline]")
    page.wait_for_url(re.compile(r"/console/hotline/$"))
    mark_document(page)

    # 1. The caller rings from a known number: typed as people say it, no submit pressed.
    page.fill("#id_q", "139 0000 0001")
    page.wait_for_selector(".caller-item")
    assert page.locator(".caller-item").count() == 1
    assert "1 open or recent order" in page.locator(".caller-item").inner_text()
    shot(page, "hotline-1-found-by-phone")
    page.click(".caller-link")
    page.wait_for_selector("#caller[data-customer]")
    page.wait_for_url(re.compile(rf"/console/hotline/callers/{world.customer.pk}/$"))

    # 2. Their only product is chosen already; the preview warns of the open order and links to it.
    warning = page.locator("#duplicate-warning")
    warning.wait_for()
    assert open_order.number in warning.inner_text()
    assert warning.locator(f"a[href='/console/orders/{open_order.pk}/']").count() == 1
    shot(page, "hotline-2-duplicate-warning")

    # 3. A new caller: nobody matches, the form opens with the number; a bad site is refused beside its field.
    page.fill("#id_q", "13700001234")
    page.wait_for_selector("#no-caller")
    assert page.input_value("#id_new-phone") == "13700001234"
    page.fill("#id_new-name", "王小明")
    page.fill("#id_new-address", "西湖区文三路 100 号")
    page.fill("#id_new-contact_phone", "12")
    page.select_option("#id_new-region", str(world.region.pk))
    page.click("#new-caller button[type=submit]")
    page.wait_for_selector("#error-new-contact_phone:not(:empty)")
    assert Customer.objects.filter(name="王小明").count() == 0
    shot(page, "hotline-3-new-caller-refused")
    page.fill("#id_new-contact_phone", "")
    # The floor and the lift, asked with the address: a 7th floor without one is paid the high-floor surcharge.
    assert page.get_attribute("#id_new-floor", "placeholder") == "Negative for a basement."
    page.fill("#id_new-floor", "7")
    page.select_option("#id_new-has_lift", "false")
    shot(page, "hotline-3b-floor-and-lift")
    page.click("#new-caller button[type=submit]")
    page.wait_for_selector("#caller .caller-h:text('王小明')")
    newcomer = Customer.objects.get(name="王小明")
    site = newcomer.sites.get()
    assert (site.region, site.floor, site.has_lift) == (world.region, 7, False)

    # 4. Their purifier is registered inline; the request form takes it, the estimate and slots follow.
    page.click("summary:text('Register a product')")
    page.fill("#id_product-serial", "SN-NEW-0007")
    page.select_option("#id_product-product_model", str(world.model.pk))
    page.select_option("#id_product-site", str(newcomer.sites.get().pk))
    page.fill("#id_product-install_date", "2026-06-01")
    page.click("#add-product button[type=submit]")
    page.wait_for_selector("tr[data-serial='SN-NEW-0007']")
    product = InstalledProduct.objects.get(serial="SN-NEW-0007")
    with page.expect_response(PREVIEW):
        page.select_option("#id_request-symptom_code", "leak")
    page.wait_for_selector("#estimate-total")
    assert page.locator("#estimate-total").inner_text() == "¥0.00"
    assert "Covered by warranty" in page.locator("#estimate").inner_text()
    assert page.locator("#duplicate-warning").count() == 0
    shot(page, "hotline-4-estimate-and-slots")

    # 5. A slot is picked and the order created. The agent picks it while the estimate is still being
    #    redrawn (the priority was just changed): the redraw keeps the pick rather than dropping it.
    held = []
    page.route(PREVIEW, lambda route: held.append(route))
    page.select_option("#id_request-priority", "urgent")
    while not held:
        page.wait_for_timeout(50)
    slot = page.locator("#slot-picker label.slot input").first
    picked = slot.get_attribute("value")
    slot.check()
    page.evaluate("document.getElementById('intake-preview').dataset.before = 'redraw'")
    held[0].continue_()
    page.unroute(PREVIEW)
    page.wait_for_selector("#intake-preview:not([data-before])")
    page.wait_for_timeout(100)
    assert page.locator(f"#slot-picker input[value='{picked}']").is_checked(), "the redraw dropped the picked slot"
    page.fill("#id_request-description", "橱柜底部有水")
    page.click("#create-order")
    page.wait_for_selector("#order-created")
    order = WorkOrder.objects.get(product=product)
    assert (order.channel, order.status, order.reported_symptom.code) == ("hotline", Status.ASSIGNED, "leak")
    assert order.number in page.locator("#order-created").inner_text()
    shot(page, "hotline-5-order-created")

    # 6. The outcome: "order created" and the order are chosen already; a note is added.
    assert page.locator("input[name=call-outcome][value=order_created]").is_checked()
    page.fill("#id_call-note", "客户上午在家")
    page.click("#log-call button[type=submit]")
    page.wait_for_selector("#call-logged")
    call = CustomerCall.objects.get()
    assert (call.customer, call.work_order, call.outcome) == (newcomer, order, "order_created")
    assert "客户上午在家" in page.locator(".last-call").inner_text()
    shot(page, "hotline-6-call-logged")

    assert still_same_document(page), "the desk reloaded the page"

    # 7. The order page shows what intake recorded and the call on the timeline.
    page.click(f"#caller a[href='/console/orders/{order.pk}/']")
    page.wait_for_selector("#order-intake")
    assert "Leaking" in page.locator("#order-intake").inner_text()
    assert "Order created" in page.locator("#order-timeline").inner_text()
    shot(page, "hotline-9-order-page")


def test_the_desk_in_chinese_on_a_phone(browser, live_server, world):
    make_order(world, status=Status.COMPLETED)
    page = open_page(browser, live_server, locale="zh-CN", viewport=PHONE)
    sign_in(page, "hotline")
    page.goto(f"{page.base}/console/hotline/callers/{world.customer.pk}/")
    page.wait_for_selector("#estimate")

    assert "新建报修" in page.inner_text("body") and "请勿重复建单" in page.inner_text("body")
    assert no_sideways_scroll(page)
    shot(page, "hotline-7-phone-zh")


def test_an_unanswered_callback_is_seen_by_the_next_agent(browser, live_server, world):
    page = open_page(browser, live_server)
    sign_in(page, "hotline")
    page.goto(f"{page.base}/console/hotline/callers/{world.other_customer.pk}/")
    page.locator("label.pill:has(input[value=callback])").click()
    page.click("#log-call button[type=submit]")
    page.wait_for_selector("#error-call-note:not(:empty)")
    assert CustomerCall.objects.count() == 0
    page.fill("#id_call-note", "明早十点回电")
    page.click("#log-call button[type=submit]")
    page.wait_for_selector("#call-logged")

    other = open_page(browser, live_server)
    sign_in(other, "dispatcher")
    other.goto(f"{other.base}/console/hotline/?q=13900000002")
    other.click(".caller-link")
    other.wait_for_selector(".last-call")
    assert "明早十点回电" in other.locator(".last-call").inner_text()
    shot(other, "hotline-8-next-agent-sees-the-callback")
