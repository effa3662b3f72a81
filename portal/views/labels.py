"""Printable QR labels for staff: the label page and the code as SVG or PNG.

Fetched through ``visible_to``: brand staff print any unit of their brand, an outlet the units of its
orders; a unit one may not see is a 404. Customers have their portal instead.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.principal import principal_of
from customers.models import InstalledProduct
from portal import qr


def _unit(request: HttpRequest, pk: int) -> InstalledProduct:
    principal = principal_of(request.user)
    if principal is None or principal.is_customer:
        raise Http404
    unit = (InstalledProduct.objects.visible_to(request.user).select_related("brand", "product_model", "customer")
            .filter(pk=pk).first())
    if unit is None:
        raise Http404
    return unit


@require_GET
@login_required
def label(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    url = qr.qr_url(request, unit)
    return render(request, "portal/label.html", {"product": unit, "url": url, "svg": qr.qr_svg(url)})


@require_GET
@login_required
def label_svg(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    svg = qr.qr_svg(qr.qr_url(request, unit), scale=8)
    return HttpResponse(f'<?xml version="1.0" encoding="utf-8"?>\n{svg}', content_type="image/svg+xml")


@require_GET
@login_required
def label_png(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    return HttpResponse(qr.qr_png(qr.qr_url(request, unit)), content_type="image/png")
