"""The complaints desk in the staff console: the brand's desk sees the brand's complaints, an outlet those about
its orders (a complaint of another does not exist here: 404).

Thin over complaints.selectors and complaints.workflow (STYLE.md §2): the list with its filters, the ladder's
clocks and the upheld counts per outlet and technician; a complaint's page with the steps the viewer's role may
take. One view renders the page or, for htmx, its partial (§13).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.choices import OrgKind
from accounts.models import Organisation
from accounts.principal import Principal
from complaints import selectors, workflow
from complaints.models import Complaint
from console.forms import ComplaintFilterForm, ComplaintStepForm
from core.errors import DomainError
from core.forms import add_domain_error
from core.htmx import refused, render_page
from core.pages import refusal, staff_page

PAGE_SIZE = 50
KPI_DAYS = 90
DETAIL_PAGE = "console/complaints/complaint_detail.html"
DETAIL_BODY = "console/complaints/_partials/complaint_body.html"


def _desk_seat(principal: Principal | None) -> bool:
    return principal is not None and (principal.is_brand_staff or principal.is_outlet_staff)


desk_page = staff_page(seat=_desk_seat, refuse=refusal("console/complaints/no_desk.html"),
                       fetch=selectors.get_complaint, as_name="complaint")


@require_GET
@desk_page
def complaint_list(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    outlets = Organisation.objects.visible_to(request.user).filter(kind=OrgKind.OUTLET).order_by("name")
    form = ComplaintFilterForm(request.GET or None, outlets=outlets)
    data = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    qs = selectors.complaints(request.user, selectors.Filters(
        status=data.get("status", ""), severity=data.get("severity", ""), category=data.get("category", ""),
        outlet_id=data["outlet"].pk if data.get("outlet") else None, overdue=bool(data.get("overdue"))), now=now)
    rows = [(c, selectors.is_overdue(c, now)) for c in qs[:PAGE_SIZE]]
    visible = Complaint.objects.visible_to(request.user)
    since = now - dt.timedelta(days=KPI_DAYS)
    context = {"form": form, "rows": rows, "total": qs.count(), "principal": principal, "now": now,
               "filters_invalid": form.is_bound and not form.is_valid(), "kpi_days": KPI_DAYS,
               "by_outlet": selectors.upheld_by_outlet(visible, since=since),
               "by_technician": selectors.upheld_by_technician(visible, since=since)}
    return render_page(request, "console/complaints/complaint_list.html", context,
                       partial="console/complaints/_partials/complaint_table.html")


def _detail(request: HttpRequest, complaint: Complaint, principal: Principal, *,
            failed: ComplaintStepForm | None = None, notice: str = "") -> dict:
    forms = []
    for action in workflow.available_actions(complaint, principal):
        if failed is not None and failed.data.get("action") == action.name:
            form, failed = failed, None
        else:
            form = ComplaintStepForm(auto_id=f"id_{action.name}_%s", step=action.name)
        forms.append((action, form))
    panel_error = ""
    if failed is not None:
        panel_error = "; ".join(str(e) for errors in failed.errors.values() for e in errors)
    return {"complaint": complaint, "principal": principal, "action_forms": forms, "panel_error": panel_error,
            "notice": notice, "events": selectors.timeline(request.user, complaint),
            "overdue": selectors.is_overdue(complaint)}


@require_GET
@desk_page
def complaint_detail(request: HttpRequest, *, principal: Principal, complaint: Complaint) -> HttpResponse:
    return render_page(request, DETAIL_PAGE, _detail(request, complaint, principal), partial=DETAIL_BODY)


@require_POST
@desk_page
def complaint_transition(request: HttpRequest, *, principal: Principal, complaint: Complaint) -> HttpResponse:
    name = request.POST.get("action", "")
    form = ComplaintStepForm(request.POST, auto_id=f"id_{name if name in workflow.ACTIONS else 'x'}_%s", step=name)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        verdict = workflow.Verdict(outcome=data["outcome"], remedies=tuple(data["remedies"]),
                                   compensation=data["compensation"], responsible=data["responsible"])
        try:
            complaint = workflow.transition(complaint, data["action"], actor=principal, note=data["note"],
                                            verdict=verdict)
        except DomainError as error:
            add_domain_error(form, error)
            status = error.status
        else:
            if not request.htmx:
                return redirect("console:complaint", pk=complaint.pk)
            complaint = selectors.get_complaint(request.user, complaint.pk)
            notice = str(workflow.ACTIONS[data["action"]].label)
            return render_page(request, DETAIL_PAGE, _detail(request, complaint, principal, notice=notice),
                               partial=DETAIL_BODY)
    complaint = selectors.get_complaint(request.user, complaint.pk)
    return refused(render_page(request, DETAIL_PAGE, _detail(request, complaint, principal, failed=form),
                               partial=DETAIL_BODY), status)
