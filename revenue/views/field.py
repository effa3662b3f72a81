"""The technician's side of sales on site, in the field app's look: record a lead from a job, and the
earnings page (this month, last month, per lead). A job that is not theirs does not exist here (404)."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.principal import principal_of
from core.errors import DomainError
from revenue import selectors, services
from revenue.choices import LeadKind
from revenue.consent import consent_wording
from revenue.forms import LeadForm
from workorders.models import WorkOrder


def _shell() -> dict:
    """What the field app's base template expects (its script's words)."""
    from field.texts import script_texts

    return {"texts_json": json.dumps(script_texts(), ensure_ascii=False)}


def _not_technician(request: HttpRequest) -> HttpResponse:
    return render(request, "field/not_technician.html", {**_shell(), "seat": principal_of(request.user)},
                  status=403)


@require_GET
@login_required
def earnings(request: HttpRequest) -> HttpResponse:
    seat = principal_of(request.user)
    if seat is None or not seat.is_technician:
        return _not_technician(request)
    return render(request, "revenue/earnings.html", {**_shell(), "earnings": selectors.earnings(request.user)})


@require_http_methods(["GET", "POST"])
@login_required
def new_lead(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        order = WorkOrder.objects.visible_to(request.user).select_related("brand", "customer", "technician").get(pk=pk)
    except WorkOrder.DoesNotExist:
        raise Http404 from None
    seat = principal_of(request.user)
    if seat is None or not seat.is_technician:
        return _not_technician(request)
    wordings = {kind: consent_wording(brand_name=order.brand.name, kind=kind) for kind in LeadKind.values}
    status = 200
    if request.method == "POST":
        form = LeadForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_lead(actor=seat, order=order, kind=data["kind"], consent=data["consent"],
                                     consented_by=data["consented_by"], consent_wording=data["consent_wording"],
                                     note=data["note"], contact_phone=data["contact_phone"])
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error.message))
                status = error.status
            else:
                return redirect(reverse("revenue-field:earnings") + "?recorded=1")
        else:
            status = 422
    else:
        first = LeadKind.values[0]
        form = LeadForm(initial={"kind": first, "consented_by": order.customer.name,
                                 "contact_phone": order.customer.phone, "consent_wording": wordings[first]})
    return render(request, "revenue/new_lead.html", {
        **_shell(), "form": form, "order": order, "wordings": wordings,
        "now": timezone.now(),
    }, status=status)
