"""The portal's small shop (issue 16): what fits each of my units, one order at a time, paid through the payment
backend (WeChat Pay's cashier page) or on delivery, and followed to the door. A reminder's one-tap link
(``?r=<token>``) opens the shop on that unit with that consumable already chosen. Thin over shop.services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.htmx import render_page
from core.payments import backend
from customers.choices import OUT_OF_SERVICE
from customers.models import InstalledProduct
from maintenance.models import Reminder
from portal.access import Seat, customer_page
from shop import services
from shop.api import NOTIFY_PATH
from shop.choices import Delivery, LineKind, OrderStatus
from shop.models import ShopOrder
from shop.selectors import offers_for


def _products(request: HttpRequest, seat: Seat):
    return (InstalledProduct.objects.visible_to(request.user).filter(customer=seat.customer)
            .exclude(status__in=OUT_OF_SERVICE).select_related("product_model", "site", "customer")
            .order_by("pk"))


def _page(request: HttpRequest, seat: Seat, *, product_pk: str | None, token: str, chosen: set[str],
          error: str = "", status: int = 200) -> HttpResponse:
    products = list(_products(request, seat))
    reminder = None
    if token:
        reminder = (Reminder.objects.visible_to(request.user).filter(token=token)
                    .select_related("schedule__rule").first())
        if reminder is not None:
            product_pk = str(reminder.schedule.product_id)
            if reminder.schedule.rule_id and not chosen:
                chosen = {f"{LineKind.PART}:{reminder.schedule.rule.part_id}"}
    product = next((p for p in products if str(p.pk) == str(product_pk)), products[0] if products else None)
    offers, unavailable = [], ""
    if product is not None:
        try:
            offers = offers_for(product)
        except DomainError as exc:
            unavailable = str(exc.message)  # no price list today: the shop is closed, said plainly
    orders = ShopOrder.objects.visible_to(request.user).prefetch_related("lines")[:20]
    return render_page(request, "portal/shop.html", {
        "brand": seat.brand, "seat": seat, "products": products, "product": product, "offers": offers,
        "chosen": chosen, "reminder": reminder if reminder and product and reminder.schedule.product_id == product.pk
        else None, "orders": orders, "unavailable": unavailable, "error": error, "deliveries": Delivery.choices,
        "delivery": request.POST.get("delivery", Delivery.COURIER), "address": request.POST.get("address", ""),
    }, status=status)


@require_GET
@customer_page()
def shop_home(request: HttpRequest, *, seat: Seat) -> HttpResponse:
    return _page(request, seat, product_pk=request.GET.get("product"), token=request.GET.get("r", "")[:20],
                 chosen=set())


@require_POST
@customer_page()
def shop_order(request: HttpRequest, *, seat: Seat) -> HttpResponse:
    token = request.POST.get("r", "")[:20]
    product = _products(request, seat).filter(pk=request.POST.get("product") or 0).first() \
        if (request.POST.get("product") or "").isdigit() else None
    if product is None:
        raise Http404
    items, chosen = [], set()
    for key in request.POST.getlist("item")[:services.LINES_MAX + 1]:
        kind, _sep, ref = key.partition(":")
        quantity = request.POST.get(f"qty-{key}", "1")
        if kind in LineKind.values and ref.isdigit() and quantity.isdigit():
            items.append(services.Item(kind=kind, ref=int(ref), quantity=int(quantity)))
            chosen.add(key)
    try:
        order = services.place_order(actor=seat.principal, customer=seat.customer, product=product, items=items,
                                     delivery=request.POST.get("delivery", Delivery.COURIER),
                                     address=request.POST.get("address", ""), reminder_token=token)
    except DomainError as exc:
        return _page(request, seat, product_pk=str(product.pk), token=token, chosen=chosen, error=str(exc.message),
                     status=exc.status)
    return redirect("portal:shop-order", brand=seat.brand.code, pk=order.pk)


def _order(request: HttpRequest, pk: int) -> ShopOrder:
    order = ShopOrder.objects.visible_to(request.user).filter(pk=pk).prefetch_related("lines").first()
    if order is None:
        raise Http404
    return order


@require_GET
@customer_page(object_page=True)
def shop_order_page(request: HttpRequest, pk: int, *, seat: Seat) -> HttpResponse:
    order = _order(request, pk)
    return render_page(request, "portal/shop_order.html", {
        "brand": seat.brand, "seat": seat, "order": order, "online": backend().name != "recorded",
        "awaiting": order.status == OrderStatus.AWAITING_PAYMENT,
        "steps": _steps(order)})


def _steps(order: ShopOrder) -> list[tuple[str, bool]]:
    """The order's road as the customer follows it, each step done or not."""
    road = [OrderStatus.AWAITING_PAYMENT, OrderStatus.PAID, OrderStatus.FULFILLING,
            OrderStatus.INSTALLED if order.delivery == Delivery.VISIT else OrderStatus.DELIVERED, OrderStatus.DONE]
    if order.status == OrderStatus.CANCELLED:
        return [(OrderStatus.CANCELLED.label, True)]
    reached = road.index(order.status) if order.status in road else 0
    return [(OrderStatus(s).label, i <= reached) for i, s in enumerate(road)]


@require_POST
@customer_page(object_page=True)
def shop_pay(request: HttpRequest, pk: int, *, seat: Seat) -> HttpResponse:
    order = _order(request, pk)
    back = request.build_absolute_uri(reverse("portal:shop-order", kwargs={"brand": seat.brand.code, "pk": pk}))
    try:
        prepared = services.start_payment(order=order, actor=seat.principal,
                                          notify_url=request.build_absolute_uri(NOTIFY_PATH), channel="h5",
                                          client_ip=request.META.get("REMOTE_ADDR", "127.0.0.1"))
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(back)
    if not prepared.pay_url:
        messages.info(request, _("Pay when it is delivered: our staff record the payment."))
        return redirect(back)
    # WeChat's H5 cashier takes the page to return to as redirect_url (it must be URL-encoded).
    return redirect(f"{prepared.pay_url}{'&' if '?' in prepared.pay_url else '?'}{urlencode({'redirect_url': back})}")
