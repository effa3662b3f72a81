"""Intake over the API: the preview before confirming, the request itself, and the order's files.

Thin adapters over workorders.intake and workorders.attachments (STYLE.md §2); everything is fetched
through ``visible_to``, and what the caller may not see is a 404.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Header, Query, Router, UploadedFile
from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema

from catalog.models import Symptom
from core.api import AUTH, ApiDateTime, get_visible, json_response, principal, ref
from core.errors import InvalidInput, NotFound
from core.idempotency import run_idempotent
from core.schema import Id, Input, Moment
from customers.api import WarrantyOut
from customers.models import Customer, InstalledProduct, Site
from workorders import intake, services, workflow
from workorders.api import WorkOrderDetail
from workorders.attachments import add_photos
from workorders.choices import Channel, Priority, WorkOrderType
from workorders.models import SYMPTOM_MAX, WorkOrder, WorkOrderAttachment

router = Router(tags=["intake"], auth=AUTH)

TypeLit = Literal[tuple(WorkOrderType.values)]  # type: ignore[valid-type]
ChannelLit = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
PriorityLit = Literal[tuple(Priority.values)]  # type: ignore[valid-type]
MoneyStr = str  # Decimal amounts travel as strings: "80.00"
MoneyOut = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
                     WithJsonSchema({"type": "string", "example": "80.00"})]


class IntakeQuery(Input):
    service_type: TypeLit = WorkOrderType.REPAIR
    symptom_code: str = Field("", max_length=40)


class QuoteLineOut(BaseModel):
    kind: str
    code: str
    description: str
    # "priced"; "approximate" (a call-out fee from a point near the site); "to_confirm" (the site has no
    # location yet: no amount, the amounts are null, except what a covered line costs the customer, 0).
    state: Literal["priced", "approximate", "to_confirm"]
    unit_price: MoneyStr | None
    quantity: int
    gross: MoneyStr | None
    covered: bool
    reason_code: str
    reason: str
    customer_pays: MoneyStr | None


class PriceListOut(BaseModel):
    id: int
    name: str
    valid_from: str
    valid_to: str | None


class QuoteOut(BaseModel):
    price_list: PriceListOut
    on: str
    service_type: str
    currency: str
    warranty: WarrantyOut
    distance_km: str | None
    distance_approximate: bool  # the distance is from a point near the site (its district's centre)
    lines: list[QuoteLineOut]
    gross_total: MoneyStr
    covered_total: MoneyStr
    total: MoneyStr  # of the priced lines; with total_complete false a line is still to be confirmed
    total_complete: bool


class UnavailableOut(BaseModel):
    code: str
    message: str


class DuplicateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    type: str
    status: str
    created_at: ApiDateTime
    completed_at: ApiDateTime | None


class SlotOut(BaseModel):
    start: ApiDateTime
    end: ApiDateTime
    outlet_id: int
    free: int


class SymptomOut(BaseModel):
    code: str
    name: str
    excludes_warranty: bool


class IntakePreviewOut(BaseModel):
    product_id: int
    service_type: str
    symptom_code: str
    mail_in_allowed: bool
    # A visit asked for where no outlet serves the address at all; mail_in_instead: send it in for repair instead
    # (ask again with service_type mail_in for the pickup windows).
    unserved: bool
    mail_in_instead: bool
    courier_fee: MoneyOut | None = Field(description="Mail-in: the courier both ways, on top of the quote's total.")
    symptoms: list[SymptomOut]
    quote: QuoteOut | None
    quote_unavailable: UnavailableOut | None
    duplicates: list[DuplicateOut]
    slots: list[SlotOut]


class ServiceRequestIn(Input):
    model_config = ConfigDict(extra="forbid")

    customer_id: Id | None = Field(None, description="Required for staff; a customer's own by default.")
    service_type: TypeLit
    channel: ChannelLit | None = Field(None, description="Staff only (default hotline); a customer's is the portal.")
    product_id: Id | None = None
    site_id: Id | None = None
    symptom_code: str = Field("", max_length=40)
    description: str = Field("", max_length=SYMPTOM_MAX)
    slot_start: Moment | None = None
    slot_end: Moment | None = None
    priority: PriorityLit | None = Field(None, description="Staff only (default normal); a customer's is the "
                                         "brand's default for them.")


class ServiceRequestOut(WorkOrderDetail):
    reported_symptom_code: str | None
    estimate: dict  # workorders.estimates.estimate_json: texts in every language, amounts as strings
    estimate_total: MoneyOut | None


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    work_order_id: int
    kind: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    customer_visible: bool
    created_at: ApiDateTime
    url: str


def _product(request, product_id: Id) -> InstalledProduct:
    return get_visible(InstalledProduct.objects.select_related("product_model__category", "site", "customer"),
                       request, product_id)


@router.get("/intake/products/{product_id}", response=IntakePreviewOut,
            summary="Before a request: estimate, warranty, duplicates, slots")
def intake_preview(request, product_id: Id, query: Query[IntakeQuery]):
    product = _product(request, product_id)
    principal(request)
    found = intake.preview(product=product, service_type=query.service_type, symptom_code=query.symptom_code)
    symptoms = Symptom.objects.filter(category_id=product.product_model.category_id, is_active=True)
    return json_response(IntakePreviewOut(
        product_id=product.pk, service_type=found.service_type,
        symptom_code=found.symptom.code if found.symptom else "", mail_in_allowed=found.mail_in_allowed,
        unserved=found.unserved, mail_in_instead=found.mail_in_instead, courier_fee=found.courier_fee,
        symptoms=[SymptomOut(code=s.code, name=str(s.display_name), excludes_warranty=bool(s.excludes_warranty))
                  for s in symptoms],
        quote=QuoteOut.model_validate(found.quote.as_dict()) if found.quote else None,
        quote_unavailable=UnavailableOut(code=found.quote_unavailable.code, message=found.quote_reason)
        if found.quote_unavailable else None,
        duplicates=[DuplicateOut.model_validate(o) for o in found.duplicates],
        slots=[SlotOut(start=s.start.astimezone(dt.UTC), end=s.end.astimezone(dt.UTC), outlet_id=s.outlet_id,
                       free=s.free) for s in found.slots],
    ))


def _request_out(request, order: WorkOrder) -> ServiceRequestOut:
    order.allowed_actions = [a.name for a in workflow.available_actions(order, principal(request))]
    order.reported_symptom_code = order.reported_symptom.code if order.reported_symptom_id else None
    return ServiceRequestOut.model_validate(order)


@router.post("/intake/requests", response={201: ServiceRequestOut},
             summary="Open a service request (estimate and slot booked)")
def create_request(request, payload: ServiceRequestIn,
                   idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    actor = principal(request)

    def create() -> tuple[int, dict]:
        customer_id = payload.customer_id if payload.customer_id is not None else actor.customer_id
        if customer_id is None:
            raise InvalidInput(_("This field is required."), field="customer_id")
        customer = ref(Customer.objects, request, customer_id, "customer_id")
        product = ref(InstalledProduct.objects.select_related("product_model__category", "site"), request,
                      payload.product_id, "product_id")
        site = ref(Site.objects, request, payload.site_id, "site_id")
        if (payload.slot_start is None) != (payload.slot_end is None):
            raise InvalidInput(_("Give both the start and the end of the time slot."), field="slot_end")
        slot = (payload.slot_start, payload.slot_end) if payload.slot_start else None
        priority, channel = services.caller_terms(actor=actor, customer=customer, priority=payload.priority,
                                                  channel=payload.channel)
        order = intake.submit_request(
            actor=actor, customer=customer, service_type=payload.service_type, channel=channel, product=product,
            site=site, symptom_code=payload.symptom_code, description=payload.description, slot=slot,
            priority=priority,
        )
        return 201, _request_out(request, order).model_dump(mode="json")

    status, body = run_idempotent(user=request.user, scope="intake.request", key=idempotency_key,
                                  body=payload.model_dump(mode="json"), fn=create)
    return json_response(ServiceRequestOut.model_validate(body), status=status)


def _attachment_out(attachment: WorkOrderAttachment) -> AttachmentOut:
    attachment.url = reverse("api:attachment-file", kwargs={"attachment_id": attachment.pk})
    return AttachmentOut.model_validate(attachment)


@router.get("/{order_id}/attachments", response=list[AttachmentOut], summary="The order's files")
def list_attachments(request, order_id: Id):
    order = get_visible(WorkOrder.objects, request, order_id)
    rows = WorkOrderAttachment.objects.visible_to(request.user).filter(work_order=order)
    return [_attachment_out(a) for a in rows]


@router.post("/{order_id}/attachments", response={201: list[AttachmentOut]},
             summary="Add photos (multipart, field 'photos', up to 5)")
def upload_attachments(request, order_id: Id, photos: list[UploadedFile] = File(None)):
    order = get_visible(WorkOrder.objects, request, order_id)
    stored = add_photos(order=order, actor=principal(request), photos=photos or [])
    return 201, [_attachment_out(a) for a in stored]


@router.get("/attachments/{attachment_id}", url_name="attachment-file", summary="Download one file",
            response={200: None})
def attachment_file(request, attachment_id: Id):
    attachment = get_visible(WorkOrderAttachment.objects.select_related("work_order"), request, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise NotFound() from None
    suffix = attachment.file.name.rsplit(".", 1)[-1] if "." in attachment.file.name else "bin"
    response = FileResponse(handle, content_type=attachment.content_type,
                            filename=f"{attachment.work_order.number}-{attachment.pk}.{suffix}")
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline", 1)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
