"""The leads queue in the staff console: the brand's desk sees the brand's queue, an outlet its own.

Thin over revenue.selectors and revenue.workflow (STYLE.md §2); one view renders the page or, for htmx,
its partial (§13). A lead of another queue does not exist here (404).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from accounts.principal import Principal, principal_of
from core.errors import DomainError
from revenue import selectors, workflow
from revenue.forms import LeadFilterForm, LeadTransitionForm
from revenue.models import Lead

PAGE_SIZE = 50
DOMAIN_ERROR_HEADER = "X-Domain-Error"


def _queue_seat(principal: Principal | None) -> bool:
    return principal is not None and (principal.is_brand_staff or principal.is_outlet_staff)


def _no_queue(request: HttpRequest, principal: Principal | None) -> HttpResponse:
    return render(request, "revenue/no_queue.html", {"principal": principal}, status=403)


def _render(request: HttpRequest, page: str, partial: str, context: dict, status: int = 200) -> HttpResponse:
    is_partial = bool(request.htmx) and not request.htmx.history_restore_request
    response = render(request, partial if is_partial else page, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request.user)
    if not _queue_seat(principal):
        return _no_queue(request, principal)
    form = LeadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.leads(request.user, status=filters.get("status", ""), kind=filters.get("kind", "")).select_related(
        "commission")
    context = {"form": form, "leads": list(qs[:PAGE_SIZE]), "total": qs.count(), "principal": principal,
               "filters_invalid": form.is_bound and not form.is_valid()}
    return _render(request, "revenue/lead_list.html", "revenue/_partials/lead_table.html", context)


def _visible_lead(request: HttpRequest, pk: int) -> Lead:
    try:
        return selectors.get_lead(request.user, pk)
    except Lead.DoesNotExist:
        raise Http404 from None


def _detail(request: HttpRequest, lead: Lead, principal: Principal, *, failed: LeadTransitionForm | None = None,
            notice: str = "") -> dict:
    forms = []
    for action in workflow.available_actions(lead, principal):
        if failed is not None and failed.data.get("action") == action.name:
            form, failed = failed, None
        else:
            form = LeadTransitionForm(auto_id=f"id_{action.name}_%s")
        forms.append((action, form))
    panel_error = ""
    if failed is not None:
        panel_error = "; ".join(str(e) for errors in failed.errors.values() for e in errors)
    try:
        commission = lead.commission
    except Lead.commission.RelatedObjectDoesNotExist:
        commission = None
    return {"lead": lead, "principal": principal, "action_forms": forms, "panel_error": panel_error,
            "notice": notice, "events": selectors.timeline(request.user, lead), "commission": commission}


@require_GET
@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _visible_lead(request, pk)
    principal = principal_of(request.user)
    if not _queue_seat(principal):
        return _no_queue(request, principal)
    return _render(request, "revenue/lead_detail.html", "revenue/_partials/lead_body.html",
                   _detail(request, lead, principal))


@require_POST
@login_required
def lead_transition(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _visible_lead(request, pk)
    principal = principal_of(request.user)
    if not _queue_seat(principal):
        return _no_queue(request, principal)
    name = request.POST.get("action", "")
    form = LeadTransitionForm(request.POST, auto_id=f"id_{name if name in workflow.ACTIONS else 'x'}_%s")
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            lead = workflow.transition(lead, data["action"], actor=principal, version=data["version"],
                                       value=data["value"], reason=data["reason"])
        except DomainError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, str(error.message))
            status = error.status
        else:
            if not request.htmx:
                return redirect("revenue-console:lead", pk=lead.pk)
            lead = _visible_lead(request, pk)
            return _render(request, "revenue/lead_detail.html", "revenue/_partials/lead_body.html",
                           _detail(request, lead, principal, notice=str(workflow.ACTIONS[data["action"]].label)))
    lead = _visible_lead(request, pk)
    response = _render(request, "revenue/lead_detail.html", "revenue/_partials/lead_body.html",
                       _detail(request, lead, principal, failed=form), status=status)
    response[DOMAIN_ERROR_HEADER] = str(status)
    return response
