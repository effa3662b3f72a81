"""The console's work orders (the list, one order, its steps): thin adapters over workorders.selectors and
workorders.workflow (STYLE.md §2, §13).

Each view renders the full page, or only its partial when htmx asks (``request.htmx``).
"""

from __future__ import annotations

import math

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from accounts.choices import CUSTOMER_EDITORS
from accounts.principal import Principal
from complaints import services as complaint_services
from complaints.choices import Channel
from console.forms import HotlineComplaintForm, OrderFilterForm, ReworkForm, TransitionForm, page_number
from core.errors import DomainError
from core.forms import add_domain_error
from core.htmx import refused, render_page
from core.pages import staff_page
from customers import services as customer_services
from notifications import selectors as message_selectors
from workorders import rework, selectors, urges, workflow
from workorders.models import UrgeChannel, WorkOrder

PAGE_SIZE = 25
ORDER_PAGE = "console/order_detail.html"
ORDER_BODY = "console/_partials/order_body.html"


@require_GET
@staff_page
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
        counts = urges.urge_counts(o.pk for o in orders)
        for o in orders:
            o.urge_count = counts.get(o.pk, 0)
        context.update(
            orders=orders, total=total, capped=capped, page=page, num_pages=num_pages,
            has_prev=page > 1, has_next=page < num_pages or (capped and len(orders) == PAGE_SIZE),
        )
    return render_page(request, "console/order_list.html", context, partial="console/_partials/order_table.html")


def _visible_order(request: HttpRequest, pk: int) -> WorkOrder:
    """Through the one scoping point: what the user may not see does not exist."""
    try:
        return selectors.get_work_order(request.user, pk)
    except WorkOrder.DoesNotExist:
        raise Http404 from None


# An order's pages fetch it through the one scoping point before the seat is checked (another's is a 404).
order_page = staff_page(fetch=selectors.get_work_order, as_name="order")


def _detail_context(
    request: HttpRequest, order: WorkOrder, principal: Principal, failed: TransitionForm | None = None,
    panel_error: str = "", notice: str = "", complaint_form: HotlineComplaintForm | None = None,
    rework_form: ReworkForm | None = None,
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
    return {
        "order": order,
        "principal": principal,
        "action_forms": action_forms,
        "panel_error": panel_error,
        "notice": notice,
        "events": message_selectors.with_messages(selectors.timeline(request.user, order),
                                                  message_selectors.order_messages(request.user, order)),
        "history": selectors.product_history(request.user, order),
        "warranty": selectors.warranty_verdict(order),
        "can_pin": principal.role in CUSTOMER_EDITORS,
        "urge": urges.urge_state(order),
        "can_urge": principal.role in urges.STAFF_URGERS,
        "complaint_form": complaint_form or (HotlineComplaintForm(prefix="complaint")
                                             if principal.role in complaint_services.COMPLAINT_DESK else None),
        "rework_form": rework_form or (ReworkForm(user=request.user, order=order, prefix="rework")
                                       if rework.may_rework(order, principal) else None),
        "rework_links": selectors.rework_links(request.user, order),
    }


@require_GET
@order_page
def order_detail(request: HttpRequest, *, principal: Principal, order: WorkOrder) -> HttpResponse:
    return render_page(request, ORDER_PAGE, _detail_context(request, order, principal), partial=ORDER_BODY)


@require_POST
@order_page
def order_transition(request: HttpRequest, *, principal: Principal, order: WorkOrder) -> HttpResponse:
    pk = order.pk
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
            return render_page(request, ORDER_PAGE, _detail_context(request, order, principal, notice=notice),
                               partial=ORDER_BODY)
    # Refused: nothing changed, so show the order as it stands now with the message in place.
    order = _visible_order(request, pk)
    return refused(render_page(request, ORDER_PAGE, _detail_context(request, order, principal, failed=form),
                               partial=ORDER_BODY), status)


@require_POST
@order_page
def order_site_pin(request: HttpRequest, *, principal: Principal, order: WorkOrder) -> HttpResponse:
    """Correct the location of the order's site (a pin on the map), then show the order again."""
    if order.site is None:
        raise Http404
    try:
        customer_services.pin_site(actor=principal, site=order.site, latitude=request.POST.get("latitude", ""),
                                   longitude=request.POST.get("longitude", ""))
    except DomainError as error:
        context = _detail_context(request, order, principal, panel_error=str(error.message))
        return refused(render_page(request, ORDER_PAGE, context, partial=ORDER_BODY), error.status)
    return redirect("console:order", pk=order.pk)



@require_POST
@order_page
def order_urge(request: HttpRequest, *, principal: Principal, order: WorkOrder) -> HttpResponse:
    """The hotline urges the late order for the customer on the line (催单); a refusal is said above the actions."""
    try:
        urges.urge_order(order=order, actor=principal, channel=UrgeChannel.HOTLINE)
    except DomainError as error:
        context = _detail_context(request, _visible_order(request, order.pk), principal, panel_error=str(error.message))
        return refused(render_page(request, ORDER_PAGE, context, partial=ORDER_BODY), error.status)
    return redirect("console:order", pk=order.pk)


@require_POST
@order_page
def order_complaint(request: HttpRequest, *, principal: Principal, order: WorkOrder) -> HttpResponse:
    """The hotline records the caller's complaint about this order (channel hotline), then shows it on the desk;
    a refusal comes back on the order's page with the message beside its field."""
    form = HotlineComplaintForm(request.POST, prefix="complaint")
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            complaint = complaint_services.open_complaint(
                actor=principal, customer=order.customer, order=order, channel=Channel.HOTLINE,
                category=data["category"], severity=data["severity"], description=data["description"])
        except DomainError as error:
            add_domain_error(form, error, default="description")
            status = error.status
        else:
            return redirect("console:complaint", pk=complaint.pk)
    context = _detail_context(request, _visible_order(request, order.pk), principal, complaint_form=form)
    return refused(render_page(request, ORDER_PAGE, context), status)


@require_POST
@order_page
def order_rework(request: HttpRequest, *, principal: Principal, order: WorkOrder) -> HttpResponse:
    """Have the finished order done again (返修): a new order, linked to this one, opens on its own page; a
    refusal comes back on this order's page with the message beside its field."""
    form = ReworkForm(request.POST, user=request.user, prefix="rework")
    status = 422
    if form.is_valid():
        try:
            made = rework.create_rework_order(original=order, actor=principal, outlet=form.cleaned_data["outlet"],
                                              reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)  # beside its field, or above the form (already reworked, not finished)
            status = error.status
        else:
            return redirect("console:order", pk=made.pk)
    context = _detail_context(request, _visible_order(request, order.pk), principal, rework_form=form)
    return refused(render_page(request, ORDER_PAGE, context), status)
