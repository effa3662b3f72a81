"""The technician's side of sales on site, in the field app's look: record a lead from a job, and the
earnings page (this month, last month, per lead; and their own settlement statements once sent: by month, the
total and each line with why). A job that is not theirs does not exist here (404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.principal import Principal
from core.errors import DomainError
from core.forms import add_domain_error
from field.forms import LeadForm
from field.views.common import shell, technician_page
from revenue import selectors, services
from revenue.choices import LeadKind
from revenue.consent import consent_wording
from settlement.choices import LineKind, StatementState
from settlement.models import SettlementLine, Statement
from settlement.why import reasons
from workorders.models import WorkOrder


@require_GET
@technician_page
def earnings(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    return render(request, "field/earnings.html", {**shell(), "earnings": selectors.earnings(request.user),
                                                   "statements": my_statements(request.user)})


# A technician's statement is theirs to see once their outlet's month has gone out (a draft is still being made).
SHOWN_STATES = (StatementState.SENT, StatementState.CONFIRMED, StatementState.APPROVED, StatementState.PAID)
MONTHS_SHOWN = 12


@dataclass(frozen=True)
class StatementLineRow:
    number: str
    kind: str
    label: str
    amount: Decimal
    why: str


@dataclass(frozen=True)
class StatementRow:
    pk: int
    period: dt.date
    state: str
    state_label: str
    total: Decimal
    paid_at: dt.datetime | None
    lines: list[StatementLineRow]


def my_statements(user) -> list[StatementRow]:
    """The user's own settlement statements past draft, newest month first, each with its lines."""
    statements = list(Statement.objects.visible_to(user)
                      .filter(technician__isnull=False, state__in=SHOWN_STATES)
                      .order_by("-period", "pk")[:MONTHS_SHOWN])
    if not statements:
        return []
    labels = dict(LineKind.choices)
    by_statement: dict[int, list[StatementLineRow]] = {s.pk: [] for s in statements}
    rows = (SettlementLine.objects.visible_to(user).filter(statement_id__in=list(by_statement))
            .order_by("statement_id", "work_order__number", "pk")
            .values_list("statement_id", "work_order__number", "kind", "amount", "basis"))
    for statement_id, number, kind, amount, basis in rows:
        by_statement[statement_id].append(StatementLineRow(
            number=number, kind=kind, label=str(labels.get(kind, kind)), amount=amount,
            why="; ".join(reasons(kind, basis, amount=amount))))
    return [StatementRow(pk=s.pk, period=s.period, state=s.state, state_label=s.get_state_display(), total=s.total,
                         paid_at=s.paid_at, lines=by_statement[s.pk]) for s in statements]


def _visible_order(user, pk: int) -> WorkOrder:
    return WorkOrder.objects.visible_to(user).select_related("brand", "customer", "technician").get(pk=pk)


@require_http_methods(["GET", "POST"])
@technician_page(fetch=_visible_order, as_name="order")
def new_lead(request: HttpRequest, *, principal: Principal, order: WorkOrder) -> HttpResponse:
    wordings = {kind: consent_wording(brand_name=order.brand.name, kind=kind) for kind in LeadKind.values}
    status = 200
    if request.method == "POST":
        form = LeadForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_lead(actor=principal, order=order, kind=data["kind"], consent=data["consent"],
                                     consented_by=data["consented_by"], consent_wording=data["consent_wording"],
                                     note=data["note"], contact_phone=data["contact_phone"])
            except DomainError as error:
                add_domain_error(form, error)
                status = error.status
            else:
                return redirect(reverse("field:earnings") + "?recorded=1")
        else:
            status = 422
    else:
        first = LeadKind.values[0]
        form = LeadForm(initial={"kind": first, "consented_by": order.customer.name,
                                 "contact_phone": order.customer.phone, "consent_wording": wordings[first]})
    return render(request, "field/new_lead.html", {
        **shell(), "form": form, "order": order, "wordings": wordings,
        "now": timezone.now(),
    }, status=status)
