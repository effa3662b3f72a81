"""The customer corrects where their home is (a pin on the map), from the product page that shows it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from customers.models import InstalledProduct
from customers.services import pin_site
from portal import selectors
from portal.access import Seat, customer_page


@require_POST
@customer_page(object_page=True)
def pin_product_site(request: HttpRequest, pk: int, *, seat: Seat) -> HttpResponse:
    try:
        unit = selectors.get_product(request.user, pk)
    except InstalledProduct.DoesNotExist:
        raise Http404 from None
    if unit.site is None:
        raise Http404
    try:
        pin_site(actor=seat.principal, site=unit.site, latitude=request.POST.get("latitude", ""),
                 longitude=request.POST.get("longitude", ""))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Thank you: we will come to the place you marked."))
    return redirect("portal:product", brand=seat.brand.code, pk=unit.pk)
