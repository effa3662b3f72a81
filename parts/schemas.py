"""The API's shapes for parts and stock (parts/api.py), and how records become them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from core.names import display_name
from core.schema import Id, Input, Int
from parts.choices import Condition, DefectiveStatus, RequestStatus, WarehouseKind
from parts.models import REASON_MAX, DefectiveReturn, PartRequest, StockBalance, StockMove, Warehouse

KindLit = Literal[tuple(WarehouseKind.values)]  # type: ignore[valid-type]
ConditionLit = Literal[tuple(Condition.values)]  # type: ignore[valid-type]
RequestStatusLit = Literal[tuple(RequestStatus.values)]  # type: ignore[valid-type]
DefectiveStatusLit = Literal[tuple(DefectiveStatus.values)]  # type: ignore[valid-type]


class WarehouseOut(Schema):
    id: int
    kind: str
    code: str
    name: str
    organisation_id: int
    technician_id: int | None
    is_active: bool


class BalanceOut(Schema):
    part_id: int
    part_code: str
    part_name: str
    family: str
    on_hand: int
    reserved: int
    available: int
    defective: int
    updated_at: dt.datetime


class StockOut(Schema):
    warehouse: WarehouseOut
    items: list[BalanceOut]


class MoveOut(Schema):
    id: int
    warehouse_id: int
    part_id: int
    part_code: str
    kind: str
    quantity: int
    on_hand_delta: int
    reserved_delta: int
    defective_delta: int
    counterpart_id: int | None
    batch: str
    work_order_id: int | None
    request_id: int | None
    consumption_id: int | None
    reason: str
    actor: str | None
    actor_role: str
    created_at: dt.datetime


class MovePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[MoveOut]


class LineIn(Input):
    model_config = ConfigDict(extra="forbid")

    part_id: Id
    quantity: Int


class UsedLineIn(LineIn):
    return_defective: bool | None = Field(
        None, description="Is the replaced part owed back to the outlet? Empty: the part family decides.")


class ReceiptIn(Input):
    model_config = ConfigDict(extra="forbid")

    part_id: Id
    quantity: Int
    reason: str = Field("", max_length=REASON_MAX)


class TransferIn(Input):
    model_config = ConfigDict(extra="forbid")

    to_warehouse_id: Id
    lines: list[LineIn]
    reason: str = Field("", max_length=REASON_MAX)


class AdjustmentIn(Input):
    model_config = ConfigDict(extra="forbid")

    part_id: Id
    delta: Int
    reason: str = Field(max_length=REASON_MAX)
    condition: ConditionLit = Condition.GOOD


class RequestIn(Input):
    model_config = ConfigDict(extra="forbid")

    lines: list[LineIn]
    note: str = Field("", max_length=REASON_MAX)


class DecisionIn(Input):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=REASON_MAX)
    version: Id | None = None


class ConsumptionIn(Input):
    model_config = ConfigDict(extra="forbid")

    lines: list[UsedLineIn]


class RequestLineOut(Schema):
    part_id: int
    part_code: str
    part_name: str
    quantity: int


class RequestOut(Schema):
    id: int
    number: str
    status: str
    work_order_id: int
    work_order_number: str
    technician_id: int
    technician: str
    store_id: int
    van_id: int
    note: str
    decision_reason: str
    lines: list[RequestLineOut]
    version: int
    created_at: dt.datetime
    decided_at: dt.datetime | None


class DefectiveOut(Schema):
    id: int
    status: str
    technician_id: int
    technician: str
    work_order_id: int
    work_order_number: str
    part_id: int
    part_code: str
    part_name: str
    quantity: int
    created_at: dt.datetime
    received_at: dt.datetime | None


class OwedSummary(Schema):
    technician_id: int
    technician: str
    lines: int
    units: int


class DefectiveList(Schema):
    items: list[DefectiveOut]
    by_technician: list[OwedSummary]


class UsedLineOut(Schema):
    part_id: int
    part_code: str
    quantity: int


class ConsumptionOut(Schema):
    id: int
    work_order_id: int
    van_id: int
    idempotency_key: str
    replayed: bool
    created_at: dt.datetime
    lines: list[UsedLineOut]
    defective: list[DefectiveOut]


def warehouse_out(w: Warehouse) -> dict:
    return {"id": w.pk, "kind": w.kind, "code": w.code, "name": str(w), "organisation_id": w.organisation_id,
            "technician_id": w.technician_id, "is_active": w.is_active}


def balance_out(b: StockBalance) -> dict:
    return {"part_id": b.part_id, "part_code": b.part.code, "part_name": str(b.part.display_name),
            "family": b.part.family, "on_hand": b.on_hand, "reserved": b.reserved, "available": b.available,
            "defective": b.defective, "updated_at": b.updated_at}


def move_out(m: StockMove) -> dict:
    actor = display_name(m.actor) or None
    return {"id": m.pk, "warehouse_id": m.warehouse_id, "part_id": m.part_id, "part_code": m.part.code,
            "kind": m.kind, "quantity": m.quantity, "on_hand_delta": m.on_hand_delta,
            "reserved_delta": m.reserved_delta, "defective_delta": m.defective_delta,
            "counterpart_id": m.counterpart_id, "batch": str(m.batch), "work_order_id": m.work_order_id,
            "request_id": m.request_id, "consumption_id": m.consumption_id, "reason": m.reason, "actor": actor,
            "actor_role": m.actor_role, "created_at": m.created_at}


def request_out(r: PartRequest) -> dict:
    return {"id": r.pk, "number": r.number, "status": r.status, "work_order_id": r.work_order_id,
            "work_order_number": r.work_order.number, "technician_id": r.technician_id,
            "technician": r.technician.name, "store_id": r.store_id, "van_id": r.van_id, "note": r.note,
            "decision_reason": r.decision_reason, "version": r.version, "created_at": r.created_at,
            "decided_at": r.decided_at,
            "lines": [{"part_id": line.part_id, "part_code": line.part.code, "part_name": str(line.part.display_name),
                       "quantity": line.quantity} for line in r.lines.all()]}


def defective_out(d: DefectiveReturn) -> dict:
    return {"id": d.pk, "status": d.status, "technician_id": d.technician_id, "technician": d.technician.name,
            "work_order_id": d.work_order_id, "work_order_number": d.work_order.number, "part_id": d.part_id,
            "part_code": d.part.code, "part_name": str(d.part.display_name), "quantity": d.quantity,
            "created_at": d.created_at, "received_at": d.received_at}
