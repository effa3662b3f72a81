"""Spreadsheets for the import tests, written with openpyxl and csv as a shop's export would be, and the probes of
the route-walking scoping test."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.principal import principal_of
from exchange.choices import FileFormat, ImportStatus
from exchange.models import ImportJob, ImportRowError
from exchange.sheets import template_header

HEADER = template_header()


def good_row(i: int, *, model: str = "RO-500", region: str = "杭州") -> list:
    """Row i of a clean sheet: its own customer, phone and serial, bought then installed."""
    return [f"客户{i:05d}", f"1380000{i:04d}" if i < 10_000 else f"137{i:08d}", f"杭州市西湖区文三路 {i} 号", region,
            model, f"IMP-{i:06d}", "2024-03-01", "2024-03-05", "value", ""]


def sheet(rows: list[list], fmt: str = FileFormat.XLSX, header: list | None = None) -> bytes:
    header = HEADER if header is None else header
    if fmt == FileFormat.CSV:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8-sig")
    book = Workbook(write_only=True)
    ws = book.create_sheet()
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(rows: list[list], fmt: str = FileFormat.XLSX, name: str | None = None, header=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or f"base.{fmt}", sheet(rows, fmt, header))


def bad_rows(start: int) -> tuple[list[list], dict[int, str]]:
    """One row per fault, from row index ``start`` on, and the code each must be refused with (by data row index)."""
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    variants = [
        ("invalid_phone", lambda r: r.__setitem__(1, "12345")),
        ("unknown_model", lambda r: r.__setitem__(4, "NOPE-9")),
        ("date_order", lambda r: (r.__setitem__(6, "2024-05-01"), r.__setitem__(7, "2024-04-01"))),
        ("date_in_future", lambda r: r.__setitem__(7, future)),
        ("required", lambda r: r.__setitem__(0, "")),
        ("invalid_date", lambda r: r.__setitem__(6, "yesterday")),
    ]
    rows, codes = [], {}
    for n, (code, spoil) in enumerate(variants):
        row = good_row(start + n)
        spoil(row)
        rows.append(row)
        codes[start + n] = code
    return rows, codes


def finished_job(world, brand=None) -> ImportJob:
    """A checked job with one refused row (no file work: the probes only need the rows)."""
    brand = brand or world.brand
    job = ImportJob.objects.create(brand=brand, kind="installed_base", file=f"imports/{brand.pk}/probe.csv",
                                   file_name="probe.csv", file_format="csv", status=ImportStatus.PREVIEWED,
                                   total_rows=1, refused_rows=1)
    ImportRowError.objects.create(job=job, row_number=2, column="phone", code="invalid_phone", message="probe",
                                  values={"phone": "1"})
    return job


def access_probes(world) -> dict[str, dict[str, int]]:
    """Per persona of core/tests/test_access.py, an import it must not see: the rival's for the brand's staff,
    the brand's for everyone else (outlets, technicians and customers see no imports)."""
    own, rival = finished_job(world), finished_job(world, world.other_brand)
    personas = ["dispatcher", "hotline", "analyst", "manager_a", "manager_b", "tech_a", "tech_a2", "tech_b",
                "customer", "other_customer", "rival_dispatcher"]
    return {p: {"import_id": rival.pk if p in ("dispatcher", "hotline", "analyst") else own.pk} for p in personas}


def snapshot() -> list:
    return list(ImportJob.objects.order_by("pk").values_list("pk", "status", "written_rows"))


__all__ = ["principal_of"]
