"""Turnaround of mail-in repairs (issue 17 part 5): per week, the median and p90 of report-to-redelivery time against
the one-day target, and its split by hop (courier out, bench, courier back). Thin over logistics.selectors, whose
rows logistics/turnaround.py reduces; the cases read are those the user may see (a centre's staff: their centre's;
the brand's staff: all, or one centre they pick)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from accounts.principal import Principal
from console.bench_forms import TurnaroundForm
from console.views.bench import bench_page
from core.htmx import render_page
from logistics import selectors, turnaround

DEFAULT_WEEKS = 8


@require_GET
@bench_page
def report(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    centres = selectors.repair_centres(request.user)
    form = TurnaroundForm(request.GET or None, centres=centres)
    data = form.cleaned_data if form.is_valid() else {}
    centre = data.get("centre")
    weeks = data.get("weeks") or DEFAULT_WEEKS
    found = selectors.turnaround_report(request.user, centre_id=centre.pk if centre else None, weeks=weeks)
    if not form.is_bound:
        form = TurnaroundForm(initial={"weeks": weeks}, centres=centres)
    # The bars' full width: twice the target, or the slowest week's p90 when that is longer.
    scale = max([turnaround.TARGET * 2, *(w.p90 for w in found.weeks if w.p90 is not None)])
    heading = centre or (centres.first() if not principal.is_brand_staff else None)  # a centre's staff: their own
    context = {"form": form, "report": found, "weeks": list(reversed(found.weeks)), "centre": heading,
               "target": turnaround.TARGET, "scale": scale, "target_hours": f"{turnaround.hours(turnaround.TARGET):g}",
               "choose_centre": principal.is_brand_staff,
               "filters_invalid": form.is_bound and not form.is_valid(), "nav": "turnaround"}
    return render_page(request, "console/repair_bench/turnaround.html", context)
