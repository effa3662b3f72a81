from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Query, Router, Schema
from pydantic import BaseModel, ConfigDict

from accounts.models import Organisation
from core.api import AUTH, ApiDateTime, get_visible, json_response, page_params, principal, ref
from core.errors import InvalidInput
from core.idempotency import run_idempotent
from core.names import display_name
from core.schema import Day, Id, Input, Int, Moment
from customers.models import Customer, InstalledProduct, Site
from customers.selectors import customers_product
from network.models import Technician
from workorders import rework, selectors, services, workflow
from workorders.choices import Channel, HoldReason, Priority, SlaState, Status, WorkOrderType
from workorders.models import REASON_MAX, SYMPTOM_MAX, WorkOrder
from workorders.sla_state import sla_state_of

router = Router(tags=["work orders"], auth=AUTH)

StatusLit = Literal[tuple(Status.values)]  # type: ignore[valid-type]
TypeLit = Literal[tuple(WorkOrderType.values)]  # type: ignore[valid-type]
ChannelLit = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
PriorityLit = Literal[tuple(Priority.values)]  # type: ignore[valid-type]
SlaLit = Literal[tuple(SlaState.values)]  # type: ignore[valid-type]
ActionLit = Literal[tuple(workflow.ACTIONS)]  # type: ignore[valid-type]
HoldLit = Literal[tuple(HoldReason.values)]  # type: ignore[valid-type]


# The read models are plain pydantic models, not ninja Schemas: pydantic validates them from an order
# or a values() row in compiled code, where a Schema resolves every field through a Python getter
# (the largest Python cost of a 25-row list page under cProfile). The documented shape is the same.
class CustomerBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    phone: str
    segment: str


class WorkOrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    type: str
    channel: str
    priority: str
    status: str
    customer: CustomerBrief
    site_id: int | None
    product_id: int | None
    outlet_id: int | None
    technician_id: int | None
    region_id: int | None
    symptom: str
    slot_start: ApiDateTime | None
    slot_end: ApiDateTime | None
    response_due: ApiDateTime | None
    onsite_due: ApiDateTime | None
    sla_state: str
    sla_paused_seconds: int
    hold_reason: str
    is_rework: bool
    rework_of_id: int | None = Field(description="The finished order this one does again (返修), if any.")
    cancel_reason: str
    version: int
    created_at: ApiDateTime
    updated_at: ApiDateTime


class WorkOrderDetail(WorkOrderOut):
    allowed_actions: list[str]
    # Defaults for an order just opened (intake_api): nothing redoes it yet, and it is not finished.
    rework_ids: list[int] = Field(default_factory=list, description="The orders that do this one again (返修), "
                                  "oldest first: the ones you may see.")
    may_rework: bool = Field(False, description="You may ask for a rework now: POST /workorders/{id}/rework.")


class WorkOrderPage(BaseModel):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[WorkOrderOut]


# What a list row needs from the database: the schema's own columns, the customer's, and the two
# more columns the SLA state is computed from. No model instances are built for a list page.
_ROW_OWN = tuple(f for f in WorkOrderOut.model_fields if f not in ("customer", "sla_state"))
_ROW_CUSTOMER = tuple(CustomerBrief.model_fields)
LIST_COLUMNS = (*_ROW_OWN, "arrived_at", *(f"customer__{f}" for f in _ROW_CUSTOMER))


class WorkOrderIn(Input):
    model_config = ConfigDict(extra="forbid")

    customer_id: Id
    type: TypeLit
    channel: ChannelLit | None = Field(None, description="Staff only (default hotline); a customer's is the portal.")
    priority: PriorityLit | None = Field(None, description="Staff only (default normal); a customer's is the "
                                         "brand's default for them.")
    symptom: str = Field("", max_length=SYMPTOM_MAX)
    site_id: Id | None = None
    product_id: Id | None = None
    slot_start: Moment | None = None
    slot_end: Moment | None = None


class WorkOrderPatch(Input):
    model_config = ConfigDict(extra="forbid")

    version: Id | None = None
    priority: PriorityLit | None = None
    symptom: str | None = Field(None, max_length=SYMPTOM_MAX)
    site_id: Id | None = None
    slot_start: Moment | None = None
    slot_end: Moment | None = None


class OrderTransitionIn(Input):
    model_config = ConfigDict(extra="forbid")

    action: ActionLit
    reason: str = Field("", max_length=REASON_MAX)
    version: Id | None = None
    outlet_id: Id | None = None
    technician_id: Id | None = None
    hold_reason: HoldLit | Literal[""] = ""


class ReworkIn(Input):
    model_config = ConfigDict(extra="forbid")

    outlet_id: Id = Field(description="The outlet that does the job again: the same or another.")
    reason: str = Field(..., max_length=REASON_MAX, description="What is still wrong; the customer sees it.")


class EventOut(Schema):
    id: int
    kind: str
    action: str
    from_status: str
    to_status: str
    actor: str | None
    actor_role: str
    reason: str
    customer_visible: bool
    data: dict
    created_at: dt.datetime

    @staticmethod
    def resolve_actor(obj) -> str | None:
        if obj.actor is None:
            return None
        return display_name(obj.actor)


class ActionOut(Schema):
    name: str
    label: str
    reason_required: bool
    needs: str | None


class OrderFiltersIn(Input):
    q: str = Field("", max_length=100)
    status: StatusLit | Literal[""] = ""
    type: TypeLit | Literal[""] = ""
    outlet: Id | None = None
    region: Id | None = None
    sla: SlaLit | Literal[""] = ""
    created_from: Day | None = None
    created_to: Day | None = None
    page: Int = 1
    page_size: Int = 25


def _detail(request, order: WorkOrder) -> WorkOrderDetail:
    actor = principal(request)
    order.allowed_actions = [a.name for a in workflow.available_actions(order, actor)]
    # Only a finished order can have been reworked (rework.REWORKABLE): others ask nothing more of the database.
    order.rework_ids = list(WorkOrder.objects.visible_to(request.user).filter(rework_of_id=order.pk)
                            .order_by("pk").values_list("pk", flat=True)) if order.status in rework.REWORKABLE else []
    order.may_rework = rework.may_rework(order, actor)
    return WorkOrderDetail.model_validate(order)


def _list_item(row: dict, now: dt.datetime) -> dict:
    row["customer"] = {f: row.pop(f"customer__{f}") for f in _ROW_CUSTOMER}
    row["sla_state"] = sla_state_of(row["status"], row["onsite_due"], row.pop("arrived_at"), now,
                                              hold_reason=row["hold_reason"])
    return row


def _with_etag(response: HttpResponse, order: WorkOrder) -> HttpResponse:
    response["ETag"] = f'"{order.version}"'
    return response


def _parse_if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"').removeprefix("v")
    if not text.isdigit():
        raise InvalidInput(_("If-Match must be the order's version, as given in its ETag."), field="If-Match")
    return int(text)


@router.get("", response=WorkOrderPage, summary="List work orders (filtered, paged)")
def list_orders(request, filters: Query[OrderFiltersIn]):
    principal(request)
    page, size = page_params(filters.page, filters.page_size)
    if filters.created_from and filters.created_to and filters.created_to < filters.created_from:
        raise InvalidInput(_("The end date is before the start date."), field="created_to")
    qs = selectors.list_work_orders(
        request.user,
        selectors.OrderFilters(**filters.model_dump(exclude={"page", "page_size"})),
    )
    # The API shows only the customer of each row: values() joins just that table (the console's wider
    # select_related costs planning time) and reads only the columns the page shows.
    rows, total, capped = selectors.page_of(qs, page, size, values=LIST_COLUMNS)
    now = timezone.now()
    return json_response(WorkOrderPage(
        items=[_list_item(row, now) for row in rows], count=total, count_capped=capped, page=page, page_size=size,
    ))


@router.post("", response={201: WorkOrderDetail}, summary="Open a work order")
def create_order(request, payload: WorkOrderIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    actor = principal(request)
    services.ensure_may_create(actor)

    def create() -> WorkOrder:
        customer, product, site = _creation_refs(request, payload)
        priority, channel = services.caller_terms(actor=actor, customer=customer, priority=payload.priority,
                                                  channel=payload.channel)
        return services.create_work_order(
            actor=actor,
            customer=customer,
            type=payload.type,
            channel=channel,
            priority=priority,
            symptom=payload.symptom,
            site=site,
            product=product,
            slot_start=payload.slot_start,
            slot_end=payload.slot_end,
        )

    if not idempotency_key:
        return json_response(_detail(request, create()), status=201)
    status, body = run_idempotent(
        user=request.user, scope="workorders.create", key=idempotency_key, body=payload.model_dump(mode="json"),
        fn=lambda: (201, _detail(request, create()).model_dump(mode="json")),
    )
    # Validated again so a replay renders exactly as the first response did (PostgreSQL's jsonb, where
    # the first response is kept, does not keep key order).
    return json_response(WorkOrderDetail.model_validate(body), status=status)


def _creation_refs(request, payload: WorkOrderIn) -> tuple[Customer, InstalledProduct | None, Site | None]:
    """The customer, product and site a creation names, each fetched through visible_to.

    The usual request names a product of the customer at the product's own site: then one statement
    fetches all three, the product through its own scope and the customer through the customer scope
    (as a subquery), so nothing is seen that the separate lookups would not show. Anything else (no
    product, another site, a product of someone else, an unknown id) takes the separate lookups, which
    name the field at fault.
    """
    if payload.product_id is not None:
        found = customers_product(request.user, product_id=payload.product_id, customer_id=payload.customer_id)
        if found is not None and payload.site_id in (None, found[1].site_id):
            return found
    customer = ref(Customer.objects, request, payload.customer_id, "customer_id")
    product = ref(InstalledProduct.objects.select_related("site"), request, payload.product_id, "product_id")
    if product is not None and payload.site_id is not None and payload.site_id == product.site_id:
        site = product.site
    else:
        site = ref(Site.objects, request, payload.site_id, "site_id")
    return customer, product, site


@router.get("/{order_id}", response=WorkOrderDetail, summary="One work order")
def get_order(request, order_id: Id):
    order = get_visible(WorkOrder.objects.select_related("customer"), request, order_id)
    return _with_etag(json_response(_detail(request, order)), order)


@router.patch("/{order_id}", response=WorkOrderDetail, summary="Edit a work order's details")
def update_order(
    request, order_id: Id, payload: WorkOrderPatch, response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
):
    order = get_visible(WorkOrder.objects, request, order_id)
    header_version = _parse_if_match(if_match)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    if "site_id" in changes:
        changes["site"] = ref(Site.objects, request, changes.pop("site_id"), "site_id")
    order = services.update_work_order(
        order=order, actor=principal(request), changes=changes,
        version=header_version if header_version is not None else payload.version,
        if_match=header_version is not None,
    )
    response["ETag"] = f'"{order.version}"'
    return _detail(request, order)


@router.post("/{order_id}/transitions", response=WorkOrderDetail, summary="Take a lifecycle step",
             description="A finished order is never reopened: its rework (返修) is a new order, POST "
                         "/workorders/{id}/rework.")
def transition_order(
    request, order_id: Id, payload: OrderTransitionIn, response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
):
    order = get_visible(WorkOrder.objects, request, order_id)
    header_version = _parse_if_match(if_match)
    order = workflow.transition(
        order,
        payload.action,
        actor=principal(request),
        reason=payload.reason,
        version=header_version if header_version is not None else payload.version,
        if_match=header_version is not None,
        outlet=ref(Organisation.objects, request, payload.outlet_id, "outlet_id"),
        technician=ref(Technician.objects, request, payload.technician_id, "technician_id"),
        hold_reason=payload.hold_reason,
    )
    response["ETag"] = f'"{order.version}"'
    return _detail(request, order)


@router.post("/{order_id}/rework", response={201: WorkOrderDetail}, summary="Have a finished order done again (返修)",
             description="Opens a new order for the same unit and fault, linked to this one (rework_of) and assigned "
                         "to the outlet given; this order is not reopened (its callback ends, and it closes). "
                         "409 illegal_transition when the order is not finished, already_reworked when it has a "
                         "rework that is not cancelled (detail.rework_id); 422 for an outlet that cannot take it.")
def rework_order(request, order_id: Id, payload: ReworkIn):
    order = get_visible(WorkOrder.objects.select_related("customer"), request, order_id)
    rework.ensure_may_rework(principal(request))
    made = rework.create_rework_order(original=order, actor=principal(request), reason=payload.reason,
                                      outlet=ref(Organisation.objects, request, payload.outlet_id, "outlet_id"))
    return json_response(_detail(request, WorkOrder.objects.select_related("customer").get(pk=made.pk)), status=201)


@router.get("/{order_id}/actions", response=list[ActionOut], summary="Steps you may take now")
def order_actions(request, order_id: Id):
    order = get_visible(WorkOrder.objects, request, order_id)
    return [
        {"name": a.name, "label": str(a.label), "reason_required": a.reason_required, "needs": a.needs}
        for a in workflow.available_actions(order, principal(request))
    ]


@router.get("/{order_id}/events", response=list[EventOut], summary="The order's timeline")
def order_events(request, order_id: Id):
    order = get_visible(WorkOrder.objects, request, order_id)
    return list(selectors.timeline(request.user, order))
