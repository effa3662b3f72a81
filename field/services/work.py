"""The work on site: checklist answers, photos, diagnosis, parts from the van, payment, the signature.

Each is one transaction that first claims the visit (common.claim: the job must be on site and the
technician's; a finished job refuses every change) and writes nothing when it refuses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from catalog.models import Part, Symptom
from core.bounds import money_input
from core.errors import InvalidInput
from core.images import accept_photo
from field.choices import ItemKind, PaymentMethod
from field.jobtemplates import template_for
from field.models import ANSWER_MAX, FAULT_CODE_MAX, TEXT_MAX, ChecklistAnswer, Visit, VisitPhoto
from field.services.common import claim, happened_at
from field.signature import accept_signature
from parts.services import Line, consume_on_job
from workorders.attachments import files_rolled_back, store_attachment, store_photo
from workorders.models import AttachmentKind, WorkOrder, WorkOrderAttachment

MAX_VISIT_PHOTOS = 30
MAX_AMOUNT = Decimal("1000000")
NUMBER_LIMIT = Decimal("1000000")
FAULT_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")
REFERENCE_MAX = 60
SIGNER_MAX = 80


def _visit_fields(visit: Visit, **changes) -> None:
    """Write fields of a visit already claimed (its version was bumped by claim)."""
    Visit.objects.filter(pk=visit.pk).update(**changes)
    for name, value in changes.items():
        setattr(visit, name, value)


# --- checklist ------------------------------------------------------------------------------------------------

def _answer_value(item, value: Any) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    if item.kind == ItemKind.CHECK:
        if text not in ("done", "true", "1"):
            raise InvalidInput(_("Tick the item or leave it empty."), field="answers", item=item.pk)
        return "done"
    if item.kind == ItemKind.YES_NO:
        if text not in ("yes", "no"):
            raise InvalidInput(_("Answer yes or no."), field="answers", item=item.pk)
        return text
    if item.kind == ItemKind.NUMBER:
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise InvalidInput(_("Enter a number."), field="answers", item=item.pk) from None
        if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
            raise InvalidInput(_("Enter a number."), field="answers", item=item.pk)
        return format(number.normalize(), "f")
    if len(text) > ANSWER_MAX:
        raise InvalidInput(_("This answer is too long."), field="answers", item=item.pk, max_length=ANSWER_MAX)
    return text


def answer_checklist(*, order: WorkOrder, actor: Principal, answers: Sequence[tuple[int, Any]]) -> Visit:
    """Record answers to the job's checklist items; an empty answer takes a previous one back."""
    answers = list(answers)
    if not answers:
        raise InvalidInput(_("Answer at least one item."), field="answers")
    template = template_for(order)
    items = {item.pk: item for item in template.items.all()} if template else {}
    cleaned: dict[int, str] = {}
    for item_id, value in answers:
        item = items.get(item_id) if isinstance(item_id, int) and not isinstance(item_id, bool) else None
        if item is None:
            raise InvalidInput(_("This is not an item of the job's checklist."), field="answers", item=item_id)
        cleaned[item.pk] = _answer_value(item, value)
    now = timezone.now()
    with transaction.atomic():
        visit = claim(order, actor)
        for item_id, value in cleaned.items():
            if not value:
                ChecklistAnswer.objects.filter(visit=visit, item_id=item_id).delete()
                continue
            ChecklistAnswer.objects.update_or_create(
                visit=visit, item_id=item_id,
                defaults={"label": items[item_id].label, "value": value, "answered_by": actor.user,
                          "answered_at": now})
    return visit


# --- photos ---------------------------------------------------------------------------------------------------

def add_visit_photo(*, order: WorkOrder, actor: Principal, upload: Any, requirement: str = "",
                    at: dt.datetime | None = None) -> VisitPhoto:
    """One photo, checked and shrunk by core.images.accept_photo, kept as an order attachment."""
    requirement = (requirement or "").strip()
    template = template_for(order)
    codes = {p.code for p in template.photos.all()} if template else set()
    if requirement and requirement not in codes:
        raise InvalidInput(_("This is not one of the job's photos."), field="requirement")
    if upload is None:
        raise InvalidInput(_("Choose a photo."), field="photo")
    photo = accept_photo(upload)
    with files_rolled_back() as stored, transaction.atomic():
        visit = claim(order, actor)
        if visit.photos.count() >= MAX_VISIT_PHOTOS:
            raise InvalidInput(_("This job has as many photos as it can take."), field="photo",
                               max=MAX_VISIT_PHOTOS)
        attachment = store_photo(order=order, photo=photo, uploaded_by=actor.user, stored=stored)
        return VisitPhoto.objects.create(visit=visit, attachment=attachment, requirement=requirement,
                                         taken_at=happened_at(at, floor=visit.checked_in_at))


# --- diagnosis ------------------------------------------------------------------------------------------------

def record_diagnosis(*, order: WorkOrder, actor: Principal, fault_code: str = "", symptom_code: str = "",
                     note: str = "") -> Visit:
    """The fault code read off the unit, the symptom it turned out to be (it prices the job), a note."""
    fault_code = (fault_code or "").strip().upper()
    if len(fault_code) > FAULT_CODE_MAX or fault_code and not FAULT_CODE.match(fault_code):
        raise InvalidInput(_("A fault code is letters, digits, dots and dashes, as the unit shows it."),
                           field="fault_code", max_length=FAULT_CODE_MAX)
    note = (note or "").strip()
    if len(note) > TEXT_MAX:
        raise InvalidInput(_("The note is too long."), field="note", max_length=TEXT_MAX)
    symptom = None
    symptom_code = (symptom_code or "").strip()
    if symptom_code:
        category_id = order.product.product_model.category_id if order.product_id else None
        symptom = Symptom.objects.filter(category_id=category_id, code=symptom_code, is_active=True).first()
        if symptom is None:
            raise InvalidInput(_("Choose a symptom from the list for this product's category."),
                               field="symptom_code")
    with transaction.atomic():
        visit = claim(order, actor)
        _visit_fields(visit, fault_code=fault_code, symptom=symptom, diagnosis=note)
    return visit


# --- parts ----------------------------------------------------------------------------------------------------

def use_parts(*, order: WorkOrder, actor: Principal, lines: Sequence[tuple[int, int]], idempotency_key: str):
    """Parts taken from the technician's van for this job: parts.services.consume_on_job (compare-and-set on
    the van's stock, once per key); too few on hand refuses the whole call with nothing written."""
    lines = list(lines)
    if not lines:
        raise InvalidInput(_("List at least one part."), field="lines")
    parts = {p.pk: p for p in Part.objects.visible_to(actor.user).filter(
        pk__in=[pid for pid, _qty in lines if isinstance(pid, int) and not isinstance(pid, bool)])}
    checked = []
    for index, (part_id, quantity) in enumerate(lines):
        part = parts.get(part_id)
        if part is None:
            raise InvalidInput(_("Unknown part."), field="lines", line=index)
        checked.append(Line(part=part, quantity=quantity))
    with transaction.atomic():
        claim(order, actor)
        return consume_on_job(order=order, actor=actor, lines=checked, idempotency_key=idempotency_key)


# --- payment --------------------------------------------------------------------------------------------------

def _amount(value: Any) -> Decimal:
    amount = money_input(value, field="amount", message=_("Give the amount in yuan, e.g. 128.00."))
    if amount >= MAX_AMOUNT:
        raise InvalidInput(_("Give the amount in yuan, e.g. 128.00."), field="amount")
    return amount.quantize(Decimal("0.01"))


def record_payment(*, order: WorkOrder, actor: Principal, method: str, amount: Any, reference: str = "") -> Visit:
    """What the customer paid and how (cash, WeChat Pay, bank transfer): recorded here, processed elsewhere."""
    if method not in PaymentMethod.values:
        raise InvalidInput(_("Choose how the customer paid."), field="method", allowed=list(PaymentMethod.values))
    amount = _amount(amount)
    reference = (reference or "").strip()
    if len(reference) > REFERENCE_MAX:
        raise InvalidInput(_("The reference is too long."), field="reference", max_length=REFERENCE_MAX)
    with transaction.atomic():
        visit = claim(order, actor)
        _visit_fields(visit, payment_method=method, payment_amount=amount, payment_reference=reference,
                      payment_recorded_at=timezone.now())
    return visit


# --- signature ------------------------------------------------------------------------------------------------

def sign(*, order: WorkOrder, actor: Principal, upload: Any, signer: str = "") -> Visit:
    """The customer's signature drawn on the phone, stored as the order's signature attachment (a PNG).
    Signing again replaces it."""
    signer = (signer or "").strip()
    if len(signer) > SIGNER_MAX:
        raise InvalidInput(_("The name is too long."), field="signer", max_length=SIGNER_MAX)
    content = accept_signature(upload)
    with files_rolled_back() as stored, transaction.atomic():
        visit = claim(order, actor)
        previous = visit.signature_id
        attachment = store_attachment(order=order, content=content, kind=AttachmentKind.SIGNATURE,
                                      content_type="image/png", uploaded_by=actor.user, width=content.width,
                                      height=content.height, stored=stored)
        _visit_fields(visit, signature=attachment, signed_by=signer)
        if previous:
            old = WorkOrderAttachment.objects.filter(pk=previous).first()
            if old is not None:
                name, storage = old.file.name, old.file.storage
                old.delete()
                transaction.on_commit(lambda: storage.delete(name))
    return visit
