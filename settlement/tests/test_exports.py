"""settlement.exports: a statement's spreadsheet (its SUM equals the total) and PDF (the Chinese reads, the font is
embedded), and a period's lines for the accounting system."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from core.money import yuan
from settlement import exports, services
from settlement.choices import LineKind, RuleKind
from settlement.models import SettlementLine, SettlementRule, Statement
from settlement.tests.setup import PERIOD, completed, prepare_settlement

pytestmark = pytest.mark.django_db
OUTLET_NAME = "杭州西湖服务网点"


@pytest.fixture
def w(world):
    w = prepare_settlement(world)
    w.outlet_a.name = OUTLET_NAME
    w.outlet_a.save(update_fields=["name"])
    # A deduction, so that the sheet sums negative amounts too.
    SettlementRule.objects.create(brand=w.brand, kind=RuleKind.MISSING_SIGNATURE, amount=Decimal("5.55"),
                                  valid_from=dt.date(2026, 1, 1))
    w.orders = [completed(w, at=dt.datetime(2026, 11, day, 23, 30, tzinfo=dt.UTC)) for day in (3, 12, 20)]
    completed(w, outlet=w.outlet_b)
    services.generate(brand=w.brand, period=PERIOD)
    w.statement = Statement.objects.select_related("brand", "outlet").get(outlet=w.outlet_a, technician=None,
                                                                          period=PERIOD)
    return w


def _cells(sheet) -> list[list]:
    """The sheet's rows, each without its trailing empty cells."""
    rows = []
    for row in sheet.iter_rows(values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        rows.append(cells)
    return rows


def test_the_statement_sheet_has_its_header_lines_and_a_sum_equal_to_the_total(w):
    s = w.statement
    lines = list(SettlementLine.objects.filter(statement=s))
    assert any(line.amount < 0 for line in lines) and len(lines) == s.line_count >= 6
    with translation.override("en"):
        book = load_workbook(io.BytesIO(exports.statement_xlsx(s)))
    sheet = book.active
    rows = _cells(sheet)
    assert rows[:6] == [["Brand", "Acme"], ["Outlet", f"{OUTLET_NAME} (outlet-a)"], ["Technician"],
                        ["Settlement month", "2026-11"], ["State", "Draft"], ["Total", float(s.total)]]
    assert rows[7] == ["Order number", "Completed at", "Kind", "Amount", "Why", "Held"]
    body = rows[8:8 + len(lines)]
    assert sorted(r[0] for r in body) == sorted(line.work_order.number for line in lines)
    assert {r[2] for r in body} >= {"Service fee", "Missing signature"}
    amounts = [Decimal(str(r[3])).quantize(Decimal("0.01")) for r in body]
    assert sorted(amounts) == sorted(line.amount for line in lines)
    assert sum(amounts) == s.total
    total_row = rows[8 + len(lines)]
    assert total_row[0] == "Total" and total_row[3] == f"=SUM(D9:D{8 + len(lines)})"
    assert Decimal(str(rows[5][1])).quantize(Decimal("0.01")) == s.total
    for row in range(9, 10 + len(lines)):
        assert sheet.cell(row=row, column=4).number_format == "0.00"
    fee = next(r for r in body if r[2] == "Service fee")
    assert fee[4] and str(w.fee_category.pk) in fee[4] and fee[5] == "No"
    deduction = next(r for r in body if r[2] == "Missing signature")
    assert "5.55" in deduction[4]


def test_the_statement_sheet_speaks_the_active_language(w):
    with translation.override("zh-hans"):
        rows = _cells(load_workbook(io.BytesIO(exports.statement_xlsx(w.statement))).active)
    assert (rows[0][0], rows[4], rows[-1][0]) == ("品牌", ["状态", "草稿"], "合计")
    assert "服务费" in {row[2] for row in rows[8:-1]}


def test_an_empty_statement_sums_to_zero(w):
    empty = Statement.objects.create(brand=w.brand, outlet=w.outlet_b, period=dt.date(2026, 12, 1))
    with translation.override("en"):
        rows = _cells(load_workbook(io.BytesIO(exports.statement_xlsx(empty))).active)
    assert rows[-1] == ["Total", None, None, 0]


def test_the_pdf_embeds_a_cjk_font_and_reads_the_outlets_name_and_the_total(w):
    pdf = exports.statement_pdf(w.statement)
    reader = PdfReader(io.BytesIO(pdf))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descendants = font.get("/DescendantFonts")
            for descendant in descendants.get_object() if descendants else ():
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), "not embedded"
    assert any("NotoSansCJK" in name.replace("-", "") for name in fonts), fonts
    text = "".join(page.extract_text() for page in reader.pages)
    assert OUTLET_NAME in text
    assert yuan(w.statement.total) in text
    for order in w.orders:
        assert order.number in text


def test_the_pdf_speaks_the_active_language(w):
    with translation.override("en"):
        english = "".join(p.extract_text() for p in PdfReader(io.BytesIO(exports.statement_pdf(w.statement))).pages)
    assert "Settlement statement" in english and "Service fee" in english and OUTLET_NAME in english


def test_the_period_lines_sheet_has_one_row_per_line_with_numeric_amounts(w):
    lines = SettlementLine.objects.filter(statement__period=PERIOD)
    with translation.override("en"):
        sheet = load_workbook(io.BytesIO(exports.period_lines_xlsx(lines))).active
        header = exports.period_header()
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == header
    assert len(rows) - 1 == lines.count()
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    fee = lines.filter(outlet=w.outlet_a, kind=LineKind.FEE).select_related("work_order").first()
    row = by_id[fee.pk]
    assert (row["Statement"], row["Settlement month"], row["Outlet code"], row["Outlet"], row["Order number"],
            row["Kind"], row["Kind code"], row["Tariff"], row["Held"]) == (
        w.statement.pk, "2026-11", "outlet-a", OUTLET_NAME, fee.work_order.number, "Service fee", "fee",
        w.tariff.pk, "No")
    assert Decimal(str(row["Amount"])).quantize(Decimal("0.01")) == fee.amount
    local = (fee.work_order.completed_at + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert row["Completed at"] == local and local.endswith(" 07:30")  # Asia/Shanghai's time of 23:30 UTC
    assert sheet.cell(row=2, column=header.index("Amount") + 1).number_format == "0.00"
    total = sum(Decimal(str(r[header.index("Amount")])).quantize(Decimal("0.01")) for r in rows[1:])
    assert total == sum(s.total for s in Statement.objects.filter(period=PERIOD))


def test_the_period_lines_csv_has_the_same_rows_with_amounts_to_the_fen(w):
    lines = SettlementLine.objects.filter(statement__period=PERIOD)
    content = exports.period_lines_csv(lines)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) - 1 == lines.count()
    amount_at = exports.AMOUNT_COLUMN
    assert {Decimal(r[amount_at]) for r in rows[1:]} == set(lines.values_list("amount", flat=True))
    assert all(len(r[amount_at].split(".")[1]) == 2 for r in rows[1:])
