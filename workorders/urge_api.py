"""Urges over the API (催单): urge a late order, and read its urges. Thin over workorders.urges (STYLE.md §2);
the order is fetched through ``visible_to``, so another's order is a 404."""

from __future__ import annotations

from ninja import Field, Router
from pydantic import BaseModel, ConfigDict

from core.api import AUTH, ApiDateTime, get_visible, json_response, principal
from core.schema import Id, Input
from workorders import urges
from workorders.models import Urge, UrgeChannel, WorkOrder

router = Router(tags=["urges"], auth=AUTH)


class UrgeIn(Input):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=urges.NOTE_MAX, description="What the customer said, if anything.")


class UrgeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    work_order_id: int
    seq: int = Field(description="1 for the order's first urge, 2 for the second, ...")
    since_promise: int = Field(description="Which urge about its promise this was: a new promise (a re-booked "
                               "window, a moved deadline) starts again at 1. The brand's threshold for a "
                               "complaint counts these.")
    channel: str
    actor_role: str
    note: str
    promised: ApiDateTime | None = Field(description="What the order had been promised for when it was urged.")
    escalated: bool = Field(description="The promise had been urged the brand's threshold of times: its first such "
                            "urge opened (or added to) a late-visit complaint, one per promise.")
    created_at: ApiDateTime


@router.post("/{order_id}/urges", response={201: UrgeOut}, summary="Urge a late order (催单)",
             description="Once the promise (the booked window's end, else the on-site deadline) has passed. "
                         "409 not_late / not_urgeable; 429 urged_recently within the brand's quiet period "
                         "after the last urge (detail.retry_after says until when, the Retry-After header "
                         "how many seconds).")
def urge(request, order_id: Id, payload: UrgeIn):
    order = get_visible(WorkOrder.objects, request, order_id)
    made = urges.urge_order(order=order, actor=principal(request), channel=UrgeChannel.API, note=payload.note)
    return json_response(UrgeOut.model_validate(made), status=201)


@router.get("/{order_id}/urges", response=list[UrgeOut], summary="The order's urges, first to last")
def list_urges(request, order_id: Id):
    order = get_visible(WorkOrder.objects, request, order_id)
    return [UrgeOut.model_validate(u) for u in Urge.objects.visible_to(request.user).filter(work_order=order)]
