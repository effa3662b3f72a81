"""The conversion report in the console (issue 16): reminders sent → visits or shop orders → revenue, by segment
and region, and the leads won through a sale with their commission. Thin over reports.conversion; the brand's
staff only."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from accounts.principal import Principal
from core.htmx import render_page
from core.pages import refusal, staff_page
from reports.conversion import conversion


def _day(raw: str | None) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(raw or "")
    except ValueError:
        return None
    return day if dt.date(2000, 1, 1) <= day <= dt.date(2100, 1, 1) else None


@require_GET
@staff_page(seat=lambda p: p.is_brand_staff, refuse=refusal("console/shop/no_desk.html"))
def conversion_report(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    report = conversion(request.user, since=_day(request.GET.get("from")), until=_day(request.GET.get("to")))
    return render_page(request, "console/shop/conversion.html", {"report": report, "total": report.total})
