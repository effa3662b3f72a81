"""Callbacks (回访) over HTTP: the desk's queue and outcomes, and a signed-in customer's survey (STYLE.md §2).

Thin adapters over feedback.desk and feedback.surveys; everything is fetched through ``visible_to``, so a
callback of another outlet's order, or another customer's order, is a 404.
"""

from __future__ import annotations

from typing import Literal

from ninja import Field, Query, Router
from pydantic import BaseModel

from accounts.choices import OrgKind
from accounts.models import Organisation
from core.api import AUTH, ApiDateTime, get_visible, page_params, principal, ref
from core.schema import Id, Input, Int
from feedback import desk, selectors, surveys
from feedback.choices import CallbackStatus, Decision, Outcome
from feedback.models import Callback
from workorders.models import REASON_MAX, WorkOrder

callbacks_router = Router(tags=["callbacks"], auth=AUTH)
survey_router = Router(tags=["callbacks"], auth=AUTH)

StatusLit = Literal[tuple(CallbackStatus.values)]  # type: ignore[valid-type]
OutcomeLit = Literal[tuple(Outcome.values)]  # type: ignore[valid-type]
DecisionLit = Literal[tuple(Decision.values)]  # type: ignore[valid-type]


class SurveyOut(BaseModel):
    sent_at: ApiDateTime
    answered_at: ApiDateTime | None
    overall: int | None
    solved: bool | None
    on_time: bool | None
    tidy: bool | None
    charge_as_quoted: bool | None
    nps: int | None
    comment: str


class CallbackOut(BaseModel):
    id: int
    work_order_id: int
    work_order_number: str
    customer_name: str
    customer_phone: str
    outlet_id: int | None
    technician_id: int | None
    reason: str
    status: str
    due_at: ApiDateTime
    overdue: bool
    next_call_at: ApiDateTime
    attempts: int
    outcome: str
    decision: str
    note: str
    rework_order_id: int | None
    complaint_id: int | None
    survey: SurveyOut | None
    version: int


class CallbackPage(BaseModel):
    count: int
    page: int
    page_size: int
    items: list[CallbackOut]


class QueueFilters(Input):
    status: StatusLit = "due"
    page: Int = 1
    page_size: Int = 50


class OutcomeIn(Input):
    outcome: OutcomeLit | None = Field(None, description="A call's outcome (a due callback, or one under review).")
    decision: DecisionLit | None = Field(None, description="The review's end (a callback under review).")
    outlet_id: Id | None = Field(None, description="For rework: the outlet that does it again.")
    note: str = Field("", max_length=REASON_MAX, description="What the customer said; for rework or a complaint, "
                                                              "what is still wrong.")
    version: Id | None = None


class SurveyIn(Input):
    overall: int = Field(..., ge=1, le=5)
    solved: bool | None = None
    on_time: bool | None = None
    tidy: bool | None = None
    charge_as_quoted: bool | None = None
    nps: int | None = Field(None, ge=0, le=10)
    comment: str = Field("", max_length=surveys.COMMENT_MAX)


def _survey(callback: Callback) -> SurveyOut | None:
    survey = getattr(callback.work_order, "survey", None)
    return None if survey is None else SurveyOut.model_validate(survey, from_attributes=True)


def _out(callback: Callback) -> CallbackOut:
    order = callback.work_order
    return CallbackOut(
        id=callback.pk, work_order_id=order.pk, work_order_number=order.number, customer_name=order.customer.name,
        customer_phone=order.customer.phone, outlet_id=order.outlet_id, technician_id=order.technician_id,
        reason=callback.reason, status=callback.status, due_at=callback.due_at, overdue=selectors.overdue(callback),
        next_call_at=callback.next_call_at, attempts=callback.attempts, outcome=callback.outcome,
        decision=callback.decision, note=callback.note, rework_order_id=callback.rework_order_id,
        complaint_id=callback.complaint_id, survey=_survey(callback), version=callback.version)


@callbacks_router.get("", response=CallbackPage, summary="The callback desk's queue (回访): due, to review, or done")
def queue(request, filters: Query[QueueFilters]):
    page, size = page_params(filters.page, filters.page_size)
    rows = selectors.queue(request.user, status=filters.status)
    items = [_out(c) for c in rows[(page - 1) * size: page * size]]
    return CallbackPage(count=rows.count(), page=page, page_size=size, items=items)


@callbacks_router.post("/{callback_id}/outcome", response=CallbackOut,
                       summary="Record a call's outcome, or the review's decision (rework, complaint, close)")
def record_outcome(request, callback_id: Id, payload: OutcomeIn):
    callback = get_visible(Callback.objects.select_related("work_order"), request, callback_id)
    actor = principal(request)
    desk.check_desk(callback, actor, payload.version)  # a seat not the desk's hears so before the outlet's id
    if payload.decision is not None:
        outlet = ref(Organisation.objects.filter(kind=OrgKind.OUTLET), request, payload.outlet_id, "outlet_id")
        desk.decide(callback=callback, actor=actor, decision=payload.decision, reason=payload.note, outlet=outlet,
                    version=payload.version)
    else:
        desk.record_call(callback=callback, actor=actor, outcome=payload.outcome or "", note=payload.note,
                         version=payload.version)
    return _out(Callback.objects.select_related("work_order__customer", "work_order__survey").get(pk=callback.pk))


@survey_router.post("/{order_id}/survey", response={201: SurveyOut}, summary="Answer the order's survey (its customer)")
def answer(request, order_id: Id, payload: SurveyIn):
    order = get_visible(WorkOrder.objects.all(), request, order_id)
    actor = principal(request)
    survey = surveys.survey_of_customer(order=order, actor=actor)
    survey = surveys.answer_survey(survey=survey, answers=payload.model_dump(), via=surveys.VIA_API, actor=actor)
    return 201, SurveyOut.model_validate(survey, from_attributes=True)
