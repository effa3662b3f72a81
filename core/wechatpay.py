"""WeChat Pay API v3 (微信支付 APIv3), the merchant's side: prepay, query, and the signed payment callback.

Prepay: ``POST /v3/pay/transactions/{jsapi|h5|native}`` with JSON ``{appid, mchid, description, out_trade_no,
notify_url, amount: {total (fen), currency: "CNY"}}`` plus ``payer.openid`` (jsapi) or ``scene_info`` (h5);
answers ``{prepay_id}`` (jsapi), ``{h5_url}`` (h5) or ``{code_url}`` (native). Query:
``GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=…`` answers the transaction: ``trade_state``
(SUCCESS, NOTPAY, CLOSED, REFUND, …), ``transaction_id``, ``success_time``, ``amount.total`` / ``payer_total``.

Every request is signed with the merchant's API certificate key: ``Authorization: WECHATPAY2-SHA256-RSA2048
mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"``, the signature Base64(RSA-SHA256(PKCS#1
v1.5)) over ``METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n`` (URL = path and query). Answers and callbacks are
signed by the platform key: headers ``Wechatpay-Timestamp``, ``-Nonce``, ``-Signature``, ``-Serial`` over
``TIMESTAMP\\nNONCE\\nBODY\\n``. A callback's ``resource`` is AEAD_AES_256_GCM ciphertext under the APIv3 key
(``nonce``, ``associated_data``); the plain text is the transaction as the query answers it.

Settings: ``WECHATPAY`` = {URL, MCH_ID, APP_ID, SERIAL_NO (the merchant certificate's), PRIVATE_KEY (PEM),
PLATFORM_SERIAL, PLATFORM_PUBLIC_KEY (PEM), API_V3_KEY (32 bytes), TIMEOUT}.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.payments import (
    CallbackRefused,
    PaymentError,
    PaymentRequest,
    PaymentResult,
    PaymentState,
    Prepared,
    from_fen,
    to_fen,
)

SCHEME = "WECHATPAY2-SHA256-RSA2048"
MAX_ANSWER_BYTES = 100_000
# WeChat's advice: refuse a callback whose timestamp is more than five minutes off (a replayed old message).
CLOCK_SKEW_SECONDS = 300
STATES = {"SUCCESS": PaymentState.PAID, "REFUND": PaymentState.REFUNDED, "CLOSED": PaymentState.CLOSED,
          "REVOKED": PaymentState.CLOSED, "PAYERROR": PaymentState.CLOSED}
CHANNELS = ("jsapi", "h5", "native")


def load_private_key(pem: str | bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode() if isinstance(pem, str) else pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def load_public_key(pem: str | bytes) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    assert isinstance(key, rsa.RSAPublicKey)
    return key


def new_key_pair() -> tuple[str, str]:
    """A fresh RSA 2048 key pair as PEM (private, public): the stand-in's platform key, a test merchant's key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def rsa_sign(private_key: rsa.RSAPrivateKey, message: str) -> str:
    return base64.b64encode(private_key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa_verify(public_key: rsa.RSAPublicKey, message: str | bytes, signature: str) -> bool:
    data = message.encode() if isinstance(message, str) else message
    try:
        public_key.verify(base64.b64decode(signature, validate=True), data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def request_message(method: str, url: str, timestamp: str, nonce: str, body: str) -> str:
    return f"{method}\n{url}\n{timestamp}\n{nonce}\n{body}\n"


def response_message(timestamp: str, nonce: str, body: bytes) -> bytes:
    """What the platform signs for an answer or a callback: the body exactly as sent, as bytes."""
    return f"{timestamp}\n{nonce}\n".encode() + body + b"\n"


def authorization(*, method: str, url: str, body: str, mchid: str, serial_no: str, private_key: rsa.RSAPrivateKey,
                  timestamp: str | None = None, nonce: str | None = None) -> str:
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or secrets.token_hex(16).upper()
    signature = rsa_sign(private_key, request_message(method, url, timestamp, nonce, body))
    return (f'{SCHEME} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
            f'timestamp="{timestamp}",serial_no="{serial_no}"')


def parse_authorization(header: str) -> dict[str, str]:
    """The fields of an Authorization header; {} when it is not ours."""
    scheme, _, rest = header.partition(" ")
    if scheme != SCHEME:
        return {}
    fields = {}
    for part in rest.split(","):
        name, _, value = part.strip().partition("=")
        fields[name] = value.strip('"')
    return fields


def encrypt_resource(api_v3_key: str, plain: dict[str, Any], *, associated_data: str = "transaction") -> dict:
    nonce = secrets.token_urlsafe(9)[:12]
    data = AESGCM(api_v3_key.encode()).encrypt(nonce.encode(), json.dumps(plain, ensure_ascii=False).encode(),
                                                associated_data.encode())
    return {"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": base64.b64encode(data).decode(), "associated_data": associated_data, "nonce": nonce}


def decrypt_resource(api_v3_key: str, resource: dict[str, Any]) -> dict[str, Any]:
    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise CallbackRefused(_("The callback's resource is not in a known cipher."))
    try:
        plain = AESGCM(api_v3_key.encode()).decrypt(
            str(resource["nonce"]).encode(), base64.b64decode(resource["ciphertext"]),
            str(resource.get("associated_data") or "").encode())
        return json.loads(plain)
    except (InvalidTag, KeyError, ValueError, TypeError) as exc:
        raise CallbackRefused(_("The callback's resource does not decrypt with our key.")) from exc


def result_of(transaction: dict[str, Any], *, event_id: str = "") -> PaymentResult:
    """Our reading of a transaction (from a callback or a query)."""
    amount = transaction.get("amount") or {}
    paid_at = None
    if transaction.get("success_time"):
        paid_at = dt.datetime.fromisoformat(transaction["success_time"])
    total = amount.get("total")
    return PaymentResult(
        out_trade_no=str(transaction.get("out_trade_no", "")),
        state=STATES.get(str(transaction.get("trade_state", "")), PaymentState.PENDING),
        amount=from_fen(total) if isinstance(total, int) else None,
        transaction_id=str(transaction.get("transaction_id", "")), paid_at=paid_at, event_id=event_id,
        raw=transaction)


class WeChatPayBackend:
    """``settings.PAYMENT_BACKEND = "core.wechatpay.WeChatPayBackend"``, configured by ``settings.WECHATPAY``."""

    name = "wechatpay"

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = config if config is not None else settings.WECHATPAY
        self.private_key = load_private_key(self.config["PRIVATE_KEY"])
        self.platform_key = load_public_key(self.config["PLATFORM_PUBLIC_KEY"])

    # Requests
    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")) if payload is not None else ""
        header = authorization(method=method, url=path, body=body, mchid=self.config["MCH_ID"],
                               serial_no=self.config["SERIAL_NO"], private_key=self.private_key)
        request = urllib.request.Request(
            self.config["URL"].rstrip("/") + path, data=body.encode() if payload is not None else None, method=method,
            headers={"Authorization": header, "Accept": "application/json", "Content-Type": "application/json",
                     "User-Agent": "aftersales"})
        try:
            with urllib.request.urlopen(request, timeout=float(self.config.get("TIMEOUT", 10))) as response:
                raw, headers, status = response.read(MAX_ANSWER_BYTES), dict(response.headers.items()), response.status
        except urllib.error.HTTPError as exc:
            raw = exc.read(MAX_ANSWER_BYTES)
            try:
                answer = json.loads(raw or b"{}")
            except ValueError:
                answer = {}
            raise PaymentError(code_from_provider=answer.get("code", ""), provider_message=answer.get("message", ""),
                               http_status=exc.code) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise PaymentError(reason=str(exc)) from exc
        # An answer is the platform's only if its signature holds: a man in the middle cannot fake "paid".
        if not self.verified(headers, raw):
            raise PaymentError(_("The payment service's answer is not signed by it."), http_status=status)
        return json.loads(raw) if raw else {}

    def prepare(self, request: PaymentRequest) -> Prepared:
        if request.channel not in CHANNELS:
            raise ValueError(f"unknown channel {request.channel!r}")
        payload: dict[str, Any] = {
            "appid": self.config["APP_ID"], "mchid": self.config["MCH_ID"], "description": request.description[:127],
            "out_trade_no": request.out_trade_no, "notify_url": request.notify_url,
            "amount": {"total": to_fen(request.amount), "currency": "CNY"},
        }
        if request.channel == "jsapi":
            payload["payer"] = {"openid": request.openid}
        if request.channel == "h5":
            payload["scene_info"] = {"payer_client_ip": request.client_ip, "h5_info": {"type": "Wap"}}
        answer = self._call("POST", f"/v3/pay/transactions/{request.channel}", payload)
        if request.channel == "jsapi":
            prepay_id = str(answer.get("prepay_id", ""))
            return Prepared(provider=self.name, channel="jsapi", out_trade_no=request.out_trade_no,
                            prepay_id=prepay_id, jsapi=self.jsapi_params(prepay_id))
        url = str(answer.get("h5_url") or answer.get("code_url") or "")
        return Prepared(provider=self.name, channel=request.channel, out_trade_no=request.out_trade_no, pay_url=url)

    def jsapi_params(self, prepay_id: str) -> dict[str, str]:
        """What WeixinJSBridge's getBrandWCPayRequest takes, signed over appId, timeStamp, nonceStr, package."""
        timestamp, nonce, package = str(int(time.time())), secrets.token_hex(16), f"prepay_id={prepay_id}"
        app_id = self.config["APP_ID"]
        sign = rsa_sign(self.private_key, f"{app_id}\n{timestamp}\n{nonce}\n{package}\n")
        return {"appId": app_id, "timeStamp": timestamp, "nonceStr": nonce, "package": package, "signType": "RSA",
                "paySign": sign}

    def query(self, out_trade_no: str) -> PaymentResult:
        path = (f"/v3/pay/transactions/out-trade-no/{urllib.parse.quote(out_trade_no)}?"
                f"{urllib.parse.urlencode({'mchid': self.config['MCH_ID']})}")
        return result_of(self._call("GET", path))

    # Answers and callbacks
    def verified(self, headers: dict[str, str], body: bytes) -> bool:
        h = {k.lower(): v for k, v in headers.items()}
        timestamp, nonce = h.get("wechatpay-timestamp", ""), h.get("wechatpay-nonce", "")
        signature, serial = h.get("wechatpay-signature", ""), h.get("wechatpay-serial", "")
        if not (timestamp and nonce and signature) or serial != self.config["PLATFORM_SERIAL"]:
            return False
        try:
            if abs(time.time() - int(timestamp)) > CLOCK_SKEW_SECONDS:
                return False
        except ValueError:
            return False
        return rsa_verify(self.platform_key, response_message(timestamp, nonce, body), signature)

    def parse_callback(self, headers: dict[str, str], body: bytes) -> PaymentResult:
        if not self.verified(headers, body):
            raise CallbackRefused()
        try:
            envelope = json.loads(body)
        except ValueError as exc:
            raise CallbackRefused(_("The callback is not JSON.")) from exc
        transaction = decrypt_resource(self.config["API_V3_KEY"], envelope.get("resource") or {})
        if transaction.get("mchid") != self.config["MCH_ID"] or transaction.get("appid") != self.config["APP_ID"]:
            raise CallbackRefused(_("The callback is for another merchant."))
        return result_of(transaction, event_id=str(envelope.get("id", "")))
