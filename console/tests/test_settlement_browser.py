"""The finance desk (结算台) in Debian's chromium, in Chinese, as finance and an outlet's manager work it: finance
generates last month, sends an outlet its statement; the outlet's manager (on a phone) disputes a line; finance
upholds it with an amount, the total moves by the difference and stays the sum of the lines shown; finance approves
and downloads the xlsx and the PDF. Then a photo reused on two orders: both are flagged, their lines held, and the
approval is refused until the flags are decided. Screenshots in test-artifacts/screenshots/settlement-*.png."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from accounts.principal import principal_of
from conftest import build_world
from console.settlement_forms import last_month
from console.tests.test_settlement_views import photo_bytes, signed_order
from core.browser import PHONE, open_page, shot, sign_in
from core.dates import brand_tz
from settlement import workflow
from settlement.choices import FlagCheck, FlagState, LineKind, StatementState
from settlement.models import FraudFlag, LineDispute, SettlementLine, Statement, Tariff
from settlement.tests.setup import prepare_settlement
from workorders.attachments import add_photos
from workorders.models import AttachmentKind, WorkOrderAttachment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def w(transactional_db):
    w = prepare_settlement(build_world())
    w.outlet_a.name = "西湖服务网点"
    w.outlet_a.save(update_fields=["name"])
    return w


def month_of_orders(w) -> dt.date:
    """Last month (the desk's default): the tariff covers it and the orders were completed in it."""
    period = last_month()
    Tariff.objects.filter(pk=w.tariff.pk).update(valid_from=min(w.tariff.valid_from, period), valid_to=None)
    return period


def orders_in(w, period: dt.date, outlet, n: int, start: int = 0):
    at = dt.datetime(period.year, period.month, 10, 14, 0, tzinfo=brand_tz())
    return [signed_order(w, outlet, start + i, at=at + dt.timedelta(hours=i)) for i in range(n)]


def total_on(page) -> D:
    return D(page.get_attribute("#statement-total", "data-total"))


def lines_shown(page) -> D:
    return sum((D(a) for a in page.locator(".line-amount").evaluate_all("cells => cells.map(c => c.dataset.amount)")),
               D("0.00"))


def move(page, action: str, state: str) -> None:
    page.click(f"form[data-action={action}] button[type=submit]")
    page.wait_for_selector(f"#statement-detail[data-state={state}]")


def generate(page) -> None:
    page.goto(f"{page.base}/console/settlement/")
    page.click("#settlement-generate button[type=submit]")
    page.wait_for_selector("#settlement-notice")


def test_finance_generates_an_outlet_disputes_finance_resolves_approves_and_exports(browser, live_server, w):
    period = month_of_orders(w)
    orders = orders_in(w, period, w.outlet_a, 2, start=20)
    orders_in(w, period, w.outlet_b, 1, start=30)

    desk = open_page(browser, live_server, locale="zh-CN")
    sign_in(desk, "finance")
    generate(desk)
    statement = Statement.objects.get(outlet=w.outlet_a, period=period, technician__isnull=True)
    assert desk.locator("#statements tbody tr").count() == 2
    assert desk.inner_text(f"tr[data-statement='{statement.pk}'] td:first-child") == "西湖服务网点"
    shot(desk, "settlement-desk-generated")

    desk.click(f"tr[data-statement='{statement.pk}'] a")
    desk.wait_for_selector("#statement-detail[data-state=draft]")
    assert total_on(desk) == lines_shown(desk) == statement.total
    assert desk.locator(".order-group").count() == 2
    move(desk, "send", StatementState.SENT)
    shot(desk, "settlement-statement-sent")

    # The outlet's manager, on a phone: opens the statement from the list, disputes the fee of the first order.
    phone = open_page(browser, live_server, locale="zh-CN", viewport=PHONE)
    sign_in(phone, "manager_a")
    phone.goto(f"{phone.base}/console/settlement/")
    assert phone.locator("#settlement-generate").count() == 0
    shot(phone, "settlement-outlet-desk-phone")
    phone.click(f"tr[data-statement='{statement.pk}'] a")
    phone.wait_for_selector("#statement-detail[data-state=sent]")
    line = SettlementLine.objects.get(statement=statement, work_order=orders[0], kind=LineKind.FEE)
    row = phone.locator(f"tr[data-line='{line.pk}']")
    row.locator("summary").click()
    row.locator("textarea[name=reason]").fill("客户家在 12 楼，无电梯，应按远程标准结算")
    row.locator("input[name=claimed_amount]").fill("130")
    row.locator("button[type=submit]").click()
    phone.wait_for_selector("#statement-notice")
    phone.wait_for_selector("#statement-detail[data-state=disputed]")
    shot(phone, "settlement-outlet-disputed-phone")
    dispute = LineDispute.objects.get(line=line)
    before = Statement.objects.get(pk=statement.pk).total

    # Finance upholds it with its own amount, from the disputes queue.
    desk.goto(f"{desk.base}/console/settlement/disputes/")
    card = desk.locator(f"[data-dispute='{dispute.pk}']")
    assert "客户家在 12 楼" in card.inner_text()
    shot(desk, "settlement-disputes-queue")
    card.locator("input[value=uphold]").check()
    card.locator("input[name=decided_amount]").fill("125.50")
    card.locator("button[type=submit]").click()
    desk.wait_for_selector("#dispute-done")
    desk.click("#dispute-done a")
    desk.wait_for_selector("#statement-detail")
    assert total_on(desk) == before + (D("125.50") - line.amount)
    assert total_on(desk) == lines_shown(desk)
    assert desk.locator(f"[data-dispute='{dispute.pk}'].dispute-upheld").count() == 1

    move(desk, "approve", StatementState.APPROVED)
    page_total = total_on(desk)
    shot(desk, "settlement-statement-approved")

    with desk.expect_download() as got:
        desk.click("#statement-xlsx")
    xlsx = got.value.path().read_bytes()
    with desk.expect_download() as got:
        desk.click("#statement-pdf")
    pdf = got.value.path().read_bytes()
    assert xlsx and pdf.startswith(b"%PDF-") and len(pdf) > 1000
    sheet = load_workbook(io.BytesIO(xlsx)).active
    rows = list(sheet.iter_rows(values_only=True))
    # The header block (its sixth row the total), a blank row, the columns' names, one row per line, the total row.
    assert D(str(rows[5][1])) == page_total
    amounts = [row[3] for row in rows[8:-1]]
    assert len(amounts) == len(desk.locator(".line-amount").all())
    assert sum((D(str(a)) for a in amounts), D("0.00")) == page_total
    desk.context.close()
    phone.context.close()


def test_a_photo_reused_on_two_orders_is_flagged_held_and_approval_waits_for_the_review(browser, live_server, w):
    period = month_of_orders(w)
    first, second = orders_in(w, period, w.outlet_a, 2, start=40)
    same = photo_bytes(77, size=240)
    for order in (first, second):  # the same picture uploaded to both orders
        add_photos(order=order, actor=principal_of(w.manager_a),
                   photos=[SimpleUploadedFile("现场.png", same, content_type="image/png")])
    photos = WorkOrderAttachment.objects.filter(kind=AttachmentKind.PHOTO)
    assert set(photos.values_list("work_order_id", flat=True)) == {first.pk, second.pk}

    desk = open_page(browser, live_server, locale="zh-CN")
    sign_in(desk, "finance")
    generate(desk)
    flags = list(FraudFlag.objects.filter(kind=FlagCheck.REUSED_PHOTO).order_by("work_order_id"))
    assert [f.work_order_id for f in flags] == [first.pk, second.pk]

    desk.goto(f"{desk.base}/console/settlement/flags/")
    card = desk.locator(f"[data-flag='{flags[0].pk}']")
    images = card.locator(".evidence-photo img")
    assert images.count() == 2
    images.first.scroll_into_view_if_needed()
    desk.wait_for_function("() => [...document.querySelectorAll('.evidence-photo img')].every(i => i.complete"
                           " && i.naturalWidth > 0)")
    assert set(card.locator(".evidence-photo figcaption .mono").all_inner_texts()) == {first.number, second.number}
    shot(desk, "settlement-flags-queue")

    statement = Statement.objects.get(outlet=w.outlet_a, period=period, technician__isnull=True)
    desk.goto(f"{desk.base}/console/settlement/statements/{statement.pk}/")
    held = desk.locator("tr.is-held")
    assert held.count() == SettlementLine.objects.filter(statement=statement, held=True).count() > 0
    assert desk.locator(".held-badge").count() == held.count()
    shot(desk, "settlement-statement-held")
    move(desk, "send", StatementState.SENT)
    workflow.act(Statement.objects.get(pk=statement.pk), "confirm", actor=principal_of(w.manager_a))

    desk.reload()
    desk.click("form[data-action=approve] button[type=submit]")
    desk.wait_for_selector("#statement-error")
    assert Statement.objects.get(pk=statement.pk).state == StatementState.CONFIRMED
    assert desk.get_attribute("#statement-detail", "data-state") == StatementState.CONFIRMED
    shot(desk, "settlement-approve-refused")

    # The reviewer clears both flags (the same photo was sent twice by mistake): the lines are payable again.
    for flag in flags:
        desk.goto(f"{desk.base}/console/settlement/flags/")
        form = desk.locator(f"[data-flag='{flag.pk}'] form.flag-form")
        form.locator("textarea[name=note]").fill("同一客户两台设备，照片相同属实")
        form.locator("button[value=clear]").click()
        desk.wait_for_selector("#flag-done")
    assert set(FraudFlag.objects.filter(pk__in=[f.pk for f in flags]).values_list("state", flat=True)) == {
        FlagState.CLEARED}
    desk.goto(f"{desk.base}/console/settlement/statements/{statement.pk}/")
    assert desk.locator("tr.is-held").count() == 0
    move(desk, "approve", StatementState.APPROVED)
    assert total_on(desk) == lines_shown(desk) == Statement.objects.get(pk=statement.pk).total
    desk.context.close()

