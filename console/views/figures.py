"""The console's figures: thin over reports.figures (STYLE.md §2); each party sees the figures of the orders
it may see (an outlet its own)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.principal import Principal
from core.pages import staff_page
from reports.figures import urge_figures

PERIODS = (7, 30, 90)  # days


@require_GET
@staff_page
def urges(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    days = int(request.GET["days"]) if request.GET.get("days") in {str(d) for d in PERIODS} else 30
    until = timezone.now()
    rows, total = urge_figures(request.user, since=until - dt.timedelta(days=days), until=until)
    return render(request, "console/figures/urges.html",
                  {"rows": rows, "total": total, "days": days, "periods": PERIODS})
