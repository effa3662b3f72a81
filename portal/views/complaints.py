"""The customer's complaints: made from an order's page (投诉), and followed on their own list with the status,
the clocks they were promised and the verdict and remedies offered (what complaints.selectors.for_customer
shows them). Thin over complaints.services and complaints.selectors."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from complaints import selectors as complaint_selectors
from complaints import services
from complaints.choices import Channel, ComplaintCategory
from complaints.models import DESCRIPTION_MAX
from core.errors import DomainError
from core.forms import add_domain_error
from core.htmx import render_page
from portal import selectors
from portal.access import Seat, customer_page
from workorders.models import WorkOrder


class ComplaintForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("What went wrong?"), choices=ComplaintCategory.choices)
    description = forms.CharField(label=gettext_lazy("Tell us what happened"), max_length=DESCRIPTION_MAX,
                                  widget=forms.Textarea(attrs={"rows": 5}))


@require_GET
@customer_page()
def complaint_list(request: HttpRequest, *, seat: Seat) -> HttpResponse:
    found = complaint_selectors.complaints(request.user).select_related("work_order")
    # What a customer is shown of each (complaints.selectors.for_customer), never the row with the desk's notes.
    shown = [complaint_selectors.for_customer(c) for c in found[:100]]
    return render_page(request, "portal/complaints.html", {"brand": seat.brand, "seat": seat, "complaints": shown})


@require_http_methods(["GET", "POST"])
@customer_page(object_page=True)
def complain(request: HttpRequest, pk: int, *, seat: Seat) -> HttpResponse:
    try:
        order = selectors.get_order(request.user, pk)
    except WorkOrder.DoesNotExist:
        raise Http404 from None
    form = ComplaintForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                complaint = services.open_complaint(
                    actor=seat.principal, customer=seat.customer, order=order, channel=Channel.PORTAL,
                    category=form.cleaned_data["category"], description=form.cleaned_data["description"])
            except DomainError as error:
                add_domain_error(form, error, default="description")
                status = error.status
            else:
                messages.success(request, _("We have received your complaint %(complaint)s and will reply as soon as "
                                            "we can.") % {"complaint": complaint.number})
                return redirect("portal:complaints", brand=seat.brand.code)
    return render_page(request, "portal/complain.html", {"brand": seat.brand, "seat": seat, "order": order,
                                                         "form": form}, status=status)
