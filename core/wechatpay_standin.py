"""A local stand-in for WeChat Pay API v3 (core/wechatpay.py), on loopback (core/standin.py).

It checks each merchant request as WeChat does: the ``Authorization`` header's scheme, mchid and serial, and its
RSA-SHA256 signature with the merchant's public key (401 ``SIGN_ERROR``), then the body (400 ``PARAM_ERROR``).
Prepay (jsapi / h5 / native) keeps the transaction (``NOTPAY``) and answers a ``prepay_id``, an ``h5_url`` (the
stand-in's own cashier page) or a ``code_url``; the same ``out_trade_no`` again with another amount is
400 ``INVALID_REQUEST`` (as WeChat: 201 "商户订单号重复"). The query answers the transaction. Every answer is
signed with the stand-in's platform key (``Wechatpay-*`` headers), so the backend's verification is exercised.

``pay(out_trade_no)`` pays a transaction and POSTs the signed, encrypted callback to its ``notify_url``, as the
cashier page's button does (``GET /pay/h5/{prepay_id}?redirect_url=…`` shows it; its form posts back and the page
then leads to ``redirect_url``). ``notification(transaction)`` builds a callback (headers, body) without sending it,
for tests that tamper with one.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from core.standin import HttpStandIn, Request, _HttpHandler
from core.wechatpay import (
    encrypt_resource,
    load_private_key,
    load_public_key,
    new_key_pair,
    parse_authorization,
    request_message,
    response_message,
    rsa_sign,
    rsa_verify,
)

BEIJING = dt.timezone(dt.timedelta(hours=8))
CASHIER = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>微信支付</title>
<style>body{{font-family:sans-serif;background:#f2f2f2;margin:0;padding:24px;text-align:center}}
.card{{background:#fff;border-radius:8px;padding:24px}} .amount{{font-size:2.2em;margin:12px 0}}
button{{background:#07c160;color:#fff;border:0;border-radius:6px;font-size:1.1em;padding:12px;width:100%}}</style>
</head><body><div class="card"><p>{merchant}</p><p>{description}</p><p class="amount">¥{amount}</p>
<form method="post" action="/pay/h5/{prepay_id}?redirect_url={redirect_q}">
<button type="submit">确认支付</button></form>
<p><small>WeChat Pay stand-in · 本地模拟收银台</small></p></div></body></html>"""
PAID = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>支付成功</title></head>
<body style="font-family:sans-serif;text-align:center;padding:24px"><p class="paid">支付成功 ✓</p>
<p><a id="back" href="{redirect}">返回商家</a></p></body></html>"""


class Page(bytes):
    """An answer that is an HTML page rather than JSON."""


class _SignedHandler(_HttpHandler):
    """Answers as WeChat Pay does: JSON signed with the platform key (Wechatpay-* headers), or a cashier page."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        url = urlsplit(self.path)
        request = Request(method=self.command, target=self.path, path=url.path,
                          query=dict(parse_qsl(url.query, keep_blank_values=True)), headers=dict(self.headers.items()),
                          body=self.rfile.read(length) if length else b"")
        stand_in: WeChatPayStandIn = self.server.stand_in
        status, body = stand_in.take(request)
        if isinstance(body, Page):
            data, headers = bytes(body), {"Content-Type": "text/html; charset=utf-8"}
        else:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json", **stand_in.signed_headers(data)}
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = _serve  # noqa: N815 (the stdlib's names)


class WeChatPayStandIn(HttpStandIn):
    handler_class = _SignedHandler

    def __init__(self, *, mchid: str, appid: str, merchant_serial: str, merchant_public_key: str, api_v3_key: str,
                 platform_serial: str = "PLATFORM-STANDIN-0001", merchant_name: str = "") -> None:
        super().__init__()
        self.mchid, self.appid, self.merchant_serial = mchid, appid, merchant_serial
        self.merchant_key = load_public_key(merchant_public_key)
        self.api_v3_key = api_v3_key
        self.platform_serial = platform_serial
        self.merchant_name = merchant_name or mchid
        private, self.platform_public_key = new_key_pair()
        self._platform_key = load_private_key(private)
        self.transactions: dict[str, dict[str, Any]] = {}  # out_trade_no -> the transaction and its notify_url
        self.notified: list[tuple[str, int]] = []  # (out_trade_no, the merchant's answer's status)

    # Signing
    def signed_headers(self, body: bytes) -> dict[str, str]:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        return {"Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": nonce, "Wechatpay-Serial": self.platform_serial,
                "Wechatpay-Signature": rsa_sign(self._platform_key, response_message(timestamp, nonce, body).decode()),
                "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048"}

    # The API
    def answer(self, request: Request) -> tuple[int, Any]:
        if request.path.startswith("/pay/h5/"):
            return self._cashier(request)
        refusal = self._check_signature(request)
        if refusal:
            return refusal
        if request.method == "POST" and request.path.startswith("/v3/pay/transactions/"):
            return self._prepay(request, request.path.rsplit("/", 1)[-1])
        if request.method == "GET" and request.path.startswith("/v3/pay/transactions/out-trade-no/"):
            found = self.transactions.get(request.path.rsplit("/", 1)[-1])
            if found is None or request.query.get("mchid") != self.mchid:
                return 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}
            return 200, self.transaction(found)
        return 404, {"code": "NOT_FOUND", "message": "无效的请求地址"}

    def _check_signature(self, request: Request) -> tuple[int, dict] | None:
        fields = parse_authorization(request.headers.get("Authorization", ""))
        if (not fields or fields.get("mchid") != self.mchid or fields.get("serial_no") != self.merchant_serial
                or not rsa_verify(self.merchant_key, request_message(
                    request.method, request.target, fields.get("timestamp", ""), fields.get("nonce_str", ""),
                    request.body.decode()), fields.get("signature", ""))):
            return 401, {"code": "SIGN_ERROR", "message": "签名错误"}
        return None

    def _prepay(self, request: Request, channel: str) -> tuple[int, dict]:
        try:
            body = json.loads(request.body or b"{}")
            total = body["amount"]["total"]
            ok = (channel in ("jsapi", "h5", "native") and body["mchid"] == self.mchid
                  and body["appid"] == self.appid and isinstance(total, int) and total > 0
                  and body["out_trade_no"] and body["notify_url"].startswith("http"))
            if channel == "jsapi":
                ok = ok and bool(body["payer"]["openid"])
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            return 400, {"code": "PARAM_ERROR", "message": "参数错误"}
        number = body["out_trade_no"]
        existing = self.transactions.get(number)
        if existing is not None and existing["amount"] != total:
            return 400, {"code": "INVALID_REQUEST", "message": "201 商户订单号重复"}
        if existing is None:
            existing = self.transactions[number] = {
                "out_trade_no": number, "amount": total, "description": body.get("description", ""),
                "notify_url": body["notify_url"], "channel": channel, "state": "NOTPAY",
                "prepay_id": f"wx{dt.datetime.now(BEIJING):%d%H%M%S}{uuid.uuid4().hex[:20]}",
                "openid": (body.get("payer") or {}).get("openid", "oStandInPayer000000000000000"),
                "transaction_id": "", "success_time": ""}
        if channel == "jsapi":
            return 200, {"prepay_id": existing["prepay_id"]}
        if channel == "h5":
            return 200, {"h5_url": f"{self.url}/pay/h5/{existing['prepay_id']}"}
        return 200, {"code_url": f"weixin://wxpay/bizpayurl?pr={existing['prepay_id'][-10:]}"}

    def transaction(self, t: dict[str, Any]) -> dict[str, Any]:
        answer = {"appid": self.appid, "mchid": self.mchid, "out_trade_no": t["out_trade_no"],
                  "trade_type": t["channel"].upper() if t["channel"] != "h5" else "MWEB",
                  "trade_state": t["state"], "trade_state_desc": "支付成功" if t["state"] == "SUCCESS" else "未支付",
                  "payer": {"openid": t["openid"]}, "amount": {"total": t["amount"], "currency": "CNY"}}
        if t["state"] == "SUCCESS":
            answer.update(transaction_id=t["transaction_id"], success_time=t["success_time"], bank_type="OTHERS")
            answer["amount"].update(payer_total=t["amount"], payer_currency="CNY")
        return answer

    # Paying
    def pay(self, out_trade_no: str) -> int:
        """Pay the transaction (once) and send its callback; the merchant's answer's status (0: unreachable)."""
        with self.lock:
            t = self.transactions[out_trade_no]
            if t["state"] != "SUCCESS":
                t.update(state="SUCCESS", transaction_id=f"42000{int(time.time() * 1000):013d}{len(self.notified):04d}",
                         success_time=dt.datetime.now(BEIJING).replace(microsecond=0).isoformat())
            headers, body = self.notification(self.transaction(t))
        return self.send(t["notify_url"], headers, body, out_trade_no)

    def notification(self, transaction: dict[str, Any], *, event_id: str | None = None) -> tuple[dict, bytes]:
        envelope = {"id": event_id or str(uuid.uuid4()),
                    "create_time": dt.datetime.now(BEIJING).replace(microsecond=0).isoformat(),
                    "resource_type": "encrypt-resource", "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
                    "resource": encrypt_resource(self.api_v3_key, transaction)}
        body = json.dumps(envelope, ensure_ascii=False).encode()
        return {"Content-Type": "application/json", **self.signed_headers(body)}, body

    def send(self, url: str, headers: dict[str, str], body: bytes, out_trade_no: str = "") -> int:
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, OSError):
            status = 0
        self.notified.append((out_trade_no, status))
        return status

    def _cashier(self, request: Request) -> tuple[int, Any]:
        prepay_id = request.path.rsplit("/", 1)[-1]
        found = next((t for t in self.transactions.values() if t["prepay_id"] == prepay_id), None)
        if found is None:
            return 404, Page("<p>订单不存在</p>".encode())
        redirect = request.query.get("redirect_url", "")
        if not redirect.startswith(("http://", "https://")):
            redirect = ""
        if request.method == "POST":
            self.pay(found["out_trade_no"])  # the lock is re-entrant: pay() takes it again
            return 200, Page(PAID.format(redirect=html.escape(redirect or "about:blank")).encode())
        return 200, Page(CASHIER.format(
            merchant=html.escape(self.merchant_name), description=html.escape(found["description"]),
            amount=f"{found['amount'] / 100:.2f}", prepay_id=prepay_id, redirect_q=quote(redirect, safe="")).encode())
