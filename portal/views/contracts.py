"""The customer's maintenance plans and contracts (保养计划 / 维保合同): each with its units and visits done, due and
overdue, the 400 hotline's emergency number when the plan includes it. Thin over maintenance.selectors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.dates import brand_tz
from core.htmx import render_page
from maintenance import selectors
from portal.access import Seat, customer_page


@require_GET
@customer_page()
def contract_list(request: HttpRequest, *, seat: Seat) -> HttpResponse:
    today = timezone.localdate(timezone.now(), brand_tz())
    contracts = list(selectors.with_counts(selectors.contracts_seen_by(request.user).select_related("brand"),
                                           today=today).order_by("-starts_on", "-pk")[:20])
    shown = [{"contract": c, "visits": selectors.visits_of(c, today=today),
              "hotline": c.brand.phone if c.plan.hotline_emergency else ""} for c in contracts]
    return render_page(request, "portal/contracts.html", {"brand": seat.brand, "seat": seat, "contracts": shown})
