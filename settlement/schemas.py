"""The settlement API's shapes (settlement/api.py): what goes over the wire, money as strings with two places."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field
from pydantic import BaseModel, PlainSerializer, WithJsonSchema

from core.api import ApiDateTime, Page
from core.schema import Id, Input, Int
from settlement import workflow
from settlement.choices import DisputeState, FlagState, StatementState

StateLit = Literal[tuple(StatementState.values)]  # type: ignore[valid-type]
DisputeStateLit = Literal[tuple(DisputeState.values)]  # type: ignore[valid-type]
FlagStateLit = Literal[tuple(FlagState.values)]  # type: ignore[valid-type]
ActionLit = Literal[tuple(workflow.ACTIONS)]  # type: ignore[valid-type]
LinesFormat = Literal["xlsx", "csv"]

# An amount as written on the wire: a deduction is negative, so not core.schema.Money (which takes none).
Amount = Annotated[
    Decimal,
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$", "example": "-12.50"}),
]
PERIOD_DOC = "The month, YYYY-MM."


class SettlementOutletRef(BaseModel):
    id: int
    code: str
    name: str


class SettlementTechnicianRef(BaseModel):
    id: int
    name: str


class SettlementOrderRef(BaseModel):
    id: int
    number: str


class StatementOut(BaseModel):
    id: int
    period: str = Field(..., description=PERIOD_DOC)
    outlet: SettlementOutletRef
    technician: SettlementTechnicianRef | None = Field(..., description="Set on a technician's own statement.")
    state: str
    state_label: str
    total: Amount
    line_count: int
    version: int = Field(..., description="Send it back with a transition to refuse a stale one (409).")
    payment_reference: str
    created_at: ApiDateTime
    generated_at: ApiDateTime | None
    sent_at: ApiDateTime | None
    approved_at: ApiDateTime | None
    paid_at: ApiDateTime | None


class StatementPage(Page):
    items: list[StatementOut]


class SettlementDisputeBrief(BaseModel):
    id: int
    reason: str
    claimed_amount: Amount | None
    raised_at: ApiDateTime


class SettlementLineOut(BaseModel):
    id: int
    order: SettlementOrderRef
    kind: str
    kind_label: str
    amount: Amount
    tariff_id: int | None
    rule_id: int | None
    basis: dict[str, Any] = Field(..., description="What the amount was worked out from.")
    why: str = Field(..., description="The basis in words.")
    held: bool = Field(..., description="Not payable until a fraud flag on its order is decided.")
    adjustment_of: int | None = Field(..., description="The line this one adjusts.")
    open_dispute: SettlementDisputeBrief | None


class SettlementEventOut(BaseModel):
    from_state: str
    state: str
    at: ApiDateTime
    actor_role: str
    reason: str


class SettlementDisputeOut(BaseModel):
    id: int
    statement_id: int
    line_id: int
    order: SettlementOrderRef
    outlet: SettlementOutletRef
    line_amount: Amount
    reason: str
    claimed_amount: Amount | None
    state: str
    raised_at: ApiDateTime
    resolution: str
    decided_amount: Amount | None
    resolved_at: ApiDateTime | None
    adjustment_id: int | None = Field(..., description="The adjustment line an upheld dispute made.")


class SettlementDisputePage(Page):
    items: list[SettlementDisputeOut]


class StatementDetail(StatementOut):
    actions: list[str] = Field(..., description="The moves you may make on it now (send, confirm, approve, pay).")
    lines: list[SettlementLineOut]
    events: list[SettlementEventOut]
    disputes: list[SettlementDisputeOut]


class SettlementFlagOut(BaseModel):
    id: int
    order: SettlementOrderRef
    outlet: SettlementOutletRef
    kind: str
    kind_label: str
    evidence: dict[str, Any] = Field(..., description="What the reviewer is shown side by side.")
    state: str
    state_label: str
    version: int
    raised_at: ApiDateTime
    decided_at: ApiDateTime | None
    note: str


class SettlementFlagPage(Page):
    items: list[SettlementFlagOut]


class SettlementGeneratedStatement(BaseModel):
    id: int
    outlet: SettlementOutletRef
    technician: SettlementTechnicianRef | None
    state: str
    total: Amount
    line_count: int
    version: int


class SettlementGenerateOut(BaseModel):
    period: str
    statements: list[SettlementGeneratedStatement]


class StatementFilters(Input):
    period: str | None = Field(None, max_length=7, description=PERIOD_DOC)
    outlet: Id | None = None
    technician: Id | None = None
    state: StateLit | None = None
    page: Int = 1
    page_size: Int = 50


class SettlementTransitionIn(Input):
    action: ActionLit
    reason: str = Field("", max_length=500)
    payment_reference: str = Field("", max_length=80, description="pay: the payment's reference.")
    version: Int | None = Field(None, description="The version you read: another is a 409 stale_version.")


class SettlementGenerateIn(Input):
    period: str = Field(..., max_length=7, description=PERIOD_DOC)


class SettlementDisputeIn(Input):
    reason: str = Field(..., max_length=500)
    claimed_amount: str | None = Field(None, max_length=20, description='What the line should be, in yuan: "0.00".')


class SettlementDisputeFilters(Input):
    state: DisputeStateLit | None = None
    page: Int = 1
    page_size: Int = 50


class SettlementResolutionIn(Input):
    upheld: bool
    resolution: str = Field("", max_length=500, description="Rejected: why the line stands.")
    decided_amount: str | None = Field(None, max_length=20, description="Upheld: the amount the line should be "
                                                                        "(the amount claimed when left out).")


class SettlementFlagFilters(Input):
    state: FlagStateLit | None = None
    period: str | None = Field(None, max_length=7, description="The month its order was completed, YYYY-MM.")
    page: Int = 1
    page_size: Int = 50


class SettlementDecisionIn(Input):
    upheld: bool = Field(..., description="true: the order's lines are reversed; false: cleared, payable.")
    note: str = Field("", max_length=500, description="Required when upheld.")
    version: Int | None = Field(None, description="The version you read: another is a 409 stale_version.")


class SettlementLinesExportQuery(Input):
    period: str = Field(..., max_length=7, description=PERIOD_DOC)
