"""The dispatcher board in the console: thin adapters over dispatch.choose, dispatch.services, dispatch.planning.

One page (lanes, queue, filters) and its partials: the board itself (polled; 204 while nothing changed),
an order's candidates, a plan's preview. Assigning (click or drag) and applying a plan answer with the
board re-rendered; a refusal answers with its status, the X-Domain-Error header and the message in place.
Every order is fetched through visible_to first (a foreign one is a 404), then the seat is checked.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.principal import Principal
from console.forms import BoardForm
from core.errors import DomainError, InvalidInput, NotFound
from core.htmx import refused, render_page
from core.pages import refusal, staff_page
from dispatch import board as boards
from dispatch import choose, gather, planning, plans, services
from dispatch import reasons as say
from network.models import Technician
from workorders.models import WorkOrder

PAGE = "console/dispatch/board.html"
BOARD = "console/dispatch/_partials/board.html"
POLL_SECONDS = 20


# Signed in with a dispatch seat; an order named in the address is fetched through visible_to first (404).
seat_required = staff_page(seat=services.may_dispatch, refuse=refusal("console/dispatch/no_board.html"),
                           fetch=choose.fetch_order, as_name="order")


def _scope(request: HttpRequest, principal: Principal, params) -> tuple[BoardForm, planning.Scope | None, gather.Clock]:
    """The form, the scope and the day, always the same: a value the request left out (no day, no region) is
    the default the board shows, and the form is bound to it so that the boxes say what the lanes show."""
    brand_side = principal.outlet_id is None
    form = BoardForm(params, user=request.user, brand_side=brand_side)
    if not form.is_valid():
        return form, None, gather.clock()
    data = form.cleaned_data
    clk = gather.clock(data.get("date") or boards.default_day(principal.brand_id))
    outlet, region = data.get("outlet"), data.get("region")
    region_id = region.pk if region else None
    if brand_side and outlet is None and not params.get("region"):
        region_id = boards.busiest_region(principal.brand_id, request.user, clk)
        if region_id is None:
            return form, None, clk
    scope = planning.scope_for(principal, request.user, outlet_id=outlet.pk if outlet else None, region_id=region_id)
    bound = {"date": clk.day.isoformat(), "q": data.get("q") or "", "type": data.get("type") or ""}
    if brand_side:
        chosen = scope.region_id or (region.pk if region else None)
        bound.update(region=str(chosen or ""), outlet=str(scope.outlet_id or ""))
    form = BoardForm(bound, user=request.user, brand_side=brand_side)
    form.is_valid()
    return form, scope, clk


def _board_context(request: HttpRequest, principal: Principal, params, *, message: str = "", error: str = "") -> dict:
    form, scope, clk = _scope(request, principal, params)
    context = {"form": form, "principal": principal, "clock": clk, "message": message, "error": error,
               "poll_seconds": POLL_SECONDS, "scope": scope, "day": clk.day}
    if scope is not None:
        data = planning.day_data(scope, clk)
        context.update(board=boards.board(data, queue_filter=boards.QueueFilter(
            text=form.cleaned_data.get("q") or "", type=form.cleaned_data.get("type") or "")),
            scope_query=_query(scope, clk, form))
    return context


def _address(scope: planning.Scope, clk: gather.Clock, form: BoardForm | None = None) -> dict[str, str]:
    """The board's address for this scope, day and queue filter (what a refresh or a shared link shows)."""
    found = {"date": clk.day.isoformat()}
    region_id = scope.region_id
    if region_id is None and form is not None and form.is_bound and "region" in form.fields:
        region_id = form.data.get("region") or None
    if region_id is not None:
        found["region"] = str(region_id)
    if scope.outlet_id is not None:
        found["outlet"] = str(scope.outlet_id)
    if form is not None and form.is_bound:
        found.update({k: form.data[k] for k in ("q", "type") if form.data.get(k)})
    if form is not None:
        found = {k: v for k, v in found.items() if k in form.fields}
    return found


def _query(scope: planning.Scope, clk: gather.Clock, form: BoardForm | None = None) -> str:
    return urlencode(_address(scope, clk, form))


def _canonical(request: HttpRequest, context: dict) -> str | None:
    """The board's own address when the request's differs (a value left out, so taken by default); else None."""
    scope = context.get("scope")
    if scope is None or context["form"].errors:
        return None
    wanted = _address(scope, context["clock"], context["form"])
    given = {k: v for k, v in request.GET.items() if k in context["form"].fields and v}
    if given == wanted:
        return None
    return f"{reverse('console:dispatch')}?{urlencode(wanted)}"


@require_GET
@seat_required
def board(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    since = request.GET.get("since", "")
    if since and request.htmx:
        form, scope, clk = _scope(request, principal, request.GET)
        if scope is not None and boards.fingerprint(scope, clk) == since:
            return HttpResponse(status=204)
    context = _board_context(request, principal, request.GET)
    canonical = _canonical(request, context)
    if canonical is not None and not request.htmx:
        return redirect(canonical)
    status = 422 if context["form"].errors else 200
    response = render_page(request, PAGE, context, partial=BOARD, status=status)
    if canonical is not None and request.htmx and not since:
        response["HX-Push-Url"] = canonical
    return response


@require_GET
@seat_required
def candidates(request: HttpRequest, *, principal: Principal, order: WorkOrder) -> HttpResponse:
    form = BoardForm(request.GET, user=request.user, brand_side=principal.outlet_id is None)
    day = form.cleaned_data.get("date") if form.is_valid() else None
    choice = choose.candidates_for(order, principal=principal, day=day)
    return render(request, "console/dispatch/_partials/candidates.html", _candidates_context(order, choice))


def _candidates_context(order: WorkOrder, choice: choose.Choice) -> dict:
    clk, r = choice.clock, choice.ranking
    return {
        "order": order, "day": clk.day, "notes": [say.say(n) for n in r.notes], "travel_note": r.travel_note,
        "candidates": [{"id": c.technician_id, "name": choice.tech_names[c.technician_id],
                        "outlet": choice.outlet_names[c.outlet_id], "summary": say.say_all(c.reasons),
                        "arrives": say.clock(c.start), "score": c.score} for c in r.candidates],
        "excluded": [{"id": e.technician_id, "name": choice.tech_names[e.technician_id],
                      "outlet": choice.outlet_names[e.outlet_id], "reason": say.say(e.reason),
                      "overridable": e.reason.code not in services.NOT_OVERRIDABLE} for e in r.excluded],
        "outlets_excluded": [{"name": choice.outlet_names[pk], "reason": say.say(reason)}
                             for pk, reason in r.outlets_excluded],
    }


def _board_answer(request: HttpRequest, principal: Principal, *, message: str = "",
                  error: DomainError | None = None) -> HttpResponse:
    context = _board_context(request, principal, request.POST, message=message,
                             error=str(error.message) if error else "")
    context["clear_panel"] = error is None
    response = render(request, BOARD, {**context, "is_partial": True})
    return refused(response, error.status) if error is not None else response


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
        override = request.POST.get("override_reason", "")
        if "override_reason" in request.POST and not override.strip():
            raise InvalidInput(_("Say why this technician takes the job."), field="override_reason")
        order = services.assign(order=order, technician=technician, actor=principal, version=version, day=day,
                                override_reason=override)
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
        record = plans.record(preview, principal)
    except DomainError as error:
        response = render(request, "console/dispatch/_partials/plan.html", {**context, "error": str(error.message)})
        return refused(response, error.status)
    data = planning.day_data(scope, clk)
    numbers = {r["pk"]: r["number"] for r in (*data.jobs, *data.new)}
    recalled = {m.order_id for m in preview.recalls}
    lanes = boards.proposed(preview, data)
    context.update(
        preview=preview, plan_id=record.pk, lanes=lanes["lanes"], hours=lanes["hours"],
        unassigned=[{"number": numbers.get(pk, pk), "reason": why, "kept": pk in preview.kept,
                     "recalled": pk in recalled} for pk, why in preview.unassigned],
        before=_metrics(preview.before), after=_metrics(preview.after), scope_query=_query(scope, clk, form),
    )
    return render(request, "console/dispatch/_partials/plan.html", context)


def _metrics(m: planning.Metrics) -> dict:
    return {"served": m.served, "travel": say.span(m.travel), "per_job": say.span(m.travel_per_job),
            "km": round(m.metres / 1000, 1), "late": m.late, "unassigned": m.unassigned, "overrun": m.overrun,
            "kept": m.kept}


@require_POST
@seat_required
def plan_apply(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    try:
        try:
            plan_id = int(request.POST.get("plan_id", ""))
        except ValueError:
            raise InvalidInput(_("The plan is not readable."), field="plan_id") from None
        if not 0 < plan_id < 2**63:
            raise InvalidInput(_("The plan is not readable."), field="plan_id")
        applied = plans.apply(plan_id=plan_id, actor=principal)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return _board_answer(request, principal, error=error)
    return _board_answer(request, principal, message=ngettext(
        "Plan applied: %(n)d job moved.", "Plan applied: %(n)d jobs moved.", len(applied.changed)) % {
        "n": len(applied.changed)})
