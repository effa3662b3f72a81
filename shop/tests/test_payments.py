"""WeChat Pay API v3 against its stand-in: our requests signed as WeChat checks them, its callback verified and
decrypted as WeChat sends it; a tampered, replayed, stale or short callback changes nothing."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from accounts.principal import principal_of
from core.errors import DomainError
from core.payments import PaymentError, PaymentState
from core.wechatpay import WeChatPayBackend, new_key_pair
from shop import services
from shop.choices import LineKind, OrderStatus
from shop.models import ShopOrder, ShopOrderEvent, ShopPayment

NOTIFY = "/api/v1/shop/payments/wechat/notify"
pytestmark = pytest.mark.django_db


def _order(w) -> ShopOrder:
    return services.place_order(actor=principal_of(w.customer.user), customer=w.customer, product=w.product,
                                items=[services.Item(LineKind.PART, w.filter.pk, 2)])


def _prepared(w, stand_in) -> ShopOrder:
    order = _order(w)
    services.start_payment(order=order, actor=principal_of(w.customer.user), notify_url=f"http://testserver{NOTIFY}")
    return order


def _post(client, headers: dict, body: bytes):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
    return client.post(NOTIFY, data=body, content_type="application/json", **extra)


def _state(order: ShopOrder) -> tuple:
    order.refresh_from_db()
    return (order.status, order.version, ShopPayment.objects.filter(order=order).count(),
            ShopOrderEvent.objects.filter(order=order).count())


def test_prepay_is_signed_and_answers_the_cashier_page(shop, wechatpay):
    order = _order(shop)
    prepared = services.start_payment(order=order, actor=principal_of(shop.customer.user),
                                      notify_url=f"http://testserver{NOTIFY}")
    assert prepared.provider == "wechatpay" and prepared.channel == "h5"
    assert prepared.pay_url.startswith(f"{wechatpay.url}/pay/h5/wx")
    sent = json.loads(wechatpay.log[-1].body)
    assert sent["amount"] == {"total": 7800, "currency": "CNY"}
    assert sent["out_trade_no"] == order.number and sent["notify_url"] == f"http://testserver{NOTIFY}"
    assert wechatpay.log[-1].headers["Authorization"].startswith('WECHATPAY2-SHA256-RSA2048 mchid="1900000109"')
    order.refresh_from_db()
    assert order.pay_url == prepared.pay_url


def test_a_request_signed_with_another_key_is_refused(shop, wechatpay, settings):
    order = _order(shop)
    other_private, _public = new_key_pair()
    settings.WECHATPAY = {**settings.WECHATPAY, "PRIVATE_KEY": other_private}
    with pytest.raises(PaymentError) as refused:
        services.start_payment(order=order, actor=principal_of(shop.customer.user), notify_url="http://x/n")
    assert refused.value.detail["http_status"] == 401
    assert refused.value.detail["code_from_provider"] == "SIGN_ERROR"
    assert wechatpay.transactions == {}


def test_an_answer_not_signed_by_the_platform_is_refused(shop, wechatpay, settings):
    order = _order(shop)
    _other_private, other_public = new_key_pair()
    settings.WECHATPAY = {**settings.WECHATPAY, "PLATFORM_PUBLIC_KEY": other_public}
    with pytest.raises(PaymentError):
        services.start_payment(order=order, actor=principal_of(shop.customer.user), notify_url="http://x/n")
    order.refresh_from_db()
    assert order.pay_url == ""


def test_the_signed_callback_pays_the_order_once(shop, wechatpay, client):
    order = _prepared(shop, wechatpay)
    t = wechatpay.transactions[order.number]
    t.update(state="SUCCESS", transaction_id="4200000001", success_time="2026-12-07T10:00:00+08:00")
    headers, body = wechatpay.notification(wechatpay.transaction(t))
    response = _post(client, headers, body)
    assert response.status_code == 204
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    payment = ShopPayment.objects.get(order=order)
    assert (payment.method, payment.transaction_id, payment.amount) == ("wechatpay", "4200000001", Decimal("78.00"))
    before = _state(order)
    # The same callback again (WeChat retries until it hears 2xx) and a second notification of the transaction.
    assert _post(client, headers, body).status_code == 204
    assert _post(client, *wechatpay.notification(wechatpay.transaction(t))).status_code == 204
    assert _state(order) == before


def test_a_tampered_body_or_signature_is_refused_and_changes_nothing(shop, wechatpay, client):
    order = _prepared(shop, wechatpay)
    t = wechatpay.transactions[order.number]
    t.update(state="SUCCESS", transaction_id="4200000002", success_time="2026-12-07T10:00:00+08:00")
    headers, body = wechatpay.notification(wechatpay.transaction(t))
    before = _state(order)
    tampered = body.replace(b'"summary": "', b'"summary": "X')
    assert _post(client, headers, tampered).status_code == 401
    forged = {**headers, "Wechatpay-Signature": headers["Wechatpay-Signature"][:-8] + "AAAAAAA="}
    response = _post(client, forged, body)
    assert response.status_code == 401 and response.json()["code"] == "FAIL"
    stale = {**headers, "Wechatpay-Timestamp": str(int(time.time()) - 3600)}
    assert _post(client, stale, body).status_code == 401
    assert _post(client, {**headers, "Wechatpay-Serial": "OTHER"}, body).status_code == 401
    assert _state(order) == before == (OrderStatus.AWAITING_PAYMENT, 1, 0, 0)


def test_an_amount_that_does_not_match_is_refused(shop, wechatpay, client):
    order = _prepared(shop, wechatpay)
    t = wechatpay.transactions[order.number]
    t.update(state="SUCCESS", transaction_id="4200000003", success_time="2026-12-07T10:00:00+08:00", amount=1)
    before = _state(order)
    response = _post(client, *wechatpay.notification(wechatpay.transaction(t)))
    assert response.status_code == 400 and response.json()["code"] == "FAIL"
    assert _state(order) == before


def test_query_reads_the_transaction(shop, wechatpay):
    order = _prepared(shop, wechatpay)
    backend = WeChatPayBackend()
    assert backend.query(order.number).state == PaymentState.PENDING
    wechatpay.transactions[order.number].update(state="SUCCESS", transaction_id="4200000004",
                                                success_time="2026-12-07T10:00:00+08:00")
    result = backend.query(order.number)
    assert (result.state, result.amount, result.transaction_id) == (PaymentState.PAID, Decimal("78.00"),
                                                                    "4200000004")
    paid = services.confirm_payment(result=result)
    assert paid.status == OrderStatus.PAID


def test_a_recorded_payment_must_be_the_total(shop):
    order = _order(shop)
    with pytest.raises(DomainError) as refused:
        services.record_payment(order=order, actor=principal_of(shop.dispatcher), method="cash",
                                amount=Decimal("70.00"))
    assert refused.value.code == "amount_mismatch"
    assert _state(order) == (OrderStatus.AWAITING_PAYMENT, 1, 0, 0)
    paid = services.record_payment(order=order, actor=principal_of(shop.dispatcher), method="cash",
                                   amount=Decimal("78.00"), note="现金")
    assert paid.status == OrderStatus.PAID
    assert ShopPayment.objects.get(order=order).recorded_by == shop.dispatcher
