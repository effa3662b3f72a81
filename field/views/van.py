"""The technician's van (in the console's look, beside the parts desk's pages): what is in the van, their
part requests and what arrived, the replaced parts they still owe. Thin over parts.selectors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from accounts.principal import Principal
from core.htmx import render_page
from core.pages import staff_page
from parts import selectors


@require_GET
@staff_page  # as the parts desk's pages: staff are sent to the desk, anyone else is refused as by the console
def van(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    if not principal.is_technician:
        return redirect("console:parts-requests")
    my_van = selectors.my_van(request.user)
    context = {
        "van": my_van,
        "balances": selectors.stock(request.user, my_van, in_stock_only=True) if my_van else [],
        "requests": list(selectors.requests(request.user)[:20]),
        "owed": list(selectors.defective(request.user)),
        "nav": {"current": "van", "is_technician": True},
    }
    return render_page(request, "field/van.html", context)
