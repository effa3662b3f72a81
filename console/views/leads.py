"""The leads queue in the staff console: the brand's desk sees the brand's queue, an outlet its own.

Thin over revenue.selectors and revenue.workflow (STYLE.md §2); one view renders the page or, for htmx,
its partial (§13). A lead of another queue does not exist here (404).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from accounts.principal import Principal
from console.forms import LeadFilterForm, LeadTransitionForm
from core.errors import DomainError
from core.forms import add_domain_error
from core.htmx import refused, render_page
from core.pages import refusal, staff_page
from pricing.extended import offers_for
from revenue import selectors, workflow
from revenue.choices import LeadKind
from revenue.models import Lead

PAGE_SIZE = 50
LEAD_PAGE = "console/leads/lead_detail.html"
LEAD_BODY = "console/leads/_partials/lead_body.html"


def _queue_seat(principal: Principal | None) -> bool:
    return principal is not None and (principal.is_brand_staff or principal.is_outlet_staff)


# The brand's and the outlets' desks; a lead named in the address is fetched through visible_to first (404).
queue_page = staff_page(seat=_queue_seat, refuse=refusal("console/leads/no_queue.html"), fetch=selectors.get_lead,
                        as_name="lead")


@require_GET
@queue_page
def lead_list(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    form = LeadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.leads(request.user, status=filters.get("status", ""), kind=filters.get("kind", "")).select_related(
        "commission")
    context = {"form": form, "leads": list(qs[:PAGE_SIZE]), "total": qs.count(), "principal": principal,
               "filters_invalid": form.is_bound and not form.is_valid()}
    return render_page(request, "console/leads/lead_list.html", context,
                       partial="console/leads/_partials/lead_table.html")


def _visible_lead(request: HttpRequest, pk: int) -> Lead:
    try:
        return selectors.get_lead(request.user, pk)
    except Lead.DoesNotExist:
        raise Http404 from None


def _terms(lead: Lead) -> list[tuple[int, str]]:
    """The extended warranties the lead's unit may buy today, to choose the one sold when the lead is won."""
    product = lead.work_order.product
    if lead.kind != LeadKind.EXTENDED_WARRANTY or product is None:
        return []
    return [(o.term.pk, f"{o.term.display_name} · ¥{o.price} · {o.starts_on:%Y-%m-%d} – {o.ends_on:%Y-%m-%d}")
            for o in offers_for(product=product)]


def _detail(request: HttpRequest, lead: Lead, principal: Principal, *, failed: LeadTransitionForm | None = None,
            notice: str = "") -> dict:
    forms = []
    terms = _terms(lead) if lead.status in workflow.ACTIONS["win"].sources else []
    for action in workflow.available_actions(lead, principal):
        if failed is not None and failed.data.get("action") == action.name:
            form, failed = failed, None
        else:
            form = LeadTransitionForm(auto_id=f"id_{action.name}_%s", terms=terms)
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
@queue_page
def lead_detail(request: HttpRequest, *, principal: Principal, lead: Lead) -> HttpResponse:
    return render_page(request, LEAD_PAGE, _detail(request, lead, principal), partial=LEAD_BODY)


@require_POST
@queue_page
def lead_transition(request: HttpRequest, *, principal: Principal, lead: Lead) -> HttpResponse:
    pk = lead.pk
    name = request.POST.get("action", "")
    form = LeadTransitionForm(request.POST, auto_id=f"id_{name if name in workflow.ACTIONS else 'x'}_%s",
                              terms=_terms(lead))
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            lead = workflow.transition(lead, data["action"], actor=principal, version=data["version"],
                                       value=data["value"], reason=data["reason"], term_id=data["term"])
        except DomainError as error:
            add_domain_error(form, error)
            status = error.status
        else:
            if not request.htmx:
                return redirect("console:lead", pk=lead.pk)
            lead = _visible_lead(request, pk)
            notice = str(workflow.ACTIONS[data["action"]].label)
            return render_page(request, LEAD_PAGE, _detail(request, lead, principal, notice=notice), partial=LEAD_BODY)
    lead = _visible_lead(request, pk)
    return refused(render_page(request, LEAD_PAGE, _detail(request, lead, principal, failed=form), partial=LEAD_BODY),
                   status)
