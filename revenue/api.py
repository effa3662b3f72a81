"""Sales on site over HTTP: thin adapters over revenue.services and revenue.workflow (STYLE.md §2).

Everything is fetched through ``visible_to``; a lead or an order the caller may not see is a 404.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Header, Query, Router
from pydantic import BaseModel, PlainSerializer, WithJsonSchema

from accounts.models import Organisation
from core.api import AUTH, ApiDateTime, get_visible, json_response, page_params, principal
from core.errors import PermissionDenied
from core.idempotency import run_idempotent
from core.schema import Id, Input, Int
from revenue import selectors, services, workflow
from revenue.choices import LeadKind, LeadStatus
from revenue.consent import consent_wording
from revenue.models import NOTE_MAX, REASON_MAX, Commission, Lead
from workorders.models import WorkOrder

router = Router(tags=["revenue"], auth=AUTH)

KindLit = Literal[tuple(LeadKind.values)]  # type: ignore[valid-type]
StatusLit = Literal[tuple(LeadStatus.values)]  # type: ignore[valid-type]
ActionLit = Literal[tuple(workflow.ACTIONS)]  # type: ignore[valid-type]
Money = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
                  WithJsonSchema({"type": "string", "example": "1280.00"})]


class RuleOut(BaseModel):
    percent: Money
    fixed_amount: Money
    valid_from: dt.date
    valid_to: dt.date | None


class LeadKindOut(BaseModel):
    kind: str
    label: str
    queue: str
    consent_wording: str
    rule: RuleOut | None


class LeadIn(Input):
    kind: KindLit
    consent: bool = Field(..., description="The customer agreed to be contacted about this offer.")
    consented_by: str = Field(..., max_length=200, description="Who agreed (the customer, or who was on site).")
    consent_wording: str = Field(..., max_length=2000,
                                 description="The wording shown, as GET /api/v1/revenue/lead-kinds gave it.")
    note: str = Field("", max_length=NOTE_MAX)
    contact_phone: str = Field("", max_length=30)


class CommissionOut(BaseModel):
    id: int
    lead_id: int
    amount: Money
    base_value: Money
    percent: Money
    fixed_amount: Money
    rule_id: int | None
    earned_at: ApiDateTime


class LeadOut(BaseModel):
    id: int
    kind: str
    status: str
    queue: str
    work_order_id: int
    work_order_number: str
    customer_id: int
    customer_name: str
    technician_id: int
    outlet_id: int
    contact_phone: str
    note: str
    consented_by: str
    consent_at: ApiDateTime
    consent_text: str
    consent_language: str
    value: Money | None
    lost_reason: str
    contacted_at: ApiDateTime | None
    closed_at: ApiDateTime | None
    created_at: ApiDateTime
    version: int
    commission: CommissionOut | None


class LeadPage(BaseModel):
    count: int
    page: int
    page_size: int
    items: list[LeadOut]


class LeadFilters(Input):
    status: StatusLit | None = None
    kind: KindLit | None = None
    page: Int = 1
    page_size: Int = 50


class LeadTransitionIn(Input):
    action: ActionLit
    version: Id | None = None
    value: str | None = Field(None, max_length=30, description="For win: the amount sold, e.g. \"1280.00\".")
    reason: str = Field("", max_length=REASON_MAX, description="For lose: why.")
    term_id: Id | None = Field(None, description="For win of an extended-warranty lead: the term sold "
                                                 "(GET /api/v1/warranty/offers); value defaults to its price.")


def _commission(c: Commission | None) -> CommissionOut | None:
    if c is None:
        return None
    return CommissionOut(id=c.pk, lead_id=c.lead_id, amount=c.amount, base_value=c.base_value, percent=c.percent,
                         fixed_amount=c.fixed_amount, rule_id=c.rule_id, earned_at=c.earned_at)


def _lead(lead: Lead) -> LeadOut:
    try:
        commission = lead.commission
    except Commission.DoesNotExist:
        commission = None
    return LeadOut(
        id=lead.pk, kind=lead.kind, status=lead.status, queue=lead.queue, work_order_id=lead.work_order_id,
        work_order_number=lead.work_order.number, customer_id=lead.customer_id, customer_name=lead.customer.name,
        technician_id=lead.technician_id, outlet_id=lead.outlet_id, contact_phone=lead.contact_phone,
        note=lead.note, consented_by=lead.consented_by, consent_at=lead.consent_at, consent_text=lead.consent_text,
        consent_language=lead.consent_language, value=lead.value, lost_reason=lead.lost_reason,
        contacted_at=lead.contacted_at, closed_at=lead.closed_at, created_at=lead.created_at, version=lead.version,
        commission=_commission(commission),
    )


def _leads(request):
    return Lead.objects.select_related("work_order", "customer", "commission")


@router.get("/lead-kinds", response=list[LeadKindOut], summary="What a technician can offer, and the words to show")
def lead_kinds(request):
    seat = principal(request)
    if seat.is_customer:
        raise PermissionDenied()
    brand = Organisation.objects.get(pk=seat.brand_id)
    today = timezone.localdate()
    found = []
    for kind in LeadKind:
        rule = selectors.rule_in_force(brand_id=brand.pk, kind=kind, day=today)
        found.append(LeadKindOut(
            kind=kind.value, label=str(kind.label), queue=selectors.queue_for(brand_id=brand.pk, kind=kind, day=today),
            consent_wording=consent_wording(brand_name=brand.name, kind=kind),
            rule=RuleOut(percent=rule.percent, fixed_amount=rule.fixed_amount, valid_from=rule.valid_from,
                         valid_to=rule.valid_to) if rule else None,
        ))
    return found


@router.post("/orders/{order_id}/leads", response={201: LeadOut}, summary="Record a lead on this job")
def record_lead(request, order_id: Id, payload: LeadIn,
                idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    order = get_visible(WorkOrder.objects.select_related("brand", "customer", "technician"), request, order_id)
    actor = principal(request)

    def create() -> LeadOut:
        lead = services.record_lead(
            actor=actor, order=order, kind=payload.kind, consent=payload.consent, consented_by=payload.consented_by,
            consent_wording=payload.consent_wording, note=payload.note, contact_phone=payload.contact_phone,
        )
        return _lead(_leads(request).get(pk=lead.pk))

    if not idempotency_key:
        return json_response(create(), status=201)
    status, body = run_idempotent(user=request.user, scope=f"revenue.lead.{order.pk}", key=idempotency_key,
                                  body=payload.model_dump(mode="json"),
                                  fn=lambda: (201, create().model_dump(mode="json")))
    return json_response(LeadOut.model_validate(body), status=status)


@router.get("/leads", response=LeadPage, summary="The leads of your queue (or, for a technician, yours)")
def list_leads(request, filters: Query[LeadFilters]):
    page, size = page_params(filters.page, filters.page_size)
    qs = selectors.leads(request.user, status=filters.status or "", kind=filters.kind or "").select_related(
        "commission")
    count = qs.count()
    items = [_lead(lead) for lead in qs[(page - 1) * size: page * size]]
    return LeadPage(count=count, page=page, page_size=size, items=items)


@router.get("/leads/{lead_id}", response=LeadOut, summary="One lead")
def get_lead(request, lead_id: Id):
    return _lead(get_visible(_leads(request), request, lead_id))


@router.post("/leads/{lead_id}/transitions", response=LeadOut,
             summary="Work a lead: contact, win (with its value) or lose (with a reason)")
def lead_transition(request, lead_id: Id, payload: LeadTransitionIn):
    lead = get_visible(_leads(request), request, lead_id)
    lead = workflow.transition(lead, payload.action, actor=principal(request), version=payload.version,
                               value=payload.value, reason=payload.reason, term_id=payload.term_id)
    return _lead(_leads(request).get(pk=lead.pk))


@router.get("/commissions", response=list[CommissionOut], summary="Commissions earned (a technician: their own)")
def list_commissions(request):
    principal(request)
    return [_commission(c) for c in Commission.objects.visible_to(request.user)[:200]]
