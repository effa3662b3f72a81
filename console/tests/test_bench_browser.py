"""The repair bench (维修台) in Debian's chromium, in Chinese, on a desktop: the centre's manager scans the parcel's
waybill, receives the unit, is told beside the parts list that a code is unknown, diagnoses it and sends the quote;
each step swaps the case in place (htmx). Screenshots in test-artifacts/screenshots/bench-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import build_world
from core.browser import open_page, shot, sign_in
from customers.tests.factories import InstalledProductFactory
from logistics.choices import Hop
from logistics.models import MailIn
from logistics.tests.setup import book, collected_and_arrived, outbound, prepare_mail_in
from logistics.tests.turnaround_setup import delivered_case
from logistics.turnaround import monday_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture
def w(transactional_db):
    w = prepare_mail_in(build_world())
    w.customer.name = "王秀英"  # family name first, as stored
    w.customer.save(update_fields=["name"])
    w.old_unit = InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model,
                                         serial="SN-OLD-1", purchase_date=dt.date(2020, 1, 5),
                                         install_date=dt.date(2020, 1, 10))
    return w


def test_the_bench_scans_receives_diagnoses_and_quotes_a_unit_out_of_warranty(browser, live_server, w):
    case = collected_and_arrived(w, book(w, product=w.old_unit), "SF1234567890123")
    number = case.work_order.number
    page = open_page(browser, live_server, locale="zh-CN", viewport=DESKTOP)
    sign_in(page, "bench")
    page.click("a[data-nav=bench]")

    # The desk: the unit waits in "arrived", with its customer and warranty; the scan box has the focus.
    assert page.locator("a[data-queue=arrived] .tab-count").inner_text() == "1"
    row = page.locator(f"tr[data-case='{case.work_order_id}']")
    assert number in row.inner_text() and "王秀英" in row.inner_text() and "已过保" in row.inner_text()
    assert page.evaluate("document.activeElement.id") == "id_scan_q"
    shot(page, "bench-1-queues-zh")

    # A scanner types the waybill and presses Enter: the case opens.
    page.keyboard.type("SF1234567890123")
    page.keyboard.press("Enter")
    page.wait_for_selector("#form-receive")
    assert page.url.endswith(f"/console/bench/{case.work_order_id}/")
    assert page.inner_text("#case-hop") == "已到达维修中心" and page.inner_text("h1") == number
    assert page.evaluate("document.activeElement.name") == "serial"  # the next scan goes to the serial

    page.fill("#id_receive_serial", "SN-OLD-1")
    page.fill("#id_receive_condition", "外壳轻微划痕")
    page.fill("#id_receive_accessories", "电源线，滤芯")
    page.click("#form-receive button[type=submit]")
    page.wait_for_selector("#form-diagnose")
    assert page.inner_text("#bench-notice") == "已签收。"
    assert page.inner_text("#case-hop") == "已签收并查验"
    assert page.inner_text("#case-accessories") == "电源线、滤芯"
    assert "已签收并查验" in page.inner_text("#case-timeline")
    shot(page, "bench-2-received-zh")

    # A code that is no part: said beside the parts list; what was typed stays, nothing moved.
    page.fill("#id_diagnose_finding", "增压泵损坏")
    page.locator("input[name=parts-code]").first.fill("no-such-part")
    page.locator("input[name=parts-qty]").first.fill("1")
    page.click("#form-diagnose button[type=submit]")
    page.wait_for_selector("#error-parts:has-text('未知配件')")
    assert page.input_value("#id_diagnose_finding") == "增压泵损坏"
    assert page.locator("input[name=parts-code]").first.input_value() == "no-such-part"
    assert MailIn.objects.get(pk=case.pk).hop == Hop.RECEIVED
    shot(page, "bench-3-unknown-part-zh")

    page.locator("input[name=parts-code]").first.fill("booster-pump")
    page.click("#form-diagnose button[type=submit]")
    page.wait_for_selector("#form-quote")
    assert page.inner_text("#case-hop") == "已检测" and page.inner_text("#case-diagnosis") == "增压泵损坏"

    page.click("#form-quote button[type=submit]")
    page.wait_for_selector("#case-quote")
    assert page.inner_text("#case-hop") == "已报价：等待客户答复"
    assert page.inner_text("#quote-total") == "¥350.00"
    assert "往返快递费" in page.inner_text("#case-quote") and "¥260.00" in page.inner_text("#case-quote")
    assert "等待客户答复" in page.inner_text("#bench-waiting")
    assert page.locator("#bench-step form").count() == 0
    assert MailIn.objects.get(pk=case.pk).hop == Hop.QUOTED
    shot(page, "bench-4-quoted-zh")


def test_the_return_label_prints_on_a6_and_the_turnaround_page_reads_against_the_day(browser, live_server, w):
    tz = timezone.get_current_timezone()
    mon = dt.datetime.combine(monday_of(timezone.now(), tz) - dt.timedelta(days=7), dt.time.min, tzinfo=tz)
    h = dt.timedelta(hours=1)
    delivered_case(w, reported=mon + 9 * h, collected=mon + 11 * h, arrived=mon + 15 * h, received=mon + 16 * h,
                   shipped=mon + 33 * h, delivered=mon + 37 * h)
    delivered_case(w, reported=mon + 8 * h, received=mon + 12 * h, shipped=mon + 18 * h, delivered=mon + 26 * h)
    shipped = delivered_case(w, reported=mon + 10 * h, arrived=mon + 14 * h, received=mon + 15 * h,
                             shipped=mon + 20 * h, delivered=mon + 32 * h)
    parcel = outbound(shipped)
    page = open_page(browser, live_server, locale="zh-CN", viewport=DESKTOP)
    sign_in(page, "bench")

    page.goto(f"{page.base}/console/bench/{shipped.work_order_id}/label/")
    assert page.inner_text("#label-waybill") == parcel.waybill
    assert "王秀英" in page.inner_text("#label-receiver") and "杭州中央维修中心" in page.inner_text("#label-sender")
    assert shipped.work_order.number in page.inner_text("#label-contents")
    qr = page.locator("#label-qr svg").bounding_box()
    assert qr and abs(qr["width"] - qr["height"]) < 1 and 120 <= qr["width"] <= 135  # 34 mm at 96 dpi
    box = page.locator("#label").bounding_box()
    assert box and 390 <= box["width"] <= 400  # 105 mm wide: A6
    page.emulate_media(media="print")
    assert page.locator("button[data-print]").is_hidden()
    shot(page, "bench-5-label-print-zh")

    page.emulate_media(media="screen")
    page.goto(f"{page.base}/console/bench/turnaround/")
    row = page.locator(f"tr[data-week='{mon:%Y-%m-%d}']")
    assert row.locator("[data-col=median]").inner_text() == "22.0"
    assert row.locator("[data-col=p90]").inner_text() == "28.0"
    assert row.locator("[data-col=within]").inner_text() == "67%"
    assert page.inner_text("#kpi-count") == "3"
    shot(page, "bench-6-turnaround-zh")
