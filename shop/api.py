"""The shop over HTTP: thin adapters over shop.services (STYLE.md §2), and the payment provider's callback.

Products and orders are fetched through ``visible_to``: a customer sees their own units and orders, brand staff
their brand's; anything else is a 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Query, Router
from pydantic import BaseModel, PlainSerializer, WithJsonSchema

from core.api import AUTH, ApiDateTime, get_visible, json_response, page_params, principal
from core.bounds import money_input
from core.errors import DomainError, PermissionDenied
from core.idempotency import run_idempotent
from core.payments import CallbackRefused, backend
from core.schema import Id, Input, Int, Moment
from customers.models import InstalledProduct
from shop import services
from shop.choices import RECORDED_METHODS, Delivery, LineKind, OrderStatus
from shop.models import ADDRESS_MAX, NOTE_MAX, ShopOrder
from shop.selectors import offers_for

router = Router(tags=["shop"], auth=AUTH)

NOTIFY_PATH = "/api/v1/shop/payments/wechat/notify"
KindLit = Literal[tuple(LineKind.values)]  # type: ignore[valid-type]
DeliveryLit = Literal[tuple(Delivery.values)]  # type: ignore[valid-type]
StatusLit = Literal[tuple(OrderStatus.values)]  # type: ignore[valid-type]
MethodLit = Literal[tuple(str(m) for m in RECORDED_METHODS)]  # type: ignore[valid-type]
Money = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
                  WithJsonSchema({"type": "string", "example": "128.00"})]


class OfferOut(BaseModel):
    kind: str
    id: int
    name: str
    detail: str
    price: str
    available: int | None
    in_stock: bool
    self_replaceable: bool
    recommended: bool
    tier: str
    months: int | None


class OffersOut(BaseModel):
    product_id: int
    offers: list[OfferOut]


class ItemIn(Input):
    kind: KindLit
    id: Id
    quantity: int = Field(1, ge=1, le=services.QUANTITY_MAX)


class OrderIn(Input):
    product_id: Id
    items: list[ItemIn] = Field(..., min_length=1, max_length=services.LINES_MAX)
    delivery: DeliveryLit = Delivery.COURIER
    address: str = Field("", max_length=ADDRESS_MAX)
    contact_phone: str = Field("", max_length=20)
    slot_start: Moment | None = None
    slot_end: Moment | None = None
    reminder_token: str = Field("", max_length=20, description="The reminder's one-tap key, when it led here.")


class LineOut(BaseModel):
    kind: str
    part_id: int | None
    plan_id: int | None
    offer_id: int | None
    description: str
    quantity: int
    unit_price: Money
    amount: Money
    contract_id: int | None


class OrderOut(BaseModel):
    id: int
    number: str
    status: str
    status_label: str
    product_id: int
    customer_id: int
    delivery: str
    address: str
    waybill: str
    total: Money
    currency: str
    pay_url: str
    paid_at: ApiDateTime | None
    created_at: ApiDateTime
    work_order_id: int | None
    reminder_id: int | None
    lead_id: int | None
    version: int
    lines: list[LineOut]


class OrderPage(BaseModel):
    count: int
    page: int
    page_size: int
    items: list[OrderOut]


class OrderFilters(Input):
    status: StatusLit | None = None
    page: Int = 1
    page_size: Int = 20


class PayIn(Input):
    channel: Literal["h5", "native", "jsapi"] = "h5"
    openid: str = Field("", max_length=64)


class PayOut(BaseModel):
    provider: str
    channel: str
    pay_url: str
    prepay_id: str
    jsapi: dict[str, str]


class FulfilIn(Input):
    action: Literal["ship", "delivered", "installed", "done", "cancel"]
    waybill: str = Field("", max_length=40)
    reason: str = Field("", max_length=NOTE_MAX)
    version: Int | None = None


class RecordPaymentIn(Input):
    method: MethodLit
    amount: str = Field(..., max_length=20, description="Yuan as a decimal string, e.g. \"128.00\".")
    note: str = Field("", max_length=NOTE_MAX)


def _orders(request):
    return ShopOrder.objects.visible_to(request.user).prefetch_related("lines")


def order_out(order: ShopOrder) -> OrderOut:
    return OrderOut(
        id=order.pk, number=order.number, status=order.status, status_label=str(order.get_status_display()),
        product_id=order.product_id, customer_id=order.customer_id, delivery=order.delivery, address=order.address,
        waybill=order.waybill, total=order.total, currency=order.currency, pay_url=order.pay_url,
        paid_at=order.paid_at, created_at=order.created_at, work_order_id=order.work_order_id,
        reminder_id=order.reminder_id, lead_id=order.lead_id, version=order.version,
        lines=[LineOut(kind=ln.kind, part_id=ln.part_id, plan_id=ln.plan_id, offer_id=ln.offer_id,
                       description=ln.description, quantity=ln.quantity, unit_price=ln.unit_price, amount=ln.amount,
                       contract_id=ln.contract_id) for ln in order.lines.all()])


@router.get("/offers", response=OffersOut, summary="What the shop offers for one of your units")
def get_offers(request, product_id: Id):
    product = get_visible(InstalledProduct.objects.select_related("customer", "site", "product_model"), request,
                          product_id)
    return OffersOut(product_id=product.pk, offers=[OfferOut(**o.as_dict()) for o in offers_for(product)])


@router.post("/orders", response={201: OrderOut}, summary="Order from the shop for one of your units")
def create_order(request, payload: OrderIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    actor = principal(request)
    if not (actor.is_customer or actor.is_brand_staff):
        raise PermissionDenied()
    product = get_visible(InstalledProduct.objects.select_related("customer", "site", "product_model"), request,
                          payload.product_id)
    slot = (payload.slot_start, payload.slot_end) if payload.slot_start and payload.slot_end else None

    def create() -> OrderOut:
        order = services.place_order(
            actor=actor, customer=product.customer, product=product,
            items=[services.Item(kind=i.kind, ref=i.id, quantity=i.quantity) for i in payload.items],
            delivery=payload.delivery, address=payload.address, contact_phone=payload.contact_phone, slot=slot,
            reminder_token=payload.reminder_token)
        return order_out(_orders(request).get(pk=order.pk))

    if not idempotency_key:
        return json_response(create(), status=201)
    status, body = run_idempotent(user=request.user, scope="shop.order", key=idempotency_key,
                                  body=payload.model_dump(mode="json"),
                                  fn=lambda: (201, create().model_dump(mode="json")))
    return json_response(OrderOut.model_validate(body), status=status)


@router.get("/orders", response=OrderPage, summary="Your shop orders (brand staff: the brand's)")
def list_orders(request, filters: Query[OrderFilters]):
    page, size = page_params(filters.page, filters.page_size)
    qs = _orders(request)
    if filters.status:
        qs = qs.filter(status=filters.status)
    count = qs.count()
    return OrderPage(count=count, page=page, page_size=size,
                     items=[order_out(o) for o in qs[(page - 1) * size: page * size]])


@router.get("/orders/{shop_order_id}", response=OrderOut, summary="One shop order")
def get_order(request, shop_order_id: Id):
    return order_out(get_visible(_orders(request), request, shop_order_id))


@router.post("/orders/{shop_order_id}/pay", response=PayOut, summary="Open the payment of an order (WeChat Pay)")
def pay_order(request, shop_order_id: Id, payload: PayIn):
    order = get_visible(_orders(request), request, shop_order_id)
    prepared = services.start_payment(order=order, actor=principal(request),
                                      notify_url=request.build_absolute_uri(NOTIFY_PATH), channel=payload.channel,
                                      client_ip=request.META.get("REMOTE_ADDR", "127.0.0.1"), openid=payload.openid)
    return PayOut(provider=prepared.provider, channel=prepared.channel, pay_url=prepared.pay_url,
                  prepay_id=prepared.prepay_id, jsapi=prepared.jsapi)


@router.post("/orders/{shop_order_id}/payments", response=OrderOut, summary="Record a payment taken by staff")
def record_payment(request, shop_order_id: Id, payload: RecordPaymentIn):
    order = get_visible(_orders(request), request, shop_order_id)
    amount = money_input(payload.amount, field="amount", message=_("Enter the amount, e.g. 128.00."))
    services.record_payment(order=order, actor=principal(request), method=payload.method, amount=amount,
                            note=payload.note)
    return order_out(_orders(request).get(pk=order.pk))


@router.post("/orders/{shop_order_id}/fulfil", response=OrderOut, summary="Ship, mark delivered or installed, close")
def fulfil_order(request, shop_order_id: Id, payload: FulfilIn):
    order = get_visible(_orders(request), request, shop_order_id)
    fulfil(order, principal(request), payload.action, waybill=payload.waybill, reason=payload.reason,
           version=payload.version)
    return order_out(_orders(request).get(pk=order.pk))


def fulfil(order: ShopOrder, actor, action: str, *, waybill: str = "", reason: str = "",
           version: int | None = None) -> ShopOrder:
    if action == "ship":
        return services.ship(order=order, actor=actor, waybill=waybill, version=version)
    if action == "delivered":
        return services.mark_delivered(order=order, actor=actor, version=version)
    if action == "installed":
        return services.mark_installed(order=order, actor=actor, version=version)
    if action == "cancel":
        return services.cancel(order=order, actor=actor, reason=reason, version=version)
    return services.close(order=order, actor=actor, version=version)


@router.post("/payments/wechat/notify", auth=None, summary="WeChat Pay's signed payment callback",
                      response={200: None, 204: None, 400: dict, 401: dict, 404: dict, 409: dict})
def wechat_notify(request) -> HttpResponse:
    """Verified with the platform key and decrypted with the APIv3 key (core/wechatpay.py); a bad signature is 401,
    a second callback for a transaction already taken changes nothing (204), an amount other than the order's
    total is refused (400). Refusals answer WeChat's ``{"code": "FAIL", "message": …}``."""
    headers = dict(request.headers.items())
    try:
        result = backend().parse_callback(headers, request.body)
        services.confirm_payment(result=result)
    except CallbackRefused as exc:
        return JsonResponse({"code": "FAIL", "message": str(exc.message)}, status=401)
    except DomainError as exc:
        return JsonResponse({"code": "FAIL", "message": str(exc.message)}, status=exc.status)
    return HttpResponse(status=204)
