"""Printable QR labels for staff (console/labels/): the label page and the code as SVG or PNG.

The unit is fetched through ``visible_to``: brand staff print any unit of their brand, an outlet the units of
its orders, a technician those of his jobs; a unit one may not see is a 404. A customer, who has the portal,
gets the console's refusal page for their own unit.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.pages import staff_page
from customers import qr
from customers.models import InstalledProduct


def _visible_unit(user, pk: int) -> InstalledProduct | None:
    return (InstalledProduct.objects.visible_to(user).select_related("brand", "product_model", "customer")
            .filter(pk=pk).first())


label_page = staff_page(fetch=_visible_unit, as_name="unit")


@require_GET
@label_page
def label(request: HttpRequest, unit: InstalledProduct, principal) -> HttpResponse:
    url = qr.qr_url(request, unit)
    return render(request, "console/label.html", {"product": unit, "url": url, "svg": qr.qr_svg(url)})


@require_GET
@label_page
def label_svg(request: HttpRequest, unit: InstalledProduct, principal) -> HttpResponse:
    svg = qr.qr_svg(qr.qr_url(request, unit), scale=8)
    return HttpResponse(f'<?xml version="1.0" encoding="utf-8"?>\n{svg}', content_type="image/svg+xml")


@require_GET
@label_page
def label_png(request: HttpRequest, unit: InstalledProduct, principal) -> HttpResponse:
    return HttpResponse(qr.qr_png(qr.qr_url(request, unit)), content_type="image/png")
