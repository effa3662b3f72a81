"""Settlement over HTTP (docs/settlement.md, "API"): thin adapters over settlement.workflow, settlement.disputes,
settlement.fraud, settlement.services and settlement.exports (STYLE.md §2).

Everything is fetched through ``visible_to``: the brand's finance (and its admin) sees the brand's statements,
disputes and flags; an outlet's manager their outlet's; a technician their own statement once it was sent;
nobody else anything. Another party's statement, line, dispute or flag is a 404. Money is a ``Decimal`` written
as a string with two places ("-12.50"), never a float.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router

from accounts.models import Organisation
from accounts.principal import Principal
from core.api import AUTH, get_visible, page_params, principal
from core.errors import InvalidInput, StaleVersion
from core.paging import capped_count
from core.schema import Id
from settlement import disputes, exports, flags, fraud, month, services, workflow
from settlement.choices import DisputeState
from settlement.models import FraudFlag, LineDispute, SettlementLine, Statement
from settlement.schemas import (
    LinesFormat,
    SettlementDecisionIn,
    SettlementDisputeBrief,
    SettlementDisputeFilters,
    SettlementDisputeIn,
    SettlementDisputeOut,
    SettlementDisputePage,
    SettlementEventOut,
    SettlementFlagFilters,
    SettlementFlagOut,
    SettlementFlagPage,
    SettlementGeneratedStatement,
    SettlementGenerateIn,
    SettlementGenerateOut,
    SettlementLineOut,
    SettlementLinesExportQuery,
    SettlementOrderRef,
    SettlementOutletRef,
    SettlementResolutionIn,
    SettlementTechnicianRef,
    SettlementTransitionIn,
    StatementDetail,
    StatementFilters,
    StatementOut,
    StatementPage,
)

router = Router(tags=["settlement"], auth=AUTH)

PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


def _period(value: str | None, field: str = "period") -> dt.date | None:
    if not value:
        return None
    if not re.match(PERIOD_PATTERN, value):
        raise InvalidInput(_("Give the month as YYYY-MM."), field=field)
    return dt.date(int(value[:4]), int(value[5:7]), 1)


# --- who sees what ---------------------------------------------------------------------------------------------


def _statements(request) -> QuerySet[Statement]:
    """The statements the caller may see (a technician only his own, once sent: StatementQuerySet)."""
    return Statement.objects.visible_to(request.user)


def _lines(request) -> QuerySet[SettlementLine]:
    return SettlementLine.objects.visible_to(request.user)


def _statement(request, pk: int) -> Statement:
    return get_visible(_statements(request).select_related("brand", "outlet", "technician"), request, pk)


def _outlet(org: Organisation) -> SettlementOutletRef:
    return SettlementOutletRef(id=org.pk, code=org.code, name=org.name)


def _technician(statement: Statement) -> SettlementTechnicianRef | None:
    tech = statement.technician
    return SettlementTechnicianRef(id=tech.pk, name=tech.name) if tech is not None else None


def _statement_fields(s: Statement) -> dict[str, Any]:
    return dict(id=s.pk, period=exports.period_label(s.period), outlet=_outlet(s.outlet), technician=_technician(s),
                state=s.state, state_label=str(s.get_state_display()), total=s.total, line_count=s.line_count,
                version=s.version, payment_reference=s.payment_reference, created_at=s.created_at,
                generated_at=s.generated_at, sent_at=s.sent_at, approved_at=s.approved_at, paid_at=s.paid_at)


def _dispute(d: LineDispute) -> SettlementDisputeOut:
    return SettlementDisputeOut(
        id=d.pk, statement_id=d.statement_id, line_id=d.line_id,
        order=SettlementOrderRef(id=d.line.work_order_id, number=d.line.work_order.number),
        outlet=_outlet(d.statement.outlet), line_amount=d.line.amount, reason=d.reason,
        claimed_amount=d.claimed_amount, state=d.state, raised_at=d.raised_at, resolution=d.resolution,
        decided_amount=d.decided_amount, resolved_at=d.resolved_at, adjustment_id=d.adjustment_id)


def _evidence(flag: FraudFlag) -> dict[str, Any]:
    return {key: str(value) if isinstance(value, Promise) else value for key, value in fraud.evidence_for(flag).items()}


def _flag(f: FraudFlag) -> SettlementFlagOut:
    return SettlementFlagOut(
        id=f.pk, order=SettlementOrderRef(id=f.work_order_id, number=f.work_order.number), outlet=_outlet(f.outlet),
        kind=f.kind, kind_label=str(f.get_kind_display()), evidence=_evidence(f), state=f.state,
        state_label=str(f.get_state_display()), version=f.version, raised_at=f.raised_at, decided_at=f.decided_at,
        note=f.note)


def _actions(actor: Principal, statement: Statement) -> list[str]:
    allowed = workflow.ALLOWED.get(statement.state, frozenset())
    return [name for name, to in workflow.ACTIONS.items()
            if to in allowed and workflow.may_move(actor, statement, to)]


def _detail(request, statement_id: int) -> StatementDetail:
    s = _statement(request, statement_id)
    lines = list(s.lines.select_related("work_order").order_by("work_order__completed_at", "work_order_id", "pk"))
    all_disputes = list(s.disputes.select_related("line__work_order", "statement__outlet").order_by("raised_at", "pk"))
    open_by_line = {d.line_id: d for d in all_disputes if d.state == DisputeState.OPEN}

    def line_out(line: SettlementLine) -> SettlementLineOut:
        d = open_by_line.get(line.pk)
        return SettlementLineOut(
            id=line.pk, order=SettlementOrderRef(id=line.work_order_id, number=line.work_order.number),
            kind=line.kind, kind_label=str(line.get_kind_display()), amount=line.amount, tariff_id=line.tariff_id,
            rule_id=line.rule_id, basis=line.basis, why=exports.why(line), held=line.held,
            adjustment_of=line.adjustment_of_id,
            open_dispute=SettlementDisputeBrief(id=d.pk, reason=d.reason, claimed_amount=d.claimed_amount,
                                                raised_at=d.raised_at) if d else None)

    events = [SettlementEventOut(from_state=e.from_state, state=e.state, at=e.at, actor_role=e.actor_role,
                                 reason=e.reason) for e in s.events.order_by("pk")]
    return StatementDetail(**_statement_fields(s), actions=_actions(principal(request), s),
                           lines=[line_out(line) for line in lines], events=events,
                           disputes=[_dispute(d) for d in all_disputes])


def _download(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- statements ------------------------------------------------------------------------------------------------


@router.get("/statements", response=StatementPage, summary="The statements you may see, filtered")
def list_statements(request, filters: Query[StatementFilters]):
    principal(request)
    page, size = page_params(filters.page, filters.page_size)
    qs = _statements(request).select_related("outlet", "technician")
    period = _period(filters.period)
    if period is not None:
        qs = qs.filter(period=period)
    if filters.outlet is not None:
        qs = qs.filter(outlet_id=filters.outlet)
    if filters.technician is not None:
        qs = qs.filter(technician_id=filters.technician)
    if filters.state:
        qs = qs.filter(state=filters.state)
    qs = qs.order_by("-period", "outlet__code", "technician_id", "pk")
    total, capped = capped_count(qs)
    items = [StatementOut(**_statement_fields(s)) for s in qs[(page - 1) * size: page * size]]
    return StatementPage(items=items, count=total, count_capped=capped, page=page, page_size=size)


@router.get("/statements/{statement_id}", response=StatementDetail,
            summary="One statement with its lines, its history and its disputes")
def get_statement(request, statement_id: Id):
    return _detail(request, statement_id)


@router.post("/statements/{statement_id}/transitions", response=StatementDetail,
             summary="Move a statement: send, confirm, approve, pay")
def statement_transition(request, statement_id: Id, payload: SettlementTransitionIn):
    statement = _statement(request, statement_id)
    if payload.version is not None and payload.version != statement.version:
        raise StaleVersion(current_version=statement.version)
    workflow.act(statement, payload.action, actor=principal(request), reason=payload.reason,
                 payment_reference=payload.payment_reference)
    return _detail(request, statement_id)


@router.post("/generate", response=SettlementGenerateOut,
             summary="Run the fraud checks and (re)build the month's draft statements (the brand's finance)")
def generate(request, payload: SettlementGenerateIn):
    rebuilt = month.check_and_generate(actor=principal(request), period=_period(payload.period))
    ids = [s.pk for s in rebuilt]
    rows = Statement.objects.filter(pk__in=ids).select_related("outlet", "technician").order_by("outlet__code", "pk")
    return SettlementGenerateOut(period=payload.period, statements=[
        SettlementGeneratedStatement(id=s.pk, outlet=_outlet(s.outlet), technician=_technician(s), state=s.state,
                                     total=s.total, line_count=s.line_count, version=s.version) for s in rows])


# --- exports ---------------------------------------------------------------------------------------------------


@router.get("/statements/{statement_id}/export.xlsx", summary="The statement as a spreadsheet")
def export_statement_xlsx(request, statement_id: Id):
    statement = _statement(request, statement_id)
    name = f"statement-{statement.outlet.code}-{exports.period_label(statement.period)}-{statement.pk}.xlsx"
    return _download(exports.statement_xlsx(statement), name, exports.XLSX)


@router.get("/statements/{statement_id}/export.pdf", summary="The statement as a PDF")
def export_statement_pdf(request, statement_id: Id):
    statement = _statement(request, statement_id)
    name = f"statement-{statement.outlet.code}-{exports.period_label(statement.period)}-{statement.pk}.pdf"
    return _download(exports.statement_pdf(statement), name, "application/pdf")


@router.get("/lines/export.{fmt}",
            summary="All the lines of a month you may see, one row each, for the accounting system (xlsx or csv)")
def export_lines(request, fmt: LinesFormat, query: Query[SettlementLinesExportQuery]):
    principal(request)
    period = _period(query.period)
    lines = _lines(request).filter(statement__period=period)
    name = f"settlement-lines-{query.period}.{fmt}"
    if fmt == "csv":
        return _download(exports.period_lines_csv(lines), name, "text/csv; charset=utf-8")
    return _download(exports.period_lines_xlsx(lines), name, exports.XLSX)


# --- disputes --------------------------------------------------------------------------------------------------


def _disputes(request) -> QuerySet[LineDispute]:
    return LineDispute.objects.visible_to(request.user).select_related("line__work_order", "statement__outlet")


@router.post("/lines/{line_id}/disputes", response={201: SettlementDisputeOut},
             summary="Dispute one line of your outlet's sent statement (the outlet's manager)")
def raise_dispute(request, line_id: Id, payload: SettlementDisputeIn):
    line = get_visible(_lines(request).select_related("statement"), request, line_id)
    dispute = disputes.raise_dispute(line, actor=principal(request), reason=payload.reason,
                                     claimed_amount=payload.claimed_amount)
    return 201, _dispute(_disputes(request).get(pk=dispute.pk))


@router.get("/disputes", response=SettlementDisputePage,
            summary="The disputes you may see (finance: the brand's; an outlet's manager: their own)")
def list_disputes(request, filters: Query[SettlementDisputeFilters]):
    principal(request)
    page, size = page_params(filters.page, filters.page_size)
    qs = _disputes(request)
    if filters.state:
        qs = qs.filter(state=filters.state)
    qs = qs.order_by("raised_at", "pk")
    total, capped = capped_count(qs)
    return SettlementDisputePage(items=[_dispute(d) for d in qs[(page - 1) * size: page * size]], count=total,
                                 count_capped=capped, page=page, page_size=size)


@router.post("/disputes/{dispute_id}/resolution", response=SettlementDisputeOut,
             summary="Decide a dispute (the brand's finance): upheld makes an adjustment line, rejected keeps the line")
def resolve_dispute(request, dispute_id: Id, payload: SettlementResolutionIn):
    dispute = get_visible(_disputes(request), request, dispute_id)
    disputes.resolve(dispute, actor=principal(request), upheld=payload.upheld, resolution=payload.resolution,
                     decided_amount=payload.decided_amount)
    return _dispute(_disputes(request).get(pk=dispute_id))


# --- fraud review ----------------------------------------------------------------------------------------------


def _flags(request) -> QuerySet[FraudFlag]:
    return FraudFlag.objects.visible_to(request.user).select_related("work_order", "outlet")


@router.get("/flags", response=SettlementFlagPage,
            summary="The fraud review queue (finance: the brand's flags; an outlet's manager: their outlet's)")
def list_flags(request, filters: Query[SettlementFlagFilters]):
    principal(request)
    page, size = page_params(filters.page, filters.page_size)
    qs = _flags(request)
    if filters.state:
        qs = qs.filter(state=filters.state)
    period = _period(filters.period)
    if period is not None:
        start, end = services.month_bounds(period)
        qs = qs.filter(Q(work_order__completed_at__gte=start) & Q(work_order__completed_at__lt=end))
    qs = qs.order_by("raised_at", "pk")
    total, capped = capped_count(qs)
    return SettlementFlagPage(items=[_flag(f) for f in qs[(page - 1) * size: page * size]], count=total,
                              count_capped=capped, page=page, page_size=size)


@router.post("/flags/{flag_id}/decision", response=SettlementFlagOut,
             summary="Decide a flag (the brand's finance): cleared releases its order's lines, upheld reverses them")
def decide_flag(request, flag_id: Id, payload: SettlementDecisionIn):
    flag = get_visible(_flags(request), request, flag_id)
    if payload.version is not None and payload.version != flag.version:
        raise StaleVersion(current_version=flag.version)
    flags.decide(flag, actor=principal(request), upheld=payload.upheld, note=payload.note)
    return _flag(_flags(request).get(pk=flag_id))
