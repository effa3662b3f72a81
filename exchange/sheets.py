"""Reading a spreadsheet's rows (openpyxl for xlsx, the csv module for csv) and naming its columns.

No parsing of our own: openpyxl reads xlsx in read-only mode (rows streamed from the zip, not the whole
workbook in memory), csv is decoded as UTF-8 (with or without the BOM Excel writes) or else GB 18030, which
is how a Chinese Excel saves "CSV" and contains GBK.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core.errors import InvalidInput
from exchange.choices import FileFormat


class BadFile(InvalidInput):
    code = "bad_file"
    default_message = _("The file is not a spreadsheet we can read: upload an .xlsx or a .csv file.")


class MissingColumns(InvalidInput):
    code = "missing_columns"
    default_message = _("The sheet lacks required columns.")


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # what the template's header and the preview call it
    aliases: tuple[str, ...]
    required: bool = False


# The installed base's columns: the template's header is each column's first alias (Chinese) and English name;
# a header is matched without case, spaces, underscores or a trailing "(...)" note.
COLUMNS: tuple[Column, ...] = (
    Column("name", _("Customer name"), ("客户姓名", "姓名", "客户名称", "客户", "name", "customer name", "customer"),
           required=True),
    Column("phone", _("Phone"), ("手机", "手机号", "手机号码", "电话", "联系电话", "phone", "mobile", "phone number"),
           required=True),
    Column("address", _("Address"), ("地址", "安装地址", "详细地址", "address"), required=True),
    Column("region", _("Region"), ("区域", "地区", "服务区域", "region", "region code")),
    Column("model", _("Model code"), ("型号", "产品型号", "型号编码", "model", "model code"), required=True),
    Column("serial", _("Serial number"), ("序列号", "机身码", "产品序列号", "serial", "serial number", "sn"),
           required=True),
    Column("purchase_date", _("Purchase date"), ("购买日期", "购买时间", "purchase date", "purchased")),
    Column("install_date", _("Install date"), ("安装日期", "安装时间", "install date", "installed")),
    Column("segment", _("Segment"), ("客户分层", "分层", "客户类型", "segment")),
    Column("site_name", _("Site name"), ("场所名称", "场所", "site name", "site")),
)
BY_KEY = {c.key: c for c in COLUMNS}


def _normal(header: Any) -> str:
    text = str(header or "").strip().lower().split("(")[0].split("（")[0]
    return text.replace(" ", "").replace("_", "").replace("\u3000", "")


ALIASES = {_normal(alias): c.key for c in COLUMNS for alias in c.aliases}


def template_header() -> list[str]:
    """The header of the template download: the Chinese name and the English one, as both are accepted."""
    return [f"{c.aliases[0]}/{next(a for a in c.aliases if a.isascii())}" for c in COLUMNS]


def map_header(header: list[Any]) -> dict[int, str]:
    """The sheet's column positions → our column keys; refused when a required column is missing."""
    found: dict[int, str] = {}
    for index, name in enumerate(header):
        text = _normal(name)
        key = ALIASES.get(text) or next((ALIASES[p] for p in text.split("/") if p in ALIASES), None)
        if key and key not in found.values():
            found[index] = key
    missing = [c for c in COLUMNS if c.required and c.key not in found.values()]
    if missing:
        raise MissingColumns(
            _("The sheet lacks required columns: %(columns)s.")
            % {"columns": ", ".join(f"{c.aliases[0]} / {c.label}" for c in missing)},
            field="file", missing=[c.key for c in missing])
    return found


def file_format(name: str) -> str:
    lowered = (name or "").lower()
    if lowered.endswith(".xlsx"):
        return FileFormat.XLSX
    if lowered.endswith(".csv"):
        return FileFormat.CSV
    raise BadFile(field="file")


def _csv_encoding(stream: IO[bytes]) -> str:
    """UTF-8 when the whole file decodes as UTF-8, else GB 18030 (a Chinese Excel's "CSV")."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "gb18030"
    finally:
        stream.seek(0)


def raw_rows(stream: IO[bytes], fmt: str) -> Iterator[list[Any]]:
    """Every row of the first sheet as a list of cell values, the header first."""
    if fmt == FileFormat.CSV:
        text = io.TextIOWrapper(stream, encoding=_csv_encoding(stream), newline="")
        try:
            yield from csv.reader(text)
        except csv.Error as exc:
            raise BadFile(field="file") from exc
        finally:
            text.detach()
        return
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise BadFile(field="file") from exc
    except Exception as exc:  # noqa: BLE001 - a broken zip raises zipfile's and openpyxl's own errors alike
        raise BadFile(field="file") from exc
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def text_of(value: Any) -> str:
    """A cell as text: a whole number without ".0" (a phone or serial typed as a number), a date as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read(stream: IO[bytes], fmt: str) -> tuple[dict[int, str], Iterator[tuple[int, dict[str, Any]]]]:
    """The header's mapping and the data rows as (row number, {column key: cell value}); blank rows skipped.

    Row numbers are the sheet's own (the header is row 1), so a row named in the preview is found in Excel.
    """
    rows = raw_rows(stream, fmt)
    header = next(rows, None)
    if header is None:
        raise BadFile(_("The file is empty."), field="file")
    mapping = map_header(header)

    def body() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, row in enumerate(rows, start=2):
            cells = {key: row[index] if index < len(row) else None for index, key in mapping.items()}
            if all(text_of(v) == "" for v in cells.values()):
                continue
            yield number, cells

    return mapping, body()


def count_rows(stream: IO[bytes], fmt: str) -> int:
    """About how many data rows the file has, cheaply (for the progress bar before the rows are checked): a csv's
    line breaks, an xlsx sheet's stated dimension. Blank rows count here; the check skips them."""
    try:
        if fmt == FileFormat.CSV:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))
            return max(lines - 1, 0)
        book = load_workbook(stream, read_only=True)
        try:
            return max((book.worksheets[0].max_row or 1) - 1, 0)
        finally:
            book.close()
    except Exception:  # noqa: BLE001 - only an estimate: the check itself says what is wrong with the file
        return 0
    finally:
        stream.seek(0)
