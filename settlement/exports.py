"""A statement as a spreadsheet and as a PDF, and a period's lines for the brand's accounting system.

Amounts stay ``Decimal`` from the line to the cell (openpyxl writes a Decimal as a number) and are shown with two
places; a statement's sheet ends in a total row that is a ``SUM`` over its amounts, which equals
``Statement.total`` because the total is the sum of the rounded lines (docs/settlement.md, "Rounding"). Labels are
translated into the language active when the export is made (the request's).

The PDF is drawn by WeasyPrint from settlement/templates/settlement/statement_pdf.html, in Noto Sans CJK SC found
by fontconfig (Debian's fonts-noto-cjk, like reports/render.py); WeasyPrint embeds the subset it uses, so the
outlet's Chinese name reads the same everywhere. The renderer may fetch only ``data:`` URIs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.dates import brand_tz
from core.money import yuan
from core.pdf import weasyprint_classes
from settlement.choices import LineKind
from settlement.models import SettlementLine, Statement
from settlement.why import why as reasons_of

FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", sans-serif'
AMOUNT_FORMAT = "0.00"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)


def _local(moment: dt.datetime | None) -> str:
    return moment.astimezone(brand_tz()).strftime("%Y-%m-%d %H:%M") if moment else ""


def period_label(period: dt.date) -> str:
    return f"{period:%Y-%m}"


def _yes(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


def why(line: SettlementLine) -> str:
    """The line's reasons (settlement.why) on one line of a sheet or a page."""
    return "; ".join(reasons_of(line))


def _statement_lines(statement: Statement) -> list[SettlementLine]:
    return list(statement.lines.select_related("work_order").order_by("work_order__completed_at", "work_order_id",
                                                                       "pk"))


def _who(statement: Statement) -> str:
    return statement.technician.name if statement.technician_id else ""


def statement_xlsx(statement: Statement) -> bytes:
    """The statement's sheet: a header block (brand, outlet, period, state, total), then one row per line, then a
    total row summing the amounts (a ``SUM`` formula, equal to ``statement.total``)."""
    book = Workbook()
    sheet = book.active
    sheet.title = period_label(statement.period)
    header = [
        (gettext("Brand"), statement.brand.name),
        (gettext("Outlet"), f"{statement.outlet.name} ({statement.outlet.code})"),
        (gettext("Technician"), _who(statement)),
        (gettext("Settlement month"), period_label(statement.period)),
        (gettext("State"), str(statement.get_state_display())),
        (gettext("Total"), statement.total),
    ]
    for label, value in header:
        sheet.append([label, value])
        sheet.cell(row=sheet.max_row, column=1).font = BOLD
    sheet.cell(row=sheet.max_row, column=2).number_format = AMOUNT_FORMAT
    sheet.append([])
    sheet.append([gettext("Order number"), gettext("Completed at"), gettext("Kind"), gettext("Amount"), gettext("Why"),
                  gettext("Held")])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    first = sheet.max_row + 1
    for line in _statement_lines(statement):
        sheet.append([line.work_order.number, _local(line.work_order.completed_at), str(line.get_kind_display()),
                      line.amount, why(line), _yes(line.held)])
        sheet.cell(row=sheet.max_row, column=4).number_format = AMOUNT_FORMAT
    last = sheet.max_row
    total = f"=SUM(D{first}:D{last})" if last >= first else 0
    sheet.append([gettext("Total"), "", "", total])
    sheet.cell(row=sheet.max_row, column=1).font = BOLD
    sheet.cell(row=sheet.max_row, column=4).number_format = AMOUNT_FORMAT
    sheet.cell(row=sheet.max_row, column=4).font = BOLD
    for column, width in zip("ABCDEF", (18, 18, 22, 12, 60, 8), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def statement_html(statement: Statement) -> str:
    lines = _statement_lines(statement)
    return render_to_string("settlement/statement_pdf.html", {
        "statement": statement, "period": period_label(statement.period), "font_family": FONT_FAMILY,
        "language": translation.get_language(), "total": yuan(statement.total),
        "generated": _local(timezone.now()),
        "rows": [{"number": line.work_order.number, "completed": _local(line.work_order.completed_at),
                  "kind": line.get_kind_display(), "why": why(line), "held": line.held, "amount": yuan(line.amount)}
                 for line in lines],
    })


def statement_pdf(statement: Statement) -> bytes:
    """The statement as an A4 PDF, in the active language."""
    HTML, URLFetcher = weasyprint_classes()  # noqa: N806 - the library's class names
    document = HTML(string=statement_html(statement), url_fetcher=URLFetcher(allowed_protocols={"data"}))
    return document.write_pdf()


def period_header() -> list[str]:
    return [gettext("Line"), gettext("Statement"), gettext("Settlement month"), gettext("Outlet code"),
            gettext("Outlet"), gettext("Technician"), gettext("Order number"), gettext("Completed at"), gettext("Kind"),
            gettext("Kind code"), gettext("Amount"), gettext("Tariff"), gettext("Rule"), gettext("Held"),
            gettext("Adjustment of")]


AMOUNT_COLUMN = 10  # in period_header(): the amount, written as a number


def period_rows(lines: QuerySet[SettlementLine]) -> Iterator[list[Any]]:
    """One row per line, in the accounting system's columns (``period_header``): the amount a Decimal."""
    kinds = dict(LineKind.choices)
    rows = (lines.order_by("outlet__code", "statement_id", "work_order__completed_at", "pk")
            .values_list("pk", "statement_id", "statement__period", "outlet__code", "outlet__name",
                         "technician__name", "work_order__number", "work_order__completed_at", "kind", "amount",
                         "tariff_id", "rule_id", "held", "adjustment_of_id"))
    for (pk, statement_id, period, code, outlet, technician, number, completed, kind, amount, tariff, rule, held,
         adjustment_of) in rows.iterator(chunk_size=2000):
        yield [pk, statement_id, period_label(period), code, outlet, technician or "", number, _local(completed),
               str(kinds.get(kind, kind)), kind, amount, tariff or "", rule or "", _yes(held), adjustment_of or ""]


def period_lines_xlsx(lines: QuerySet[SettlementLine]) -> bytes:
    """All the given lines (a period's, as the caller may see them), one row each, amounts as numbers."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=gettext("Lines"))
    sheet.append(period_header())
    for row in period_rows(lines):
        amount = WriteOnlyCell(sheet, value=row[AMOUNT_COLUMN])
        amount.number_format = AMOUNT_FORMAT
        row[AMOUNT_COLUMN] = amount
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def period_lines_csv(lines: QuerySet[SettlementLine]) -> bytes:
    """The same rows as CSV (UTF-8 with a BOM, so that a Chinese Excel reads it as UTF-8); amounts as 0.00."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(period_header())
    for row in period_rows(lines):
        writer.writerow([f"{cell:.2f}" if isinstance(cell, Decimal) else cell for cell in row])
    return out.getvalue().encode()
