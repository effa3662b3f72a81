"""The console's parts pages: thin adapters over parts.selectors and parts.services (STYLE.md §2, §13).

- requests: the outlet desk's (and the parts clerk's) console of part requests, transferred to the van
  or refused in place (htmx swaps the request's card; a refusal comes back with its message beside the
  field and the X-Domain-Error header the console's script swaps in).
- defective: the replaced parts each technician still owes, received in place.
- stock: the stock of one warehouse one may see.

A technician's own van is a field page (field/views/van.py).

Objects are fetched through visible_to before anything else, so a foreign one is a 404 for everyone.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.principal import Principal
from console.forms import RefuseForm, TransferForm, WarehouseChoiceForm
from core.errors import DomainError
from core.forms import add_domain_error
from core.htmx import refused, render_page
from core.pages import staff_page
from core.text import sentences
from parts import selectors, services
from parts.choices import RequestStatus, WarehouseKind
from parts.models import DefectiveReturn, PartRequest
from parts.services.requests import DECIDERS

LIST_MAX = 100


def may_decide(principal: Principal | None) -> bool:
    return principal is not None and principal.role in DECIDERS


def _nav(principal: Principal, current: str) -> dict:
    return {"current": current, "is_technician": principal.is_technician}


# --- requests -------------------------------------------------------------------------------------


def _card(request, part_request: PartRequest, principal: Principal, *, transfer_form=None, refuse_form=None,
          notice: str = "", panel_error: str = "") -> dict:
    part_request = selectors.get_request(request.user, part_request.pk)
    levels = selectors.store_levels(part_request)
    lines = [{"line": line, "balance": levels.get(line.part_id)} for line in part_request.lines.all()]
    return {
        "req": part_request, "lines": lines, "notice": notice, "panel_error": panel_error,
        "can_decide": may_decide(principal) and part_request.status == RequestStatus.OPEN,
        "transfer_form": transfer_form or TransferForm(initial={"version": part_request.version}),
        "refuse_form": refuse_form or RefuseForm(initial={"version": part_request.version},
                                                 auto_id=f"id_refuse_{part_request.pk}_%s"),
    }


@require_GET
@staff_page
def request_list(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    if principal.is_technician:
        return redirect("field:van")
    status = request.GET.get("status") or RequestStatus.OPEN
    if status not in RequestStatus.values:
        status = RequestStatus.OPEN
    found = selectors.requests(request.user, status=status)
    cards = [_card(request, r, principal) for r in found[:LIST_MAX]]
    context = {"cards": cards, "status": status, **_tabs(request), "nav": _nav(principal, "requests")}
    return render_page(request, "console/parts/requests.html", context,
                       partial="console/parts/_partials/request_list.html")


def _tabs(request: HttpRequest) -> dict:
    counts = dict(PartRequest.objects.visible_to(request.user).order_by().values_list("status")
                  .annotate(n=Count("pk")))
    return {"tabs": [(value, label, counts.get(value, 0)) for value, label in RequestStatus.choices]}


def _current_tab(request: HttpRequest) -> str:
    """The status tab the page shows, from htmx's HX-Current-URL (the card does not know which list it is in)."""
    url = request.htmx.current_url if request.htmx else None
    status = parse_qs(urlsplit(url).query).get("status", [""])[0] if url else ""
    return status if status in RequestStatus.values else RequestStatus.OPEN


def _decide(request: HttpRequest, part_request: PartRequest, principal: Principal, kind: str) -> HttpResponse:
    pk = part_request.pk
    form = (TransferForm if kind == "transfer" else RefuseForm)(request.POST, auto_id=f"id_{kind}_{pk}_%s")
    status = 422
    if form.is_valid():
        try:
            if kind == "transfer":
                services.transfer_request(request=part_request, actor=principal,
                                          version=form.cleaned_data["version"])
            else:
                services.refuse_request(request=part_request, actor=principal, version=form.cleaned_data["version"],
                                        reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
            status = error.status
        else:
            if not request.htmx:
                return redirect("console:parts-requests")
            notice = "transferred" if kind == "transfer" else "refused"
            # The card, and out of band the status tabs with their counts as they are now.
            context = {**_card(request, part_request, principal, notice=notice), **_tabs(request),
                       "oob_tabs": True, "status": _current_tab(request)}
            return render(request, "console/parts/_partials/request_card.html", context)
    forms = {"transfer_form": form} if kind == "transfer" else {"refuse_form": form}
    # What is not about the reason field (the request was dealt with meanwhile, a role that may not decide)
    # is said at the top of the card, which shows it whether or not the forms are still offered.
    panel_error = sentences(e for name, errors in form.errors.items() if name != "reason" for e in errors)
    context = _card(request, part_request, principal, panel_error=panel_error, **forms)
    if request.htmx:
        context.update(_tabs(request), oob_tabs=True, status=_current_tab(request))
        response = render(request, "console/parts/_partials/request_card.html", context)
    else:
        response = render(request, "console/parts/requests.html", {
            "cards": [context], "status": context["req"].status, "nav": _nav(principal, "requests")})
    return refused(response, status)


# A request named in the address is fetched through visible_to before the seat is checked (another's is a 404).
request_page = staff_page(fetch=selectors.get_request, as_name="part_request")


@require_POST
@request_page
def request_transfer(request: HttpRequest, *, principal: Principal, part_request: PartRequest) -> HttpResponse:
    return _decide(request, part_request, principal, "transfer")


@require_POST
@request_page
def request_refuse(request: HttpRequest, *, principal: Principal, part_request: PartRequest) -> HttpResponse:
    return _decide(request, part_request, principal, "refuse")


# --- defective parts owed ----------------------------------------------------------------------------


@require_GET
@staff_page
def defective_list(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    if principal.is_technician:
        return redirect("field:van")
    context = {"owed": list(selectors.defective(request.user)[:500]), "summary": selectors.owed_by_technician(
        request.user), "can_receive": may_decide(principal), "nav": _nav(principal, "defective")}
    return render_page(request, "console/parts/defective.html", context)


def _visible_defective(user, pk: int) -> DefectiveReturn:
    return DefectiveReturn.objects.visible_to(user).select_related("part", "technician", "work_order").get(pk=pk)


@require_POST
@staff_page(fetch=_visible_defective, as_name="owed")
def defective_receive(request: HttpRequest, *, principal: Principal, owed: DefectiveReturn) -> HttpResponse:
    error, status = "", 200
    try:
        owed = services.receive_defective(defective=owed, actor=principal)
    except DomainError as failure:
        error, status = str(failure.message), failure.status
    if not request.htmx:
        return redirect("console:parts-defective")
    response = render(request, "console/parts/_partials/defective_row.html",
                      {"d": owed, "error": error, "can_receive": may_decide(principal)})
    return refused(response, status) if status >= 400 else response


# --- stock -------------------------------------------------------------------------------------------


@require_GET
@staff_page
def stock(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    visible = selectors.warehouses(request.user).filter(is_active=True)
    form = WarehouseChoiceForm(request.GET or None, warehouses=visible)
    if form.is_bound and not form.is_valid():
        raise Http404  # an id one may not see is no warehouse at all
    warehouse = form.cleaned_data["warehouse"] if form.is_bound else (
        selectors.my_van(request.user) or selectors.my_store(request.user)
        or visible.filter(kind=WarehouseKind.CENTRAL).first() or visible.first())
    if not form.is_bound:
        form = WarehouseChoiceForm(initial={"warehouse": warehouse}, warehouses=visible)
    context = {"form": form, "warehouse": warehouse,
               "balances": selectors.stock(request.user, warehouse) if warehouse else [],
               "moves": list(selectors.moves(request.user, warehouse)[:30]) if warehouse else [],
               "nav": _nav(principal, "stock")}
    return render_page(request, "console/parts/stock.html", context,
                       partial="console/parts/_partials/stock_body.html")
