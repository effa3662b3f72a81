"""A mail-in repair's quote, answered from the message's one-tap link: no sign-in, the link's key names the case.

Made for a phone and a reader of any age: the amount large, what it is for, and two big buttons; then a clear
result. A key nobody was given is a 404; a quote already answered says what was decided and changes nothing.
Thin over logistics.bench."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from logistics import bench
from logistics.choices import Decision, Hop
from portal import mail_in_track
from portal.access import get_brand

PAGE = "portal/mail_in_quote.html"


@require_http_methods(["GET", "POST"])
def quote(request: HttpRequest, brand: str, token: str) -> HttpResponse:
    org = get_brand(brand)
    case = bench.case_by_token(token)
    if case is None or case.brand_id != org.pk:
        raise Http404
    error = ""
    status = 200
    if request.method == "POST":
        try:
            case = bench.decide(mail_in=case, actor=None, decision=request.POST.get("decision", ""))
        except DomainError as refused:
            error, status = mail_in_track.refusal_text(refused, case), refused.status
            case.refresh_from_db()
    return render(request, PAGE, {"brand": org, "case": case, "order": case.work_order,
                                  "open": case.hop == Hop.QUOTED, "decisions": Decision, "error": error,
                                  **mail_in_track.quote_context(case)}, status=status)
