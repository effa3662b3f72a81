"""The dispatcher board in the console: thin adapters over dispatch.choose, dispatch.services, dispatch.planning.

One page (lanes, queue, filters) and its partials: the board itself (polled; 204 while nothing changed),
an order's candidates, a plan's preview. Assigning (click or drag) and applying a plan answer with the
board re-rendered; a refusal answers with its status, the X-Domain-Error header and the message in place.
Every order is fetched through visible_to first (a foreign one is a 404), then the seat is checked.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.principal import Principal, principal_of
from console.views import DOMAIN_ERROR_HEADER, _render
from core.errors import DomainError, InvalidInput, NotFound
from dispatch import board as boards
from dispatch import choose, gather, planning, services
from dispatch import reasons as say
from dispatch.forms import BoardForm
from network.models import Technician
from workorders.models import WorkOrder

PAGE = "dispatch/board.html"
BOARD = "dispatch/_partials/board.html"
POLL_SECONDS = 20


def seat_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in with a dispatch seat. With a ``pk``, the order is fetched through visible_to first (404)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, pk: int | None = None, **kwargs) -> HttpResponse:
        principal = principal_of(request.user)
        if pk is not None:
            try:
                kwargs["order"] = choose.fetch_order(request.user, pk)
            except WorkOrder.DoesNotExist:
                raise Http404 from None
        if not services.may_dispatch(principal):
            return render(request, "dispatch/no_board.html", {"principal": principal}, status=403)
        return view(request, *args, principal=principal, **kwargs)

    return wrapper


def _refused(response: HttpResponse, status: int) -> HttpResponse:
    response.status_code = status
    response[DOMAIN_ERROR_HEADER] = str(status)
    return response


def _scope(request: HttpRequest, principal: Principal, params) -> tuple[BoardForm, planning.Scope | None, gather.Clock]:
    form = BoardForm(params, user=request.user, brand_side=principal.outlet_id is None)
    if not form.is_valid():
        return form, None, gather.clock()
    clk = gather.clock(form.cleaned_data.get("date"))
    data = form.cleaned_data
    outlet, region = data.get("outlet"), data.get("region")
    region_id = region.pk if region else None
    if principal.outlet_id is None and outlet is None and region is None:
        region_id = boards.busiest_region(principal.brand_id, request.user, clk)
        if region_id is None:
            return form, None, clk
    scope = planning.scope_for(principal, request.user, outlet_id=outlet.pk if outlet else None, region_id=region_id)
    return form, scope, clk


def _board_context(request: HttpRequest, principal: Principal, params, *, message: str = "", error: str = "") -> dict:
    form, scope, clk = _scope(request, principal, params)
    context = {"form": form, "principal": principal, "clock": clk, "message": message, "error": error,
               "poll_seconds": POLL_SECONDS, "scope": scope, "day": clk.day}
    if scope is not None:
        data = planning.day_data(scope, clk)
        context.update(board=boards.board(data), scope_query=_query(scope, clk))
    return context


def _query(scope: planning.Scope, clk: gather.Clock) -> str:
    parts = [f"date={clk.day.isoformat()}"]
    if scope.outlet_id is not None:
        parts.append(f"outlet={scope.outlet_id}")
    if scope.region_id is not None:
        parts.append(f"region={scope.region_id}")
    return "&".join(parts)


@require_GET
@seat_required
def board(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    since = request.GET.get("since", "")
    if since and request.htmx:
        form, scope, clk = _scope(request, principal, request.GET)
        if scope is not None and boards.fingerprint(scope, clk) == since:
            return HttpResponse(status=204)
    context = _board_context(request, principal, request.GET)
    status = 422 if context["form"].errors else 200
    return _render(request, PAGE, BOARD, context, status=status)


@require_GET
@seat_required
def candidates(request: HttpRequest, *, principal: Principal, order: WorkOrder) -> HttpResponse:
    form = BoardForm(request.GET, user=request.user, brand_side=principal.outlet_id is None)
    day = form.cleaned_data.get("date") if form.is_valid() else None
    choice = choose.candidates_for(order, principal=principal, day=day)
    return render(request, "dispatch/_partials/candidates.html", _candidates_context(order, choice))


def _candidates_context(order: WorkOrder, choice: choose.Choice) -> dict:
    clk, r = choice.clock, choice.ranking
    return {
        "order": order, "day": clk.day, "notes": [say.say(n) for n in r.notes], "travel_note": r.travel_note,
        "candidates": [{"id": c.technician_id, "name": choice.tech_names[c.technician_id],
                        "outlet": choice.outlet_names[c.outlet_id], "summary": say.say_all(c.reasons),
                        "arrives": say.clock(c.start), "score": c.score} for c in r.candidates],
        "excluded": [{"id": e.technician_id, "name": choice.tech_names[e.technician_id],
                      "outlet": choice.outlet_names[e.outlet_id], "reason": say.say(e.reason)} for e in r.excluded],
        "outlets_excluded": [{"name": choice.outlet_names[pk], "reason": say.say(reason)}
                             for pk, reason in r.outlets_excluded],
    }


def _board_answer(request: HttpRequest, principal: Principal, *, message: str = "",
                  error: DomainError | None = None) -> HttpResponse:
    context = _board_context(request, principal, request.POST, message=message,
                             error=str(error.message) if error else "")
    context["clear_panel"] = error is None
    response = render(request, BOARD, {**context, "is_partial": True})
    return _refused(response, error.status) if error is not None else response


@require_POST
@seat_required
def assign(request: HttpRequest, *, principal: Principal, order: WorkOrder) -> HttpResponse:
    form = BoardForm(request.POST, user=request.user, brand_side=principal.outlet_id is None)
    day = form.cleaned_data.get("date") if form.is_valid() else None
    try:
        technician = Technician.objects.visible_to(request.user).select_related("outlet").filter(
            pk=int(request.POST.get("technician", ""))).first()
        version = int(request.POST.get("version", ""))
    except ValueError:
        technician, version = None, None
    try:
        if technician is None or version is None:
            raise InvalidInput(_("Choose a technician."), field="technician")
        order = services.assign(order=order, technician=technician, actor=principal, version=version, day=day)
    except DomainError as error:
        return _board_answer(request, principal, error=error)
    return _board_answer(request, principal, message=_("%(order)s dispatched to %(name)s.") % {
        "order": order.number, "name": technician.name})


@require_POST
@seat_required
def plan(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    form, scope, clk = _scope(request, principal, request.POST)
    context = {"form": form, "day": clk.day}
    try:
        if scope is None:
            raise InvalidInput(_("Choose an outlet or a region."), field="region")
        preview = planning.preview(scope, clk)
    except DomainError as error:
        response = render(request, "dispatch/_partials/plan.html", {**context, "error": str(error.message)})
        return _refused(response, error.status)
    data = planning.day_data(scope, clk)
    numbers = {r["pk"]: r["number"] for r in (*data.jobs, *data.new)}
    moves = [{"order_id": m.order_id, "version": m.version, "technician_id": m.technician_id,
              "sequence": m.sequence} for m in preview.moves]
    context.update(
        preview=preview, lanes=boards.proposed(preview, data), hours=boards.hours(),
        unassigned=[{"number": numbers.get(pk, pk), "reason": why, "kept": pk in preview.kept}
                    for pk, why in preview.unassigned],
        before=_metrics(preview.before), after=_metrics(preview.after), moves_json=json.dumps(moves),
        scope_query=_query(scope, clk),
    )
    return render(request, "dispatch/_partials/plan.html", context)


def _metrics(m: planning.Metrics) -> dict:
    return {"served": m.served, "travel": say.span(m.travel), "per_job": say.span(m.travel_per_job),
            "km": round(m.metres / 1000, 1), "late": m.late, "unassigned": m.unassigned, "overrun": m.overrun,
            "kept": m.kept}


@require_POST
@seat_required
def plan_apply(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    form, scope, clk = _scope(request, principal, request.POST)
    try:
        if scope is None:
            raise InvalidInput(_("Choose an outlet or a region."), field="region")
        try:
            raw = json.loads(request.POST.get("plan", ""))
        except ValueError:
            raw = None
        if not isinstance(raw, list):
            raise InvalidInput(_("The plan is not readable."), field="plan")
        applied = services.apply_plan(moves=planning.moves_from(raw), actor=principal, day=clk.day)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _board_answer(request, principal, error=error)
    return _board_answer(request, principal, message=ngettext(
        "Plan applied: %(n)d job moved.", "Plan applied: %(n)d jobs moved.", len(applied.changed)) % {
        "n": len(applied.changed)})
