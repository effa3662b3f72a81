"""Exports of the lists (customers, installed products, work orders) as xlsx and csv, with the lists' own filters.

The rows come from the lists' selectors (customers.selectors, workorders.selectors), so an export holds what
the list shows the same user: an outlet exports only what it sees (visible_to). Rows are read in chunks
(``iterator``) and written as they come: csv streamed to the client, xlsx by openpyxl's write-only workbook
into a temporary file handed out as it is read, so a 100,000-row export never holds its rows in memory.
The installed products' columns are the import's (exchange/sheets.py), so an export can be imported again.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook

from customers.choices import CustomerKind, ProductStatus, Segment
from customers.selectors import list_customers, list_products
from exchange.choices import FileFormat
from exchange.sheets import template_header
from workorders.choices import Status, WorkOrderType
from workorders.selectors import OrderFilters, list_work_orders

CHUNK = 2000
KINDS = ("customers", "products", "orders")


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def customers(user, q: str = "") -> tuple[list[str], Iterator[list[Any]]]:
    header = [gettext("Customer name"), gettext("Phone"), gettext("Segment"), gettext("Kind"), gettext("Created")]
    segments, kinds = dict(Segment.choices), dict(CustomerKind.choices)
    rows = list_customers(user, q).values_list("name", "phone", "segment", "kind", "created_at")
    return header, ([name, phone, str(segments.get(segment, segment)), str(kinds.get(kind, kind)), _local(created)]
                    for name, phone, segment, kind, created in rows.iterator(chunk_size=CHUNK))


def products(user, q: str = "") -> tuple[list[str], Iterator[list[Any]]]:
    """The import's columns first (same order, same headers), then what the import does not take."""
    header = [*template_header(), gettext("Warranty end"), gettext("Status")]
    statuses = dict(ProductStatus.choices)
    # In the order of the import's columns (exchange.sheets.COLUMNS), then the two extra ones.
    rows = list_products(user, q).values_list(
        "customer__name", "customer__phone", "site__address", "site__region__name", "product_model__code",
        "serial", "purchase_date", "install_date", "customer__segment", "site__name", "warranty_end", "status")

    def out() -> Iterator[list[Any]]:
        for (name, phone, address, region, model, serial, bought, installed, segment, site, warranty_end,
             status) in rows.iterator(chunk_size=CHUNK):
            yield [name, phone, address or "", region or "", model, serial, _day(bought), _day(installed), segment,
                   site or "", _day(warranty_end), str(statuses.get(status, status))]

    return header, out()


def orders(user, filters: OrderFilters) -> tuple[list[str], Iterator[list[Any]]]:
    header = [gettext("Number"), gettext("Status"), gettext("Type"), gettext("Created"), gettext("Customer name"),
              gettext("Phone"), gettext("Serial number"), gettext("Model code"), gettext("Outlet"),
              gettext("Technician"), gettext("Region"), gettext("Completed")]
    statuses, types = dict(Status.choices), dict(WorkOrderType.choices)
    rows = list_work_orders(user, filters).values_list(
        "number", "status", "type", "created_at", "customer__name", "customer__phone", "product__serial",
        "product__product_model__code", "outlet__name", "technician__name", "region__name", "completed_at")

    def out() -> Iterator[list[Any]]:
        for (number, status, kind, created, name, phone, serial, model, outlet, technician, region,
             completed) in rows.iterator(chunk_size=CHUNK):
            yield [number, str(statuses.get(status, status)), str(types.get(kind, kind)), _local(created), name,
                   phone, serial or "", model or "", outlet or "", technician or "", region or "", _local(completed)]

    return header, out()


class _Line:
    """csv.writer's file: each row written is handed back as the text of one line."""

    def write(self, text: str) -> str:
        return text


def _csv_lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    # The BOM tells Excel the file is UTF-8; without it a Chinese Excel reads the names as GBK garbage.
    yield "\ufeff".encode() + writer.writerow(header).encode()
    for row in rows:
        yield writer.writerow(row).encode()


def response(kind: str, fmt: str, header: list[str], rows: Iterable[list[Any]]):
    """The export as a download named after the list and the day."""
    name = f"{kind}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == FileFormat.CSV:
        answer = StreamingHttpResponse(_csv_lines(header, rows), content_type="text/csv; charset=utf-8")
        answer["Content-Disposition"] = f'attachment; filename="{name}"'
        return answer
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=kind)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = tempfile.TemporaryFile()  # removed when the response closes it
    book.save(out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
