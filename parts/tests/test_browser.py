"""The parts pages in a real browser (Debian's chromium) against a live server: the outlet desk's console,
defective returns, the technician's van page on a phone. Screenshots in test-artifacts/screenshots/parts-*."""

from __future__ import annotations

import pytest

from accounts.principal import principal_of
from conftest import build_world
from core.browser import PHONE, open_page, shot, sign_in
from parts import services
from parts.choices import RequestStatus
from parts.models import PartRequest
from parts.services import Line
from parts.tests.factories import build_stock
from parts.tests.helpers import level
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def w(transactional_db):
    w = build_stock(build_world())
    w.order_1 = make_order(w, status=Status.ACCEPTED, symptom="不出水")
    w.order_2 = make_order(w, status=Status.ON_SITE, symptom="增压泵异响")
    tech = principal_of(w.tech_a.user)
    w.req_1 = services.request_parts(order=w.order_1, actor=tech, lines=[Line(w.board, 1), Line(w.filter, 3)],
                                     note="主板不通电，需更换")
    w.req_2 = services.request_parts(order=w.order_2, actor=tech, lines=[Line(w.pump, 2)], note="客户急用")
    services.consume_on_job(order=w.order_2, actor=tech, lines=[Line(w.pump, 1)], idempotency_key="job-2-pump")
    return w


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_desk_refuses_and_transfers_in_place(browser, live_server, w):
    page = open_page(browser, live_server)
    sign_in(page, "desk_a")
    page.goto(page.base + "/console/parts/requests/")
    page.evaluate("window.__noReload = true")
    card_1, card_2 = page.locator(f"#request-{w.req_1.pk}"), page.locator(f"#request-{w.req_2.pk}")
    assert card_1.locator(".request-note").inner_text() == "“主板不通电，需更换”"
    assert card_1.locator("tr[data-part='purifier-pcb'] td").nth(2).inner_text() == "5"  # in the store
    shot(page, "parts-requests-en")

    # Refusing without a reason: the message appears beside the field, nothing is refused.
    card_1.locator(".refuse-form button").click()
    page.wait_for_selector(f"#error-reason-{w.req_1.pk}:has-text('Give a reason')")
    assert PartRequest.objects.get(pk=w.req_1.pk).status == RequestStatus.OPEN
    shot(page, "parts-requests-refuse-error")

    card_1.locator("textarea").fill("主板缺货，周五到货后再发")
    card_1.locator(".refuse-form button").click()
    page.wait_for_selector(f"#request-{w.req_1.pk}[data-status='refused']")
    assert "主板缺货" in page.locator(f"#request-{w.req_1.pk} .request-outcome").inner_text()

    card_2.locator(".transfer-form button").click()
    page.wait_for_selector(f"#request-{w.req_2.pk}[data-status='transferred']")
    assert "Transferred to Technician's van · tech_a." in page.locator(f"#request-{w.req_2.pk} .alert-ok").inner_text()
    assert page.evaluate("window.__noReload === true")
    assert page.locator("#status-tabs a[data-status='open'] .tab-count").inner_text() == "0"
    assert page.locator("#status-tabs a[data-status='transferred'] .tab-count").inner_text() == "1"
    assert level(w.van_a, w.pump) == (7, 0, 0)  # 6, one used on site, two arrived
    assert level(w.store_a, w.board) == (5, 0, 0)  # the refused board's reservation is released
    shot(page, "parts-requests-done")


def test_a_request_dealt_with_meanwhile_says_so(browser, live_server, w):
    page = open_page(browser, live_server, locale="zh-CN")
    sign_in(page, "manager_a")
    page.goto(page.base + "/console/parts/requests/")
    services.transfer_request(request=w.req_2, actor=principal_of(w.clerk))  # someone else, first
    page.locator(f"#request-{w.req_2.pk} .transfer-form button").click()
    page.wait_for_selector(f"#request-{w.req_2.pk} .alert-error:has-text('该申请已不在待处理状态')")
    assert level(w.van_a, w.pump) == (7, 0, 0)  # transferred once only
    assert page.locator("#status-tabs a[data-status='open'] .tab-count").inner_text() == "1"
    shot(page, "parts-requests-stale-zh")


def test_the_outlet_console_on_a_phone_in_chinese(browser, live_server, w):
    page = open_page(browser, live_server, locale="zh-CN", viewport=PHONE)
    sign_in(page, "manager_a")
    page.goto(page.base + "/console/parts/requests/")
    assert page.locator("h1").inner_text() == "备件申请"
    assert no_sideways_scroll(page)
    shot(page, "parts-requests-phone-zh")
    page.goto(page.base + "/console/parts/defective/")
    row = page.locator("table.owed-table tbody tr").first
    assert "tech_a" in row.inner_text() and "增压泵" in row.inner_text()
    assert no_sideways_scroll(page)
    shot(page, "parts-defective-phone-zh")
    row.locator("button").click()
    page.wait_for_selector("table.owed-table tbody tr[data-status='received']")
    assert level(w.store_a, w.pump) == (20, 2, 1)
    shot(page, "parts-defective-received-zh")
    page.goto(page.base + f"/console/parts/stock/?warehouse={w.store_a.pk}")
    assert page.locator("tr[data-part='booster-pump'] td").nth(4).inner_text() == "1"  # defective, apart
    assert no_sideways_scroll(page)
    shot(page, "parts-stock-phone-zh")


def test_the_technician_sees_what_arrived_on_a_phone(browser, live_server, w):
    services.transfer_request(request=w.req_2, actor=principal_of(w.desk_a))
    page = open_page(browser, live_server, locale="zh-CN", viewport=PHONE)
    sign_in(page, "tech_a")
    page.goto(page.base + "/console/parts/requests/")
    page.wait_for_url("**/field/van/")
    assert page.locator("#van-stock li[data-part='booster-pump'] strong").inner_text() == "7"
    arrived = page.locator("#my-requests .van-request[data-status='transferred']")
    assert "已在车上" in arrived.inner_text()
    assert "增压泵" in page.locator("#my-owed").inner_text()
    assert no_sideways_scroll(page)
    shot(page, "parts-van-phone-zh")


def test_the_admin_posts_moves_through_the_services(browser, live_server, w):
    w.admin.is_staff = w.admin.is_superuser = True
    w.admin.save()
    page = open_page(browser, live_server)
    page.goto(page.base + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw-Secret-123")
    page.click("input[type=submit]")
    page.goto(page.base + "/admin/parts/stockmove/add/")
    page.select_option("#id_operation", "adjust")
    page.select_option("#id_warehouse", str(w.store_a.pk))
    page.select_option("#id_part", str(w.pump.pk))
    page.fill("#id_quantity", "-999")
    page.fill("#id_reason", "盘点")
    page.click("input[name=_save]")
    page.wait_for_selector(".errorlist")
    assert "available" in page.locator(".field-quantity .errorlist").inner_text()
    assert level(w.store_a, w.pump) == (20, 2, 0)
    shot(page, "parts-admin-move-refused")
    page.fill("#id_quantity", "-1")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert level(w.store_a, w.pump) == (19, 2, 0)
    shot(page, "parts-admin-moves")
