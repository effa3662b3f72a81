"""The finance desk (结算台) in the console, and the outlet manager's statement pages (docs/settlement.md).

Thin adapters (STYLE.md §2): the month's statements by state (settlement.services.generate after the fraud checks,
settlement.month.check_and_generate), a statement's lines grouped by order with why each is what it is, its moves
(settlement.workflow.act, compare-and-set on the version the page showed), a line's dispute and its resolution
(settlement.disputes) and the exports (settlement.exports); the review queues are in settlement_queues.py.

Who: the brand's finance and its admin see every statement of the brand and work the queues; an outlet's manager
sees their outlet's statements on the same pages, confirms or disputes them. Everything is fetched through
``visible_to`` before the seat is checked, so another party's statement, line, dispute or flag is a 404.
"""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.choices import Role
from accounts.principal import Principal
from console.settlement_forms import (
    DeskForm,
    DisputeForm,
    GenerateForm,
    MoveForm,
)
from core.errors import DomainError, StaleVersion
from core.forms import add_domain_error
from core.htmx import refused, render_page
from core.pages import refusal, staff_page
from settlement import disputes, exports, month, workflow
from settlement.arithmetic import money
from settlement.choices import DisputeState, StatementState
from settlement.models import STATEMENT_BRAND_ROLES, FraudFlag, LineDispute, SettlementLine, Statement
from settlement.why import why

DESK = "console/settlement/desk.html"
DESK_RESULTS = "console/settlement/_partials/desk_results.html"
STATEMENT = "console/settlement/statement.html"
STATEMENT_BODY = "console/settlement/_partials/statement_body.html"

# The moves' names on their buttons (settlement.workflow.ACTIONS).
ACTION_LABELS = {"send": gettext_lazy("Send to the outlet"), "confirm": gettext_lazy("Confirm the statement"),
                 "approve": gettext_lazy("Approve"), "pay": gettext_lazy("Record the payment")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_finance(principal: Principal | None) -> bool:
    """The brand's finance and its admin: the whole brand's statements and the review queues."""
    return principal is not None and principal.is_brand_staff and principal.role in STATEMENT_BRAND_ROLES


def sees_statements(principal: Principal | None) -> bool:
    """Who has the statements pages: finance, the brand's admin, and an outlet's manager (their own)."""
    return is_finance(principal) or (principal is not None and principal.role == Role.OUTLET_MANAGER)


def _statement(user, pk: int) -> Statement | None:
    return Statement.objects.visible_to(user).select_related("outlet").filter(pk=pk).first()


def _line(user, pk: int) -> SettlementLine | None:
    return SettlementLine.objects.visible_to(user).select_related("statement__outlet").filter(pk=pk).first()


def visible_dispute(user, pk: int) -> LineDispute | None:
    return LineDispute.objects.visible_to(user).select_related("statement").filter(pk=pk).first()


def visible_flag(user, pk: int) -> FraudFlag | None:
    return FraudFlag.objects.visible_to(user).filter(pk=pk).first()


no_desk = refusal("console/settlement/no_desk.html")
desk_page = staff_page(seat=sees_statements, refuse=no_desk)
finance_page = staff_page(seat=is_finance, refuse=no_desk)
statement_page = staff_page(seat=sees_statements, refuse=no_desk, fetch=_statement, as_name="statement")
line_page = staff_page(seat=sees_statements, refuse=no_desk, fetch=_line, as_name="line")
dispute_page = staff_page(seat=is_finance, refuse=no_desk, fetch=visible_dispute, as_name="dispute")
flag_page = staff_page(seat=is_finance, refuse=no_desk, fetch=visible_flag, as_name="flag")


# ---- the desk: the month's statements by state ----

def _desk_context(request: HttpRequest, principal: Principal, form: DeskForm, *,
                  generate_form: GenerateForm | None = None, notice: str = "", error: str = "") -> dict:
    period = form.period_or_default()
    state = form.cleaned_data.get("state", "") if form.is_bound and form.is_valid() else ""
    month = Statement.objects.visible_to(request.user).filter(period=period, technician__isnull=True)
    summary = {row["state"]: row for row in month.values("state").annotate(n=Count("pk"), total=Sum("total"))}
    states = [{"value": value, "label": label, "n": summary.get(value, {}).get("n", 0),
               "total": money(summary.get(value, {}).get("total") or 0)}
              for value, label in StatementState.choices]
    rows = month.filter(state=state) if state else month
    rows = (rows.select_related("outlet").order_by("outlet__name", "pk")
            .annotate(held=Count("lines", filter=Q(lines__held=True), distinct=True),
                      open_disputes=Count("disputes", filter=Q(disputes__state=DisputeState.OPEN), distinct=True)))
    return {
        "form": form, "period": period, "state": state, "states": states, "rows": list(rows),
        "count": sum(s["n"] for s in states), "grand_total": sum((s["total"] for s in states), Decimal("0.00")),
        "finance": is_finance(principal), "principal": principal, "notice": notice, "error": error,
        "generate_form": generate_form or GenerateForm(initial={"period": period}),
        "filters_invalid": form.is_bound and not form.is_valid(),
    }


@require_GET
@desk_page
def desk(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    form = DeskForm(request.GET or None)
    notice = ""
    if request.GET.get("generated", "").isdigit():
        n = int(request.GET["generated"])
        notice = _("Drafts generated: %(n)s statement(s) rebuilt from the month's orders.") % {"n": n}
    return render_page(request, DESK, _desk_context(request, principal, form, notice=notice), partial=DESK_RESULTS)


@require_POST
@finance_page
def generate(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    form = GenerateForm(request.POST)
    status, error = 422, ""
    if form.is_valid():
        period = form.cleaned_data["period"]
        try:
            rebuilt = month.check_and_generate(actor=principal, period=period)
        except DomainError as problem:
            add_domain_error(form, problem, default="period")
            status, error = problem.status, str(problem.message)
        else:
            return redirect(f"{reverse('console:settlement')}?period={period:%Y-%m}&generated={len(rebuilt)}")
    desk_form = DeskForm({"period": request.POST.get("period", "")})
    context = _desk_context(request, principal, desk_form, generate_form=form, error=error)
    return refused(render_page(request, DESK, context), status)


# ---- one statement: its lines by order, its moves, the outlet's disputes ----

def _moves(statement: Statement, principal: Principal, failed: MoveForm | None) -> list[dict]:
    moves = []
    for name, to in workflow.ACTIONS.items():
        if to not in workflow.ALLOWED.get(statement.state, ()) or not workflow.may_move(principal, statement, to):
            continue
        form = failed if failed is not None and failed.data.get("action") == name else MoveForm(
            auto_id=f"id_{name}_%s", initial={"action": name, "version": statement.version})
        moves.append({"name": name, "label": ACTION_LABELS[name], "form": form, "asks_reference": name == "pay"})
    return moves


def _groups(statement: Statement, principal: Principal, user, failed: tuple[int, DisputeForm] | None) -> list:
    """The statement's lines grouped by order, each with why it is what it is, its disputes and the form to
    dispute it (the outlet's manager, while the statement is open to disputes)."""
    lines = list(statement.lines.select_related("work_order", "tariff", "rule").order_by("work_order_id", "pk"))
    disputes_of: dict[int, list[LineDispute]] = {}
    for dispute in statement.disputes.order_by("raised_at", "pk"):
        disputes_of.setdefault(dispute.line_id, []).append(dispute)
    orders = {line.work_order_id for line in lines}
    flags_of: dict[int, list[FraudFlag]] = {}
    for flag in FraudFlag.objects.visible_to(user).filter(work_order_id__in=orders).order_by("raised_at", "pk"):
        flags_of.setdefault(flag.work_order_id, []).append(flag)
    may_dispute = (principal.role == Role.OUTLET_MANAGER and principal.outlet_id == statement.outlet_id
                   and statement.technician_id is None and statement.state in disputes.OPEN_TO_DISPUTE)
    groups: OrderedDict[int, dict] = OrderedDict()
    for line in lines:
        group = groups.setdefault(line.work_order_id, {"order": line.work_order, "rows": [],
                                                       "subtotal": Decimal("0.00"),
                                                       "flags": flags_of.get(line.work_order_id, [])})
        mine = disputes_of.get(line.pk, [])
        open_dispute = next((d for d in mine if d.state == DisputeState.OPEN), None)
        form = None
        if may_dispute and open_dispute is None:
            form = failed[1] if failed is not None and failed[0] == line.pk else DisputeForm(
                auto_id=f"id_line{line.pk}_%s")
        group["rows"].append({"line": line, "why": why(line), "disputes": mine, "open_dispute": open_dispute,
                              "form": form})
        group["subtotal"] += line.amount
    return list(groups.values())


def _statement_context(request: HttpRequest, statement: Statement, principal: Principal, *,
                       failed_move: MoveForm | None = None, failed_dispute: tuple[int, DisputeForm] | None = None,
                       notice: str = "", error: str = "") -> dict:
    groups = _groups(statement, principal, request.user, failed_dispute)
    total = sum((g["subtotal"] for g in groups), Decimal("0.00"))
    held = sum(1 for g in groups for r in g["rows"] if r["line"].held)
    open_disputes = sum(1 for g in groups for r in g["rows"] if r["open_dispute"])
    return {
        "statement": statement, "principal": principal, "groups": groups, "total": total, "held": held,
        "open_disputes": open_disputes, "moves": _moves(statement, principal, failed_move),
        "events": statement.events.select_related("actor").order_by("pk"),
        "finance": is_finance(principal), "notice": notice, "error": error,
        "line_count": sum(len(g["rows"]) for g in groups),
    }


def _statement_answer(request: HttpRequest, statement: Statement, principal: Principal, status: int = 200,
                      **extra) -> HttpResponse:
    response = render_page(request, STATEMENT, _statement_context(request, statement, principal, **extra),
                           partial=STATEMENT_BODY)
    return refused(response, status) if status >= 400 else response


@require_GET
@statement_page
def statement_detail(request: HttpRequest, *, principal: Principal, statement: Statement) -> HttpResponse:
    notice = ""
    done = request.GET.get("done", "")
    if done in ACTION_LABELS:
        notice = _("Done: %(action)s.") % {"action": ACTION_LABELS[done]}
    elif done == "dispute":
        notice = _("Your dispute is recorded; finance will decide it.")
    return _statement_answer(request, statement, principal, notice=notice)


def _stale_message() -> str:
    return _("Someone else changed this statement after you opened it. It is shown again as it is now; "
             "look it over and try again.")


@require_POST
@statement_page
def statement_move(request: HttpRequest, *, principal: Principal, statement: Statement) -> HttpResponse:
    name = request.POST.get("action", "")
    form = MoveForm(request.POST, auto_id=f"id_{name if name in workflow.ACTIONS else 'x'}_%s")
    status, error = 422, ""
    if form.is_valid():
        data = form.cleaned_data
        current = statement.version
        statement.version = data["version"]  # the version the page showed: a change since then is stale
        try:
            workflow.act(statement, data["action"], actor=principal,
                         payment_reference=data["payment_reference"])
        except DomainError as problem:
            status = problem.status
            # A page older than the statement is told so, whatever the move then ran into (a state it left).
            if isinstance(problem, StaleVersion) or data["version"] != current:
                error = _stale_message()
            else:
                add_domain_error(form, problem)
                error = str(problem.message)
        else:
            if not request.htmx:
                return redirect(f"{reverse('console:settlement-statement', args=[statement.pk])}"
                                f"?done={data['action']}")
            fresh = _statement(request.user, statement.pk)
            return _statement_answer(request, fresh, principal,
                                     notice=_("Done: %(action)s.") % {"action": ACTION_LABELS[data["action"]]})
    else:
        error = _("This move cannot be made as asked.")
    fresh = _statement(request.user, statement.pk)
    return _statement_answer(request, fresh, principal, status, failed_move=form, error=error)


@require_POST
@line_page
def line_dispute(request: HttpRequest, *, principal: Principal, line: SettlementLine) -> HttpResponse:
    form = DisputeForm(request.POST, auto_id=f"id_line{line.pk}_%s")
    status = 422
    if form.is_valid():
        try:
            disputes.raise_dispute(line, actor=principal, reason=form.cleaned_data["reason"],
                                   claimed_amount=form.cleaned_data["claimed_amount"])
        except DomainError as problem:
            add_domain_error(form, problem, default="reason", aliases={"claimed_amount": "claimed_amount"})
            status = problem.status
        else:
            url = reverse("console:settlement-statement", args=[line.statement_id])
            if not request.htmx:
                return redirect(f"{url}?done=dispute")
            return _statement_answer(request, _statement(request.user, line.statement_id), principal,
                                     notice=_("Your dispute is recorded; finance will decide it."))
    return _statement_answer(request, _statement(request.user, line.statement_id), principal, status,
                             failed_dispute=(line.pk, form))


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _file_name(statement: Statement, suffix: str) -> str:
    outlet = statement.outlet.code or f"outlet-{statement.outlet_id}"
    return f"statement-{outlet}-{statement.period:%Y-%m}-{statement.pk}.{suffix}"


@require_GET
@statement_page
def statement_xlsx(request: HttpRequest, *, principal: Principal, statement: Statement) -> HttpResponse:
    return _download(exports.statement_xlsx(statement), XLSX, _file_name(statement, "xlsx"))


@require_GET
@statement_page
def statement_pdf(request: HttpRequest, *, principal: Principal, statement: Statement) -> HttpResponse:
    return _download(exports.statement_pdf(statement), "application/pdf", _file_name(statement, "pdf"))


@require_GET
@finance_page
def period_lines_xlsx(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    form = DeskForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponse(_("Give the month as YYYY-MM."), status=400, content_type="text/plain; charset=utf-8")
    period = form.period_or_default()
    lines = (SettlementLine.objects.visible_to(request.user)
             .filter(statement__period=period, statement__technician__isnull=True)
             .select_related("statement", "outlet", "work_order", "tariff", "rule")
             .order_by("outlet_id", "work_order_id", "pk"))
    return _download(exports.period_lines_xlsx(lines), XLSX, f"settlement-lines-{period:%Y-%m}.xlsx")
