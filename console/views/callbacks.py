"""The callback desk (回访): orders due a call, a script, the call's outcome, and the review's decision.

Thin adapters over feedback.selectors and feedback.desk (STYLE.md §2). Every staff seat opens the page and sees
the callbacks of the orders it may see (an outlet its own); only the brand's desk (hotline agents, dispatchers,
the administrator) records calls and decides, which the service says again.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.principal import Principal
from console.forms import visible_outlets
from core.bounds import MAX_ID
from core.errors import DomainError
from core.pages import staff_page
from feedback import desk as callbacks
from feedback import selectors
from feedback.choices import CallbackStatus, Decision, Outcome
from feedback.models import Callback

PAGE = "console/callbacks.html"


def _visible_callback(user, pk: int) -> Callback | None:
    return Callback.objects.visible_to(user).filter(pk=pk).first()


desk_page = staff_page(fetch=_visible_callback, as_name="callback")


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() and int(value) <= MAX_ID else None


def _page(request: HttpRequest, principal: Principal, status: str, code: int = 200, **extra) -> HttpResponse:
    rows = list(selectors.queue(request.user, status=status)[:100])
    context = {
        "status": status, "statuses": CallbackStatus.choices, "callbacks": rows,
        "counts": selectors.counts(request.user), "may_act": principal.role in callbacks.DESK,
        "outcomes": Outcome.choices, "decisions": Decision.choices,
        "outlets": list(visible_outlets(request.user)),
        "overdue": {c.pk for c in rows if selectors.overdue(c)}, **extra,
    }
    return render(request, PAGE, context, status=code)


@require_GET
@staff_page
def desk(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    status = request.GET.get("status", CallbackStatus.DUE)
    if status not in CallbackStatus.values:
        status = CallbackStatus.DUE
    done = None
    if request.GET.get("done", "").isdigit():
        done = _visible_callback(request.user, int(request.GET["done"]))
    return _page(request, principal, status, done=done)


def _back(callback: Callback) -> HttpResponse:
    return redirect(f"{reverse('console:callbacks')}?status={callback.status}&done={callback.pk}")


@require_POST
@desk_page
def outcome(request: HttpRequest, *, principal: Principal, callback: Callback) -> HttpResponse:
    try:
        callbacks.record_call(callback=callback, actor=principal, outcome=request.POST.get("outcome", ""),
                              note=request.POST.get("note", "")[:1000], version=_version(request))
    except DomainError as error:
        return _page(request, principal, callback.status, code=error.status, refused=(callback.pk, error.message))
    return _back(callback)


@require_POST
@desk_page
def decide(request: HttpRequest, *, principal: Principal, callback: Callback) -> HttpResponse:
    outlet_id = request.POST.get("outlet", "")
    # The outlets the desk offers (console.forms.visible_outlets), by a bounded id: anything else is no outlet,
    # which the desk's decision refuses beside the field.
    outlet = (visible_outlets(request.user).filter(pk=int(outlet_id)).first()
              if outlet_id.isdigit() and int(outlet_id) <= MAX_ID else None)
    try:
        callbacks.decide(callback=callback, actor=principal, decision=request.POST.get("decision", ""),
                         reason=request.POST.get("reason", "")[:1000], outlet=outlet, version=_version(request))
    except DomainError as error:
        return _page(request, principal, callback.status, code=error.status, refused=(callback.pk, error.message))
    return _back(callback)
