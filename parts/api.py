"""Parts and stock over HTTP: thin adapters over parts.services and parts.selectors (STYLE.md §2).

Everything is fetched through ``visible_to``: a warehouse, request or order one may not see is a 404;
an id in a body one may not see (a part of another brand, another party's warehouse) is a 422 on
that field. Refusals carry the service's code (``insufficient_stock`` 409 and the rest, see
parts.services); none of them writes anything.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Query, Router

from catalog.models import Part
from core.api import AUTH, get_visible, page_params, principal, ref
from core.errors import InvalidInput
from core.schema import Id, Input, Int
from network.models import Technician
from parts import selectors, services
from parts.models import DefectiveReturn, PartRequest, Warehouse
from parts.schemas import (
    AdjustmentIn,
    ConsumptionIn,
    ConsumptionOut,
    DecisionIn,
    DefectiveList,
    DefectiveOut,
    DefectiveStatusLit,
    KindLit,
    MoveOut,
    MovePage,
    ReceiptIn,
    RequestIn,
    RequestOut,
    RequestStatusLit,
    StockOut,
    TransferIn,
    WarehouseOut,
    balance_out,
    defective_out,
    move_out,
    request_out,
    warehouse_out,
)
from parts.services import Line
from parts.services.common import MAX_LINES
from workorders.models import WorkOrder

router = Router(tags=["parts"], auth=AUTH)


class WarehouseFilters(Input):
    kind: KindLit | None = None


class MoveFilters(Input):
    part_id: Id | None = None
    page: Int = 1
    page_size: Int = 50


class RequestFilters(Input):
    status: RequestStatusLit | None = None
    order_id: Id | None = None


class DefectiveFilters(Input):
    status: DefectiveStatusLit | None = "owed"
    technician_id: Id | None = None


def _warehouse(request, warehouse_id: Id) -> Warehouse:
    return get_visible(Warehouse.objects.select_related(*selectors.WAREHOUSE_RELATED), request, warehouse_id)


def _part(request, part_id: Id, field: str = "part_id") -> Part:
    return ref(Part.objects, request, part_id, field)


def _lines(request, lines) -> list[Line]:
    if len(lines) > MAX_LINES:
        raise InvalidInput(_("Too many lines at once."), field="lines", max=MAX_LINES)
    return [Line(_part(request, line.part_id, "lines"), line.quantity, getattr(line, "return_defective", None))
            for line in lines]


def _request(request, request_id: Id) -> PartRequest:
    return get_visible(selectors.requests(request.user), request, request_id)


# --- warehouses and stock -------------------------------------------------------------------------


@router.get("/warehouses", response=list[WarehouseOut], summary="Warehouses you may see")
def list_warehouses(request, filters: Query[WarehouseFilters]):
    principal(request)
    return [warehouse_out(w) for w in selectors.warehouses(request.user, filters.kind or "")]


@router.get("/warehouses/{warehouse_id}", response=WarehouseOut, summary="One warehouse")
def get_warehouse(request, warehouse_id: Id):
    return warehouse_out(_warehouse(request, warehouse_id))


@router.get("/warehouses/{warehouse_id}/stock", response=StockOut,
            summary="Stock of a warehouse: on hand, reserved, available and defective per part")
def warehouse_stock(request, warehouse_id: Id, in_stock_only: bool = False):
    warehouse = _warehouse(request, warehouse_id)
    items = selectors.stock(request.user, warehouse, in_stock_only=in_stock_only)
    return {"warehouse": warehouse_out(warehouse), "items": [balance_out(b) for b in items]}


@router.get("/warehouses/{warehouse_id}/moves", response=MovePage, summary="The warehouse's ledger")
def warehouse_moves(request, warehouse_id: Id, filters: Query[MoveFilters]):
    warehouse = _warehouse(request, warehouse_id)
    page, size = page_params(filters.page, filters.page_size)
    part = _part(request, filters.part_id) if filters.part_id is not None else None
    qs = selectors.moves(request.user, warehouse, part=part)
    rows = list(qs[(page - 1) * size: page * size])
    return {"count": qs.count(), "page": page, "page_size": size, "items": [move_out(m) for m in rows]}


@router.post("/warehouses/{warehouse_id}/receipts", response={201: MoveOut},
             summary="Receive units from outside the network")
def receive(request, warehouse_id: Id, payload: ReceiptIn):
    warehouse = _warehouse(request, warehouse_id)
    move = services.receive_stock(warehouse=warehouse, part=_part(request, payload.part_id),
                                  quantity=payload.quantity, reason=payload.reason, actor=principal(request))
    return 201, move_out(move)


@router.post("/warehouses/{warehouse_id}/transfers", response={201: list[MoveOut]},
             summary="Transfer free units to another warehouse (all lines or none)")
def transfer(request, warehouse_id: Id, payload: TransferIn):
    source = _warehouse(request, warehouse_id)
    target = ref(Warehouse.objects, request, payload.to_warehouse_id, "to_warehouse_id")
    moves = services.transfer_stock(source=source, target=target, lines=_lines(request, payload.lines),
                                    reason=payload.reason, actor=principal(request))
    return 201, [move_out(m) for m in moves]


@router.post("/warehouses/{warehouse_id}/adjustments", response={201: MoveOut},
             summary="Correct a balance, with a reason")
def adjust(request, warehouse_id: Id, payload: AdjustmentIn):
    warehouse = _warehouse(request, warehouse_id)
    move = services.adjust_stock(warehouse=warehouse, part=_part(request, payload.part_id), delta=payload.delta,
                                 reason=payload.reason, condition=payload.condition, actor=principal(request))
    return 201, move_out(move)


# --- part requests --------------------------------------------------------------------------------


@router.get("/requests", response=list[RequestOut], summary="Part requests you may see, newest first")
def list_requests(request, filters: Query[RequestFilters]):
    principal(request)
    order = ref(WorkOrder.objects, request, filters.order_id, "order_id")
    qs = selectors.requests(request.user, status=filters.status or "", order=order)
    return [request_out(r) for r in qs[:200]]


@router.post("/orders/{order_id}/requests", response={201: RequestOut},
             summary="Ask the outlet's store for parts for this order (reserved at once)")
def create_request(request, order_id: Id, payload: RequestIn):
    order = get_visible(WorkOrder.objects, request, order_id)
    actor = principal(request)
    services.ensure_requester(actor, order)  # before the lines are read: a customer's own order is a 403
    created = services.request_parts(order=order, actor=actor, lines=_lines(request, payload.lines),
                                     note=payload.note)
    return 201, request_out(_request(request, created.pk))


@router.get("/requests/{request_id}", response=RequestOut, summary="One part request")
def get_request(request, request_id: Id):
    return request_out(_request(request, request_id))


@router.post("/requests/{request_id}/transfer", response=RequestOut,
             summary="Send the request's parts from the store to the technician's van")
def transfer_request(request, request_id: Id, payload: DecisionIn):
    done = services.transfer_request(request=_request(request, request_id), actor=principal(request),
                                     version=payload.version)
    return request_out(_request(request, done.pk))


@router.post("/requests/{request_id}/refuse", response=RequestOut, summary="Refuse the request, with a reason")
def refuse_request(request, request_id: Id, payload: DecisionIn):
    done = services.refuse_request(request=_request(request, request_id), actor=principal(request),
                                   reason=payload.reason, version=payload.version)
    return request_out(_request(request, done.pk))


@router.post("/requests/{request_id}/cancel", response=RequestOut, summary="Withdraw an open request")
def cancel_request(request, request_id: Id, payload: DecisionIn):
    done = services.cancel_request(request=_request(request, request_id), actor=principal(request),
                                   reason=payload.reason, version=payload.version)
    return request_out(_request(request, done.pk))


# --- on the job -----------------------------------------------------------------------------------


def _consumption_out(request, consumption) -> dict:
    lines = consumption.moves.select_related("part").order_by("pk")
    defective = DefectiveReturn.objects.visible_to(request.user).filter(consumption=consumption).select_related(
        "part", "technician", "work_order")
    return {"id": consumption.pk, "work_order_id": consumption.work_order_id, "van_id": consumption.van_id,
            "idempotency_key": consumption.idempotency_key, "replayed": consumption.replayed,
            "created_at": consumption.created_at,
            "lines": [{"part_id": m.part_id, "part_code": m.part.code, "quantity": m.quantity} for m in lines],
            "defective": [defective_out(d) for d in defective]}


@router.post("/orders/{order_id}/consumptions", response={200: ConsumptionOut, 201: ConsumptionOut},
             summary="Use parts from your van on this job (Idempotency-Key required; a retry applies once)")
def consume(request, order_id: Id, payload: ConsumptionIn, response: HttpResponse,
            idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    order = get_visible(WorkOrder.objects, request, order_id)
    actor = principal(request)
    services.ensure_consumer(actor, order)
    if not (idempotency_key or "").strip():
        raise InvalidInput(_("Send an Idempotency-Key header with every use of parts."), field="Idempotency-Key")
    consumption = services.consume_on_job(order=order, actor=actor, lines=_lines(request, payload.lines),
                                          idempotency_key=idempotency_key)
    consumption.replayed = getattr(consumption, "replayed", False)
    return (200 if consumption.replayed else 201), _consumption_out(request, consumption)


@router.get("/orders/{order_id}/consumptions", response=list[MoveOut], summary="Parts used on this order")
def order_consumptions(request, order_id: Id):
    order = get_visible(WorkOrder.objects, request, order_id)
    return [move_out(m) for m in selectors.consumptions(request.user, order)]


@router.get("/defective", response=DefectiveList,
            summary="Replaced parts owed back to the outlet (or received), with a count per technician")
def list_defective(request, filters: Query[DefectiveFilters]):
    principal(request)
    technician = ref(Technician.objects, request, filters.technician_id, "technician_id")
    items = selectors.defective(request.user, status=filters.status or "", technician=technician)
    return {"items": [defective_out(d) for d in items[:500]],
            "by_technician": selectors.owed_by_technician(request.user)}


@router.post("/defective/{defective_id}/receive", response=DefectiveOut,
             summary="The technician handed the replaced part in at the outlet")
def receive_defective(request, defective_id: Id):
    defective = get_visible(DefectiveReturn.objects.select_related("part", "technician", "work_order"), request,
                            defective_id)
    done = services.receive_defective(defective=defective, actor=principal(request))
    return defective_out(done)

