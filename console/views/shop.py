"""The brand's shop orders in the console (issue 16): what customers bought, paid or not, and the desk's steps —
record a payment taken, ship with a waybill, mark delivered or installed, close, cancel. Thin over shop.services;
an order of another brand does not exist here (404), and only the brand's staff have this desk."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.principal import Principal
from core.errors import DomainError
from core.htmx import render_page
from core.pages import refusal, staff_page
from shop import services
from shop.api import fulfil
from shop.choices import RECORDED_METHODS, Delivery, OrderStatus
from shop.models import ShopOrder

PAGE_SIZE = 50


def _fetch(user, pk: int) -> ShopOrder | None:
    return ShopOrder.objects.visible_to(user).filter(pk=pk).first()


shop_desk = staff_page(seat=lambda p: p.is_brand_staff, refuse=refusal("console/shop/no_desk.html"), fetch=_fetch,
                       as_name="order")


@require_GET
@shop_desk
def order_list(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = (ShopOrder.objects.visible_to(request.user).select_related("customer", "product__product_model")
          .prefetch_related("lines"))
    if status in OrderStatus.values:
        qs = qs.filter(status=status)
    return render_page(request, "console/shop/orders.html", {
        "orders": list(qs[:PAGE_SIZE]), "total": qs.count(), "status": status, "statuses": OrderStatus.choices,
        "methods": [(m.value, m.label) for m in RECORDED_METHODS], "S": OrderStatus, "D": Delivery})


@require_POST
@shop_desk
def order_step(request: HttpRequest, *, principal: Principal, order: ShopOrder) -> HttpResponse:
    action = request.POST.get("action", "")
    try:
        if action == "record":
            try:
                amount = Decimal(request.POST.get("amount", ""))
            except InvalidOperation:
                amount = Decimal("-1")
            services.record_payment(order=order, actor=principal, method=request.POST.get("method", ""),
                                    amount=amount, note=request.POST.get("note", "")[:200])
        elif action in ("ship", "delivered", "installed", "done", "cancel"):
            fulfil(order, principal, action, waybill=request.POST.get("waybill", ""),
                   reason=request.POST.get("reason", "")[:200])
        else:
            messages.error(request, _("Unknown action."))
            return redirect("console:shop-orders")
    except DomainError as exc:
        messages.error(request, f"{order.number}: {exc.message}")
    else:
        messages.success(request, _("Shop order %(number)s updated.") % {"number": order.number})
    return redirect("console:shop-orders")
