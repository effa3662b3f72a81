"""Complaints over HTTP: thin adapters over complaints.services and complaints.workflow (STYLE.md §2).

Everything is fetched through ``visible_to``: an outlet sees the complaints about its orders, a customer their
own, another brand nothing (a 404).

One route answers in the caller's shape, told apart by ``view``: staff get the whole complaint (``view``
"staff"), a customer what complaints.selectors.for_customer shows them (``view`` "customer": no notes, rung,
outlet, technician, responsible party, appeal statement or arbiter's reasons). The document names both.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router
from pydantic import BaseModel

from complaints import selectors, services, workflow
from complaints.choices import Channel, ComplaintCategory, ComplaintStatus, Outcome, Remedy, ResponsibleParty, Severity
from complaints.models import DESCRIPTION_MAX, STATEMENT_MAX, Complaint
from core.api import AUTH, ApiDateTime, get_visible, json_response, page_params, principal, ref
from core.errors import InvalidInput
from core.schema import Id, Input, Int, Money
from customers.models import Customer
from workorders.models import WorkOrder

router = Router(tags=["complaints"], auth=AUTH)

CategoryLit = Literal[tuple(ComplaintCategory.values)]  # type: ignore[valid-type]
SeverityLit = Literal[tuple(Severity.values)]  # type: ignore[valid-type]
StatusLit = Literal[tuple(ComplaintStatus.values)]  # type: ignore[valid-type]
ChannelLit = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
ActionLit = Literal[tuple(workflow.ACTIONS)]  # type: ignore[valid-type]
OutcomeLit = Literal[tuple(Outcome.values)]  # type: ignore[valid-type]
RemedyLit = Literal[tuple(Remedy.values)]  # type: ignore[valid-type]
ResponsibleLit = Literal[tuple(ResponsibleParty.values)]  # type: ignore[valid-type]


STAFF_VIEW = "Staff of the brand or the outlet: the whole complaint."
CUSTOMER_VIEW = "The complaint's customer: its status, their words, the verdict and remedies offered to them."


class ComplaintEventOut(BaseModel):
    action: str
    from_status: str
    to_status: str
    level: int | None
    actor_role: str
    note: str
    at: ApiDateTime


class ComplaintOut(BaseModel):
    view: Literal["staff"] = Field(..., description=STAFF_VIEW)
    id: int
    number: str
    status: str
    category: str
    severity: str
    channel: str
    description: str
    customer_id: int
    work_order_id: int | None
    work_order_number: str | None
    outlet_id: int | None
    technician_id: int | None
    opened_at: ApiDateTime
    acknowledge_due: ApiDateTime | None
    resolve_due: ApiDateTime | None
    acknowledged_at: ApiDateTime | None
    escalation_level: int = Field(..., description="0 the complaints desk, 1 the outlet manager, 2 the brand "
                                                   "region, 3 the service director.")
    escalate_at: ApiDateTime | None
    overdue: bool
    outcome: str
    remedies: list[str]
    compensation: Money
    responsible: str
    resolution: str
    resolved_at: ApiDateTime | None
    appeal_statement: str
    appealed_at: ApiDateTime | None
    appealed_outcome: str
    arbitration: str
    arbitrated_at: ApiDateTime | None
    actions: list[str] = Field(..., description="The steps you may take on it now.")


class ComplaintDetail(ComplaintOut):
    events: list[ComplaintEventOut]


class CustomerComplaintEventOut(BaseModel):
    action: str
    to_status: str
    note: str = Field(..., description="Only the customer's own words (reopening) or how it was resolved.")
    at: ApiDateTime


class CustomerComplaintOut(BaseModel):
    view: Literal["customer"] = Field(..., description=CUSTOMER_VIEW)
    id: int
    number: str
    status: str
    category: str
    severity: str
    channel: str
    description: str
    work_order_id: int | None
    work_order_number: str | None
    opened_at: ApiDateTime
    acknowledge_due: ApiDateTime | None = Field(..., description="We will contact you by.")
    acknowledged_at: ApiDateTime | None
    resolve_due: ApiDateTime | None = Field(..., description="We will resolve it by.")
    resolved_at: ApiDateTime | None
    outcome: str
    remedies: list[str]
    compensation: Money
    resolution: str
    actions: list[str] = Field(..., description="The steps you may take on it now (reopen, once resolved).")


class CustomerComplaintDetail(CustomerComplaintOut):
    events: list[CustomerComplaintEventOut]


# The caller's shape, told apart by ``view``.
AnyComplaint = Annotated[ComplaintOut | CustomerComplaintOut, Field(discriminator="view")]
AnyComplaintDetail = Annotated[ComplaintDetail | CustomerComplaintDetail, Field(discriminator="view")]


class ComplaintPage(BaseModel):
    count: int
    page: int
    page_size: int
    items: list[AnyComplaint]


class ComplaintFilters(Input):
    status: StatusLit | None = None
    severity: SeverityLit | None = None
    category: CategoryLit | None = None
    outlet_id: Id | None = None
    overdue: bool = False
    page: Int = 1
    page_size: Int = 50


class ComplaintIn(Input):
    customer_id: Id | None = Field(None, description="Staff: whose complaint. A customer: left out (their own).")
    work_order_id: Id | None = Field(None, description="The order it is about; it names outlet and technician.")
    category: CategoryLit
    severity: SeverityLit = Field("normal", description="Staff only: a customer's complaint is normal.")
    channel: ChannelLit = Field("api", description="Staff only (recording a call: hotline); a customer's is api.")
    description: str = Field(..., max_length=DESCRIPTION_MAX)


class ComplaintTransitionIn(Input):
    action: ActionLit
    note: str = Field("", max_length=STATEMENT_MAX, description="resolve: how it was resolved; appeal: the "
                                                                 "outlet's statement; arbitrate: the decision.")
    outcome: OutcomeLit | None = Field(None, description="resolve and arbitrate.")
    remedies: list[RemedyLit] = Field(default_factory=list, description="resolve.")
    compensation: str | None = Field(None, max_length=20, description="resolve, with the compensation remedy: "
                                                                      "yuan, e.g. \"50.00\".")
    responsible: ResponsibleLit | None = Field(None, description="resolve: who was responsible.")


def _out(complaint: Complaint, request, detail: bool = False) -> AnyComplaint | AnyComplaintDetail:
    actor = principal(request)
    actions = [a.name for a in workflow.available_actions(complaint, actor)]
    if actor.is_customer:
        return _customer_out(complaint, request, actions, detail)
    extra = {"events": [
        ComplaintEventOut(action=e.action, from_status=e.from_status, to_status=e.to_status, level=e.level,
                          actor_role=e.actor_role, note=e.note, at=e.created_at)
        for e in selectors.timeline(request.user, complaint)]} if detail else {}
    return (ComplaintDetail if detail else ComplaintOut)(
        view="staff", id=complaint.pk, number=complaint.number, status=complaint.status,
        category=complaint.category, severity=complaint.severity, channel=complaint.channel,
        description=complaint.description, customer_id=complaint.customer_id, work_order_id=complaint.work_order_id,
        work_order_number=complaint.work_order.number if complaint.work_order_id else None,
        outlet_id=complaint.outlet_id, technician_id=complaint.technician_id, opened_at=complaint.opened_at,
        acknowledge_due=complaint.acknowledge_due, resolve_due=complaint.resolve_due,
        acknowledged_at=complaint.acknowledged_at, escalation_level=complaint.escalation_level,
        escalate_at=complaint.escalate_at, overdue=selectors.is_overdue(complaint), outcome=complaint.outcome,
        remedies=list(complaint.remedies), compensation=complaint.compensation, responsible=complaint.responsible,
        resolution=complaint.resolution, resolved_at=complaint.resolved_at,
        appeal_statement=complaint.appeal_statement, appealed_at=complaint.appealed_at,
        appealed_outcome=complaint.appealed_outcome, arbitration=complaint.arbitration,
        arbitrated_at=complaint.arbitrated_at, actions=actions, **extra,
    )


def _customer_out(complaint: Complaint, request, actions: list[str], detail: bool):
    fields = {"view": "customer", **asdict(selectors.for_customer(complaint))}
    if not detail:
        return CustomerComplaintOut(**fields, actions=actions)
    events = [CustomerComplaintEventOut(action=e.action, to_status=e.status, note=e.note, at=e.at)
              for e in selectors.customer_timeline(request.user, complaint)]
    return CustomerComplaintDetail(**fields, actions=actions, events=events)


def _detail(complaint: Complaint, request) -> AnyComplaintDetail:
    return _out(complaint, request, detail=True)


@router.get("", response=ComplaintPage,
            summary="The complaints you may see, filtered (each in your shape: staff or customer)")
def list_complaints(request, filters: Query[ComplaintFilters]):
    principal(request)
    page, size = page_params(filters.page, filters.page_size)
    qs = selectors.complaints(request.user, selectors.Filters(
        status=filters.status or "", severity=filters.severity or "", category=filters.category or "",
        outlet_id=filters.outlet_id, overdue=filters.overdue))
    count = qs.count()
    return ComplaintPage(count=count, page=page, page_size=size,
                         items=[_out(c, request) for c in qs[(page - 1) * size: page * size]])


@router.post("", response={201: AnyComplaintDetail}, summary="Record a complaint (a customer: their own)")
def create_complaint(request, payload: ComplaintIn):
    actor = principal(request)
    if actor.is_customer:
        customer = Customer.objects.visible_to(request.user).get(pk=actor.customer_id)
    elif payload.customer_id is None:
        raise InvalidInput(_("This field is required."), field="customer_id")
    else:
        customer = ref(Customer.objects, request, payload.customer_id, "customer_id")
    order = ref(WorkOrder.objects, request, payload.work_order_id, "work_order_id")
    complaint = services.open_complaint(actor=actor, customer=customer, order=order, category=payload.category,
                                        severity=payload.severity,
                                        channel=Channel.API if actor.is_customer else payload.channel,
                                        description=payload.description)
    return json_response(_detail(_fetch(request, complaint.pk), request), status=201)


@router.get("/{complaint_id}", response=AnyComplaintDetail,
            summary="One complaint, with its history (staff: the whole of it; its customer: what they are shown)")
def get_complaint(request, complaint_id: Id):
    principal(request)
    return _detail(_fetch(request, complaint_id), request)


@router.post("/{complaint_id}/transitions", response=AnyComplaintDetail,
             summary="Take a step: acknowledge, investigate, escalate, resolve, reopen, appeal, arbitrate")
def complaint_transition(request, complaint_id: Id, payload: ComplaintTransitionIn):
    complaint = _fetch(request, complaint_id)
    verdict = workflow.Verdict(outcome=payload.outcome or "", remedies=tuple(payload.remedies),
                               compensation=payload.compensation, responsible=payload.responsible or "")
    workflow.transition(complaint, payload.action, actor=principal(request), note=payload.note, verdict=verdict)
    return _detail(_fetch(request, complaint_id), request)


def _fetch(request, pk: int) -> Complaint:
    return get_visible(Complaint.objects.select_related("work_order"), request, pk)
