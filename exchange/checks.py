"""Checking the installed base's rows: each row on its own, then a batch's serials against the file and the database.

The per-batch lookups are one query each (the serials of the batch), never one per row; the catalogue and the
regions are read once per job. A check's refusal is (column, code, message), shown beside the row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import ProductModel
from core.dates import brand_tz
from core.phones import normalize_phone
from customers.choices import Segment
from customers.models import InstalledProduct
from exchange.sheets import BY_KEY, COLUMNS, text_of
from network.models import Region

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M")
LIMITS = {"name": 120, "address": 255, "serial": 40, "site_name": 120}


@dataclass
class ModelRef:
    id: int
    warranty_months: int
    pattern: re.Pattern | None


@dataclass
class Catalogue:
    """What a job's rows are checked against, read once: the brand's models and regions, and today."""

    brand_id: int
    models: dict[str, ModelRef]
    regions: dict[str, int]
    today: dt.date

    @classmethod
    def of(cls, brand_id: int) -> Catalogue:
        models = {}
        for pk, code, months, pattern in ProductModel.objects.filter(category__brand_id=brand_id).values_list(
                "pk", "code", "warranty_months", "serial_pattern"):
            models[code.strip().upper()] = ModelRef(pk, months, re.compile(pattern) if pattern else None)
        regions: dict[str, int] = {}
        for pk, code, name in Region.objects.filter(brand_id=brand_id).values_list("pk", "code", "name"):
            regions.setdefault(name.strip(), pk)
            regions[code.strip().lower()] = pk
        return cls(brand_id, models, regions, timezone.now().astimezone(brand_tz()).date())


SEGMENTS = {**{s.value: s.value for s in Segment},
            "经济型": Segment.COST_SAVING, "成本型": Segment.COST_SAVING, "cost-saving": Segment.COST_SAVING,
            "价值型": Segment.VALUE, "标准": Segment.VALUE, "高端": Segment.PREMIUM, "高端型": Segment.PREMIUM}


@dataclass
class Row:
    number: int
    values: dict[str, str]  # column key → the cell as text, shown beside the errors
    clean: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (column key, code, message)
    unchanged: bool = False  # its serial is already the same customer's

    def refuse(self, column: str, code: str, message: str) -> None:
        self.errors.append((column, code, message))

    @property
    def valid(self) -> bool:
        return not self.errors


def _date(row: Row, key: str, value: Any, today: dt.date) -> dt.date | None:
    if value is None or text_of(value) == "":
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        day = None
        for fmt in DATE_FORMATS:
            try:
                day = dt.datetime.strptime(text_of(value), fmt).date()
                break
            except ValueError:
                continue
        if day is None:
            row.refuse(key, "invalid_date", _("Not a date: write it as 2025-03-18."))
            return None
    if day > today:
        row.refuse(key, "date_in_future", _("The date is in the future."))
        return None
    return day


def check_row(number: int, cells: dict[str, Any], catalogue: Catalogue) -> Row:
    """One row on its own: required fields, the phone, the model, the region, the segment, the dates."""
    row = Row(number, {key: text_of(value) for key, value in cells.items()})
    text = row.values
    for column in COLUMNS:
        if column.required and not text.get(column.key):
            row.refuse(column.key, "required", _("%(column)s is required.") % {"column": column.label})
    for key, limit in LIMITS.items():
        if len(text.get(key, "")) > limit:
            row.refuse(key, "too_long", _("At most %(limit)d characters.") % {"limit": limit})
    if text.get("phone"):
        try:
            row.clean["phone"] = normalize_phone(text["phone"])
        except ValidationError:
            row.refuse("phone", "invalid_phone", _("Not a valid phone number."))
    model = None
    if text.get("model"):
        model = catalogue.models.get(text["model"].upper())
        if model is None:
            row.refuse("model", "unknown_model", _("No model with the code %(code)s.") % {"code": text["model"]})
    row.clean["model"] = model
    serial = text.get("serial", "")
    row.clean["serial"] = serial
    if serial and model is not None and model.pattern is not None and not model.pattern.fullmatch(serial):
        row.refuse("serial", "serial_pattern", _("The serial does not fit the model's serial numbers."))
    row.clean["region"] = None
    if text.get("region"):
        region = catalogue.regions.get(text["region"]) or catalogue.regions.get(text["region"].lower())
        if region is None:
            row.refuse("region", "unknown_region", _("No region %(region)s.") % {"region": text["region"]})
        row.clean["region"] = region
    segment = text.get("segment", "")
    row.clean["segment"] = SEGMENTS.get(segment.lower() if segment.isascii() else segment) if segment \
        else Segment.VALUE
    if row.clean["segment"] is None:
        row.refuse("segment", "unknown_segment", _("Unknown segment: cost_saving, value or premium."))
    bought = _date(row, "purchase_date", cells.get("purchase_date"), catalogue.today)
    installed = _date(row, "install_date", cells.get("install_date"), catalogue.today)
    if bought and installed and installed < bought:
        row.refuse("install_date", "date_order", _("Installed before it was bought."))
    row.clean.update(purchase_date=bought, install_date=installed, name=text.get("name", ""),
                     address=text.get("address", ""), site_name=text.get("site_name", ""))
    return row


def check_serials(rows: list[Row], catalogue: Catalogue, seen: dict[str, int]) -> None:
    """A batch's serials: once in the file (``seen``: serial → its first row, across batches), and not another
    customer's. A serial the same customer (by phone) already has is ``unchanged``: importing it again is a no-op."""
    for row in rows:
        serial = row.clean.get("serial")
        if not serial:
            continue
        first = seen.setdefault(serial, row.number)
        if first != row.number:
            row.refuse("serial", "duplicate_serial",
                       _("The same serial is on row %(row)d of the file.") % {"row": first})
    serials = {row.clean["serial"] for row in rows if row.valid}
    owners = dict(InstalledProduct.objects.filter(brand_id=catalogue.brand_id, serial__in=serials)
                  .values_list("serial", "customer__phone"))
    for row in rows:
        if not row.valid or row.clean["serial"] not in owners:
            continue
        if owners[row.clean["serial"]] == row.clean["phone"]:
            row.unchanged = True
        else:
            row.refuse("serial", "serial_taken", _("This serial is already another customer's unit."))


def column_label(key: str) -> str:
    column = BY_KEY.get(key)
    return str(column.label) if column else key
