"""Staff console views: thin adapters over workorders.selectors and workorders.workflow (STYLE.md §2, §13).

Each view renders the full page, or only its partial when htmx asks (``request.htmx``).
"""

from __future__ import annotations

import math

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from accounts.choices import CUSTOMER_EDITORS
from accounts.models import Organisation
from accounts.principal import Principal, principal_of
from console.access import is_staff_principal, no_console, staff_required
from console.forms import OrderFilterForm, TransitionForm, add_domain_error, page_number
from core.errors import DomainError
from customers import services as customer_services
from workorders import selectors, workflow
from workorders.models import WorkOrder

PAGE_SIZE = 25
# Marks a partial that carries a refusal, so the page's script swaps it in despite the 4xx status.
DOMAIN_ERROR_HEADER = "X-Domain-Error"


def _wants_partial(request: HttpRequest) -> bool:
    # A history-restore request wants the whole page back, not a fragment.
    return bool(request.htmx) and not request.htmx.history_restore_request


def _render(request: HttpRequest, page: str, partial: str, context: dict, status: int = 200) -> HttpResponse:
    is_partial = _wants_partial(request)
    response = render(request, partial if is_partial else page, {**context, "is_partial": is_partial}, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    principal = principal_of(request.user)
    if principal is not None and principal.is_customer:
        brand = Organisation.objects.filter(pk=principal.brand_id, is_active=True).values_list("code", flat=True)
        if brand:
            return redirect("portal:home", brand=brand[0])
    if not is_staff_principal(principal):
        return no_console(request, principal, status=200)
    if principal.is_technician:
        # A technician's day is on the phone app; the console's list is still a link away.
        return redirect("field:jobs")
    return redirect("console:orders")


@require_GET
@staff_required
def order_list(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    form = OrderFilterForm(request.GET or None, user=request.user)
    context: dict = {"form": form, "orders": [], "total": 0, "capped": False, "page": 1, "num_pages": 1}
    if form.is_bound and not form.is_valid():
        context["filters_invalid"] = True
    else:
        filters = form.filters() if form.is_bound else selectors.OrderFilters()
        qs = selectors.list_work_orders(request.user, filters)
        page = page_number(request.GET.get("page"))
        orders, total, capped = selectors.page_of(qs, page, PAGE_SIZE)
        num_pages = max(math.ceil(total / PAGE_SIZE), 1)
        if not orders and page > num_pages and not capped:
            page = num_pages
            orders, total, capped = selectors.page_of(qs, page, PAGE_SIZE)
        context.update(
            orders=orders, total=total, capped=capped, page=page, num_pages=num_pages,
            has_prev=page > 1, has_next=page < num_pages or (capped and len(orders) == PAGE_SIZE),
        )
    return _render(request, "console/order_list.html", "console/_partials/order_table.html", context)


def _visible_order(request: HttpRequest, pk: int) -> WorkOrder:
    """Through the one scoping point: what the user may not see does not exist."""
    try:
        return selectors.get_work_order(request.user, pk)
    except WorkOrder.DoesNotExist:
        raise Http404 from None


def _detail_context(
    request: HttpRequest, order: WorkOrder, principal: Principal, failed: TransitionForm | None = None,
    panel_error: str = "", notice: str = "",
) -> dict:
    action_forms = []
    for action in workflow.available_actions(order, principal):
        if failed is not None and failed.data.get("action") == action.name:
            form, failed = failed, None
        else:
            form = TransitionForm(user=request.user, auto_id=f"id_{action.name}_%s")
        form.offer_choices(order)
        action_forms.append((action, form))
    if failed is not None:
        # The refused step is not on offer any more (or never was): say why above the panel.
        panel_error = panel_error or "; ".join(str(e) for errors in failed.errors.values() for e in errors)
    product = order.product
    return {
        "order": order,
        "principal": principal,
        "action_forms": action_forms,
        "panel_error": panel_error,
        "notice": notice,
        "events": selectors.timeline(request.user, order),
        "history": selectors.product_history(request.user, order),
        "in_warranty": product.in_warranty(timezone.localdate()) if product else None,
        "can_pin": principal.role in CUSTOMER_EDITORS,
    }


@require_GET
@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible_order(request, pk)
    principal = principal_of(request.user)
    if not is_staff_principal(principal):
        return no_console(request, principal)
    return _render(request, "console/order_detail.html", "console/_partials/order_body.html",
                   _detail_context(request, order, principal))


@require_POST
@login_required
def order_transition(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible_order(request, pk)
    principal = principal_of(request.user)
    if not is_staff_principal(principal):
        return no_console(request, principal)
    name = request.POST.get("action", "")
    form = TransitionForm(request.POST, user=request.user, auto_id=f"id_{name if name in workflow.ACTIONS else 'x'}_%s")
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            order = workflow.transition(
                order, data["action"], actor=principal, version=data["version"], reason=data["reason"],
                outlet=data["outlet"], technician=data["technician"], hold_reason=data["hold_reason"],
            )
        except DomainError as error:
            add_domain_error(form, error)
            status = error.status
        else:
            if not request.htmx:
                return redirect("console:order", pk=order.pk)
            notice = workflow.ACTIONS[data["action"]].label
            return _render(request, "console/order_detail.html", "console/_partials/order_body.html",
                           _detail_context(request, order, principal, notice=notice))
    # Refused: nothing changed, so show the order as it stands now with the message in place.
    order = _visible_order(request, pk)
    response = _render(request, "console/order_detail.html", "console/_partials/order_body.html",
                       _detail_context(request, order, principal, failed=form), status=status)
    response[DOMAIN_ERROR_HEADER] = str(status)
    return response


@require_POST
@login_required
def order_site_pin(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the location of the order's site (a pin on the map), then show the order again."""
    order = _visible_order(request, pk)
    principal = principal_of(request.user)
    if not is_staff_principal(principal):
        return no_console(request, principal)
    if order.site is None:
        raise Http404
    try:
        customer_services.pin_site(actor=principal, site=order.site, latitude=request.POST.get("latitude", ""),
                                   longitude=request.POST.get("longitude", ""))
    except DomainError as error:
        response = _render(request, "console/order_detail.html", "console/_partials/order_body.html",
                           _detail_context(request, order, principal, panel_error=str(error.message)),
                           status=error.status)
        response[DOMAIN_ERROR_HEADER] = str(error.status)
        return response
    return redirect("console:order", pk=order.pk)

