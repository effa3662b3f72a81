"""Parts and stock: the services every front end calls (STYLE.md §1). Each is one transaction.

Stock keeping (parts desk, outlet desk) — parts.services.stock:
    ensure_central(brand) / ensure_store(outlet) / ensure_van(technician) -> Warehouse  (get or make)
    receive_stock(*, warehouse, part, quantity, actor, reason="") -> StockMove
    transfer_stock(*, source, target, lines, actor, reason="") -> list[StockMove]
    adjust_stock(*, warehouse, part, delta, reason, actor, condition="good") -> StockMove

Part requests (technician asks, the outlet's desk or the brand's parts clerk decides) — .requests:
    request_parts(*, order, actor, lines, note="") -> PartRequest        (reserves at the outlet's store)
    transfer_request(*, request, actor, version=None) -> PartRequest     (store -> van, every line)
    refuse_request(*, request, actor, reason, version=None) -> PartRequest
    cancel_request(*, request, actor, reason="", version=None) -> PartRequest
    release_for_order(*, order, actor, reason) -> list[PartRequest]      (the order ended: open ones cancelled)
    store_of(outlet_id) / van_of(technician_id) -> Warehouse               (NoWarehouse when missing)

On the job (the field app) — .consumption:
    consume_on_job(*, order, actor, lines, idempotency_key) -> Consumption  (``.replayed`` on a retry)
    receive_defective(*, defective, actor) -> DefectiveReturn             (outlet desk, parts clerk)
    ensure_consumer(actor, order) / ensure_requester(actor, order)         (PermissionDenied unless the order's
                                                                          technician: check before reading lines)

``lines`` is a sequence of ``Line(part, quantity, return_defective=None)``; parts come from
``Part.objects.visible_to(user)``, orders and requests from their ``visible_to``. Errors (core.errors,
parts.errors): InvalidInput 422 (``field`` names the input), PermissionDenied 403, IllegalTransition
409, InsufficientStock 409 ``insufficient_stock`` (``detail``: part_id, warehouse_id, requested,
available), NoWarehouse 409 ``no_warehouse``, AlreadyDecided 409 ``already_decided``, StaleVersion 409,
IdempotencyConflict 422. A refusal writes nothing.
"""

from parts.services.common import Line
from parts.services.consumption import consume_on_job, ensure_consumer, expects_return, receive_defective
from parts.services.requests import (
    cancel_request,
    ensure_requester,
    refuse_request,
    release_for_order,
    request_parts,
    store_of,
    transfer_request,
    van_of,
)
from parts.services.stock import (
    adjust_stock,
    ensure_central,
    ensure_store,
    ensure_van,
    receive_stock,
    transfer_stock,
)

__all__ = [
    "Line", "adjust_stock", "cancel_request", "consume_on_job", "ensure_central", "ensure_consumer",
    "ensure_requester", "ensure_store", "ensure_van", "expects_return", "receive_defective", "receive_stock",
    "refuse_request", "release_for_order", "request_parts", "store_of", "transfer_request", "transfer_stock",
    "van_of",
]
