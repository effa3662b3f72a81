"""What a service report says, read from the order as plain data for the template (no PDF here).

Order, product, work done (checklist, diagnosis), parts, photos, the charge line by line with the covered
lines, the warranty verdict, payment, signature, technician and brand. The technician app's visit
(field.models.Visit) supplies the work done, the charge frozen at completion, payment and signature; an
order completed without one (before the technician app, or closed by the desk) is reported from what the
order has: its estimate, customer-visible timeline and photos.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from core.dates import hours
from field.jobtemplates import template_for
from field.models import Visit
from workorders.choices import Status, is_first_booking
from workorders.estimates import localized
from workorders.models import AttachmentKind, WorkOrder, WorkOrderAttachment
from workorders.workflow import ACTIONS

PHOTO_MAX_PX = 900  # a photo prints about 8 cm wide: this is plenty, and keeps the PDF small
PHOTOS_MAX = 12


@dataclass(frozen=True)
class ChargeLine:
    description: str
    quantity: int
    unit_price: Decimal | None  # None: to be confirmed (a call-out fee for a site without a location)
    gross: Decimal | None
    covered: bool
    reason: str
    customer_pays: Decimal | None


@dataclass(frozen=True)
class Photo:
    label: str
    data_uri: str


@dataclass
class ReportData:
    order: WorkOrder
    brand_name: str
    brand_phone: str
    technician_name: str
    outlet_name: str
    checklist: list[tuple[str, str]] = field(default_factory=list)
    fault_code: str = ""
    diagnosed_symptom: str = ""
    diagnosis: str = ""
    parts: list[tuple[str, str, int]] = field(default_factory=list)
    photos: list[Photo] = field(default_factory=list)
    charge_basis: str = "estimate"  # "charge" (priced at completion) or "estimate" (as quoted at intake)
    charge_available: bool = False
    charge_unavailable_reason: str = ""
    lines: list[ChargeLine] = field(default_factory=list)
    gross_total: Decimal | None = None
    covered_total: Decimal | None = None
    total: Decimal | None = None
    warranty_covered: bool | None = None
    warranty_reason: str = ""
    warranty_until: str = ""
    payment_method: str = ""
    payment_amount: Decimal | None = None
    payment_reference: str = ""
    signature: str = ""
    signed_by: str = ""
    checked_in_at: Any = None
    checked_out_at: Any = None
    on_site: str = ""  # "2026-12-07 09:12–10:30": the visit's window, written as the customer's pages write one
    labour_minutes: int | None = None
    timeline: list[tuple[Any, str]] = field(default_factory=list)
    generated_at: Any = None


def _image_uri(attachment: WorkOrderAttachment, *, max_px: int = PHOTO_MAX_PX) -> str:
    """The file as a data: URI, photos scaled down and re-encoded (the PDF fetches nothing from anywhere)."""
    with attachment.file.open("rb") as handle:
        raw = handle.read()
    with Image.open(io.BytesIO(raw)) as image:
        image.load()
        keep_alpha = attachment.kind == AttachmentKind.SIGNATURE
        if not keep_alpha:
            image = image.convert("RGB")
        image.thumbnail((max_px, max_px))
        out = io.BytesIO()
        if keep_alpha:
            image.save(out, format="PNG", optimize=True)
            mime = "image/png"
        else:
            image.save(out, format="JPEG", quality=80, optimize=True)
            mime = "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(out.getvalue()).decode()}"


def _answer(value: str, unit: str) -> str:
    if value == "done":
        return _("Done")
    if value == "yes":
        return _("Yes")
    if value == "no":
        return _("No")
    return f"{value} {unit}".strip()


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _charge(data: ReportData, charge: dict, basis: str) -> None:
    data.charge_basis = basis
    if not charge:
        return
    if not charge.get("available"):
        data.charge_unavailable_reason = localized(charge.get("reason"))
        return
    data.charge_available = True
    data.lines = [
        ChargeLine(description=localized(line.get("description")), quantity=int(line.get("quantity") or 1),
                   unit_price=_money(line.get("unit_price", 0)), gross=_money(line.get("gross", 0)),
                   covered=bool(line.get("covered")), reason=localized(line.get("reason")),
                   customer_pays=_money(line.get("customer_pays", 0)))
        for line in charge.get("lines", [])
    ]
    data.gross_total, data.covered_total = _money(charge.get("gross_total")), _money(charge.get("covered_total"))
    data.total = _money(charge.get("total"))
    warranty = charge.get("warranty") or {}
    data.warranty_covered = warranty.get("covered")
    data.warranty_reason = localized(warranty.get("reason"))
    data.warranty_until = warranty.get("until") or ""
    data.parts = [(line.get("code", ""), localized(line.get("description")), int(line.get("quantity") or 1))
                  for line in charge.get("lines", []) if line.get("kind") == "part"]


def _visit(order: WorkOrder) -> Visit | None:
    return (Visit.objects.filter(work_order=order, completed_at__isnull=False)
            .select_related("symptom", "signature", "technician")
            .prefetch_related("answers__item", "photos__attachment")
            .order_by("-completed_at").first())


def _photo_labels(order: WorkOrder) -> dict[str, str]:
    template = template_for(order) if order.product_id else None
    return {p.code: p.label for p in template.photos.all()} if template else {}


def report_data(order: WorkOrder) -> ReportData:
    """Everything the report shows, for an order fetched by the caller (the task: by id, as the brand)."""
    order = (WorkOrder.objects.select_related("brand", "customer", "site", "product__product_model__category",
                                              "technician__outlet", "outlet", "reported_symptom")
             .get(pk=order.pk))
    technician = order.technician
    data = ReportData(
        order=order, brand_name=order.brand.name, brand_phone=order.brand.phone,
        technician_name=technician.name if technician else "",
        outlet_name=(order.outlet.name if order.outlet else technician.outlet.name if technician else ""),
        generated_at=timezone.now(),
    )
    visit = _visit(order)
    if visit is not None:
        data.technician_name = visit.technician.name
        data.checklist = [(a.label, _answer(a.value, a.item.unit if a.item else "")) for a in visit.answers.all()
                          if a.value]
        data.fault_code, data.diagnosis = visit.fault_code, visit.diagnosis
        data.diagnosed_symptom = visit.symptom.name if visit.symptom else ""
        data.checked_in_at, data.checked_out_at, data.labour_minutes = (
            visit.checked_in_at, visit.checked_out_at, visit.labour_minutes)
        arrived, left = visit.checked_in_at, visit.checked_out_at
        if arrived is not None:
            data.on_site = f"{timezone.localtime(arrived):%Y-%m-%d} {hours(arrived, left)}"
        data.payment_method = visit.get_payment_method_display() if visit.payment_method else ""
        data.payment_amount, data.payment_reference = visit.payment_amount, visit.payment_reference
        if visit.signature is not None:
            data.signature, data.signed_by = _image_uri(visit.signature, max_px=600), visit.signed_by
        labels = _photo_labels(order)
        photos = [(labels.get(p.requirement, ""), p.attachment) for p in visit.photos.all()]
        _charge(data, visit.charge or order.estimate, "charge" if visit.charge else "estimate")
    else:
        photos = [("", a) for a in order.attachments.filter(kind=AttachmentKind.PHOTO).order_by("created_at", "pk")]
        signature = order.attachments.filter(kind=AttachmentKind.SIGNATURE).order_by("-created_at").first()
        if signature is not None:
            data.signature = _image_uri(signature, max_px=600)
        _charge(data, order.estimate, "estimate")
    for label, attachment in photos[:PHOTOS_MAX]:
        try:
            data.photos.append(Photo(label=label, data_uri=_image_uri(attachment)))
        except (OSError, ValueError):
            continue  # a file gone missing or unreadable does not stop the report
    data.timeline = [(e.created_at, _event_text(e)) for e in order.events.filter(customer_visible=True)
                     .order_by("created_at", "pk")]
    return data


def _event_text(event) -> str:
    if is_first_booking(event.kind, event.data):
        return _("Visit booked")  # the order's first window, not a move (portal/tracking.py says it so too)
    if event.action in ACTIONS:
        return str(ACTIONS[event.action].label)
    if event.to_status:
        return str(Status(event.to_status).label)
    return event.get_kind_display()
