"""Taking a customer's payment through a pluggable backend (STYLE.md "Providers behind backends").

``settings.PAYMENT_BACKEND`` names a class with

- ``prepare(request: PaymentRequest) -> Prepared``: open the payment at the provider; what the customer's phone
  needs to pay (a cashier URL to open, a QR code's content, the JSAPI parameters for ``WeixinJSBridge``);
- ``query(out_trade_no) -> PaymentResult``: what the provider knows of it now (a lost callback is recovered so);
- ``parse_callback(headers, body) -> PaymentResult``: verify the provider's signed callback and read it; a bad
  signature, a stale timestamp or a body that does not decrypt is ``CallbackRefused`` (401).

``RecordedBackend`` (the default) has no provider: staff record a payment they took (cash, a transfer, payment
on delivery). ``core.wechatpay.WeChatPayBackend`` is WeChat Pay API v3.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

CENT = Decimal("0.01")


class PaymentState:
    PAID = "paid"
    PENDING = "pending"
    CLOSED = "closed"  # closed or revoked before it was paid
    REFUNDED = "refunded"


class PaymentError(DomainError):
    """The provider did not take the request (down, refused it); nothing was paid."""

    code = "payment_provider_failed"
    status = 502
    default_message = _("The payment service did not answer; try again in a moment.")


class CallbackRefused(DomainError):
    """A callback that is not provably the provider's: it changes nothing."""

    code = "callback_refused"
    status = 401
    default_message = _("The callback's signature is not valid.")


def to_fen(amount: Decimal) -> int:
    """Yuan (Decimal, to the cent) to fen, the unit WeChat Pay counts in; a fraction of a cent is refused."""
    if not isinstance(amount, Decimal) or amount != amount.quantize(CENT):
        raise ValueError(f"not an amount to the cent: {amount!r}")
    return int(amount * 100)


def from_fen(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PaymentRequest:
    out_trade_no: str  # ours: the shop order's number, unique per merchant
    amount: Decimal
    description: str
    notify_url: str
    channel: str = "h5"  # jsapi (inside WeChat), h5 (a phone browser), native (a QR code on a screen)
    openid: str = ""  # jsapi: the payer's openid for our AppID
    client_ip: str = "127.0.0.1"  # h5: the payer's IP, as WeChat asks


@dataclass(frozen=True)
class Prepared:
    provider: str
    channel: str
    out_trade_no: str
    prepay_id: str = ""
    pay_url: str = ""  # h5: the cashier page to open; native: the QR code's content
    jsapi: dict[str, str] = field(default_factory=dict)  # jsapi: WeixinJSBridge getBrandWCPayRequest's arguments


@dataclass(frozen=True)
class PaymentResult:
    out_trade_no: str
    state: str
    amount: Decimal | None = None
    transaction_id: str = ""
    paid_at: dt.datetime | None = None
    event_id: str = ""  # the callback's own id (a retry of one notification carries the same)
    raw: dict[str, Any] = field(default_factory=dict)


class PaymentBackend(Protocol):
    name: str

    def prepare(self, request: PaymentRequest) -> Prepared: ...

    def query(self, out_trade_no: str) -> PaymentResult: ...

    def parse_callback(self, headers: dict[str, str], body: bytes) -> PaymentResult: ...


class RecordedBackend:
    """No provider: the order waits until staff record the payment (cash, a bank transfer, on delivery)."""

    name = "recorded"

    def prepare(self, request: PaymentRequest) -> Prepared:
        return Prepared(provider=self.name, channel="recorded", out_trade_no=request.out_trade_no)

    def query(self, out_trade_no: str) -> PaymentResult:
        return PaymentResult(out_trade_no=out_trade_no, state=PaymentState.PENDING)

    def parse_callback(self, headers: dict[str, str], body: bytes) -> PaymentResult:
        raise CallbackRefused(_("No payment provider is configured to call back."))


def backend() -> PaymentBackend:
    return import_string(getattr(settings, "PAYMENT_BACKEND", "core.payments.RecordedBackend"))()
