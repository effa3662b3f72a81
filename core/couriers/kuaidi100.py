"""Kuaidi100 (快递100): a pickup booked through its business orders (商家寄件), tracked by subscription.

Orders: a form POST to ``ORDER_URL`` (``https://poll.kuaidi100.com/order/borderapi.do``) of ``method`` (``bOrder``,
``cancel``), ``key``, ``t`` (milliseconds), ``param`` (JSON) and ``sign`` = upper(MD5(param + t + key + secret)).
bOrder's param: {kuaidicom (``COMPANY``, e.g. shunfeng), sendManName / sendManMobile / sendManPrintAddr, recMan...
likewise, cargo, weight, remark, payment SHIPPER, callBackUrl (the order's states), salt, dayType (今天 / 明天 / 后天:
no further ahead), pickupStartTime / pickupEndTime ("HH:mm", required for SF)} ->
``{"result": true, "returnCode": "200", "message": "提交成功", "data": {"taskId", "orderId", "kuaidinum"}}``.
cancel's param: {taskId, orderId, cancelMsg}: the booking keeps both as ``provider_order`` ("taskId:orderId").
returnCode 400 (bad parameters), 503 (the sign is wrong), 600 / 601 (the key unknown / expired) are refusals; 500
(a server error) and 502 (busy) failures. 500 is also what a second cancel of one order answers: its message then
says it is cancelled, which is what we wanted.

Tracking: a subscription, form POST to ``POLL_URL`` (``https://poll.kuaidi100.com/poll``) of ``schema=json`` and
``param`` = {company, number, key, parameters {callbackurl, salt, resultv2 "1" (each event then names its state),
phone}} -> ``{"result": true, "returnCode": "200", "message": "提交成功"}``; 501 (重复订阅) is done already; 500 /
502 are failures; 600 / 601 / 700 (a company it does not track) ... refusals. A booking is only returned once it
is subscribed: if the subscription fails, the order is cancelled (as best we can) and the pickup fails, so a retry
starts clean.

The push: a form POST of ``param`` (JSON {status: polling / shutdown / abort / updateall, message, lastResult
{state, ischeck, com, nu, data [{context, time, ftime, areaName, status}]}}) and ``sign`` = upper(MD5(param +
salt)), answered ``{"result": true, "returnCode": "200", "message": "成功"}``. data is the whole route so far,
newest first; every event in it is returned, and the caller drops those it has: ``event_id`` hashes nu, time and
context, so a queried event has the id it was pushed with. The order callback (bOrder's callBackUrl, pointed at
the same URL) carries the order's state rather than its route (taskId, param {kuaidinum, status, data {orderId,
status, courierName...}}); Kuaidi100's documentation says little of its sign, so it is taken to be signed like
the push: it is verified and acknowledged, and gives no events (its 已取件 reaches us as the route's 揽收).

Query: a form POST to ``QUERY_URL`` (``https://poll.kuaidi100.com/poll/query.do``) of ``customer``, ``param`` ({com,
num, phone (SF checks it against the sender's or receiver's), resultv2 "1", show "0", order "desc"}) and ``sign`` =
upper(MD5(param + key + customer)); it answers like a push's lastResult (``status`` "200"), or
``{"result": false, "returnCode": "500", "message": "查询无结果，请隔段时间再查"}``: nothing yet, no error.

States: 1 揽收 collected; 0 在途, 7 转投, 8 清关 in transit; 5 派件 out for delivery; 3 签收 delivered; 2 疑难,
4 退签, 6 退回, 14 拒签 an exception. An event's stage is its own ``status`` name's; an event without one takes
the parcel's ``state`` when it is the newest, else in transit.

Settings: ``KUAIDI100`` = {ORDER_URL, POLL_URL, QUERY_URL, KEY, SECRET, CUSTOMER, SALT, COMPANY, TIMEOUT}.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.parse
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.couriers import (
    BEIJING,
    Booking,
    CallbackRefused,
    CourierError,
    CourierRefused,
    PickupRequest,
    RouteEvent,
    Stage,
    beijing_time,
    post_form,
)

ORDER_URL = "https://poll.kuaidi100.com/order/borderapi.do"
POLL_URL = "https://poll.kuaidi100.com/poll"
QUERY_URL = "https://poll.kuaidi100.com/poll/query.do"
STATES: dict[str, tuple[str, str]] = {  # state -> (its name in an event's status, our stage)
    "0": ("在途", Stage.IN_TRANSIT), "1": ("揽收", Stage.COLLECTED), "2": ("疑难", Stage.EXCEPTION),
    "3": ("签收", Stage.DELIVERED), "4": ("退签", Stage.EXCEPTION), "5": ("派件", Stage.OUT_FOR_DELIVERY),
    "6": ("退回", Stage.EXCEPTION), "7": ("转投", Stage.IN_TRANSIT), "8": ("清关", Stage.IN_TRANSIT),
    "10": ("待清关", Stage.IN_TRANSIT), "11": ("清关中", Stage.IN_TRANSIT), "12": ("已清关", Stage.IN_TRANSIT),
    "13": ("清关异常", Stage.EXCEPTION), "14": ("拒签", Stage.EXCEPTION),
}
STATE_OF_NAME = {name: state for state, (name, _stage) in STATES.items()}
DAY_TYPES = {0: "今天", 1: "明天", 2: "后天"}
NO_RESULT = "500"  # a query's "nothing yet"
OK_REPLY = {"result": True, "returnCode": "200", "message": "成功"}


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()


def order_sign(param: str, t: str, key: str, secret: str) -> str:
    return md5_upper(param + t + key + secret)


def query_sign(param: str, key: str, customer: str) -> str:
    return md5_upper(param + key + customer)


def push_sign(param: str, salt: str) -> str:
    return md5_upper(param + salt)


def event_id(waybill: str, time_text: str, context: str) -> str:
    return "kd100-" + hashlib.sha1(f"{waybill}|{time_text}|{context}".encode()).hexdigest()[:24]


def read_result(result: dict[str, Any]) -> list[RouteEvent]:
    """A lastResult (a push's or a query's answer) as RouteEvents, newest first as Kuaidi100 lists them."""
    waybill, state = str(result.get("nu") or ""), str(result.get("state") or "")
    events = []
    for index, item in enumerate(result.get("data") or []):
        if not isinstance(item, dict):
            continue
        time_text, context = str(item.get("time") or item.get("ftime") or ""), str(item.get("context") or "")
        code = STATE_OF_NAME.get(str(item.get("status") or ""))
        if code is None:
            code = state if index == 0 and state in STATES else "0"
        try:
            at = beijing_time(time_text)
        except ValueError:
            continue
        events.append(RouteEvent(waybill=waybill, event_id=event_id(waybill, time_text, context),
                                 stage=STATES[code][1], at=at, place=str(item.get("areaName") or ""), text=context,
                                 provider_code=code))
    return events


def day_type(start: dt.datetime, now: dt.datetime) -> str:
    """今天 / 明天 / 后天 for a window opening on that Beijing day; Kuaidi100 books no further ahead."""
    days = (start.astimezone(BEIJING).date() - now.astimezone(BEIJING).date()).days
    if days not in DAY_TYPES:
        raise CourierRefused(_("The courier books pickups for today, tomorrow or the day after only."),
                             days_ahead=days)
    return DAY_TYPES[days]


class Kuaidi100Backend:
    """``COURIER_BACKENDS["kuaidi100"]``, configured by ``settings.KUAIDI100``."""

    name = "kuaidi100"

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        cfg = config if config is not None else getattr(settings, "KUAIDI100", {})
        self.order_url = str(cfg.get("ORDER_URL") or ORDER_URL)
        self.poll_url = str(cfg.get("POLL_URL") or POLL_URL)
        self.query_url = str(cfg.get("QUERY_URL") or QUERY_URL)
        self.key, self.secret = str(cfg.get("KEY") or ""), str(cfg.get("SECRET") or "")
        self.customer, self.salt = str(cfg.get("CUSTOMER") or ""), str(cfg.get("SALT") or "")
        self.company = str(cfg.get("COMPANY") or "shunfeng")
        self.timeout = float(cfg.get("TIMEOUT") or 10)

    # Calls
    @staticmethod
    def checked(answer: Any, *, failures: frozenset[str], accept: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The answer if it says yes (or a code in ``accept``); CourierError for a code in ``failures`` (the
        service failed), CourierRefused for any other."""
        if not isinstance(answer, dict):
            raise CourierError(reason="the answer is not a JSON object")
        code = str(answer.get("returnCode") or "")
        if answer.get("result") is True or code == "200" or code in accept:
            return answer
        error = CourierError if code in failures or not code else CourierRefused
        raise error(provider_code=code, provider_message=str(answer.get("message") or ""))

    def order_call(self, method: str, param: dict[str, Any], *, accept: frozenset[str] = frozenset()) -> dict:
        if not (self.key and self.secret):
            raise CourierRefused(_("The courier is not configured."), provider_code="not_configured")
        text = json.dumps(param, ensure_ascii=False, separators=(",", ":"))
        t = str(int(time.time() * 1000))
        answer = post_form(self.order_url, {"method": method, "key": self.key, "t": t, "param": text,
                                            "sign": order_sign(text, t, self.key, self.secret)}, timeout=self.timeout)
        return self.checked(answer, failures=frozenset({"500", "502"}), accept=accept)

    def subscribe(self, *, waybill: str, notify_url: str, phone: str = "") -> None:
        param = {"company": self.company, "number": waybill, "key": self.key, "parameters": {
            "callbackurl": notify_url, "salt": self.salt, "resultv2": "1", "phone": phone}}
        answer = post_form(self.poll_url, {"schema": "json", "param": json.dumps(param, ensure_ascii=False)},
                           timeout=self.timeout)
        self.checked(answer, failures=frozenset({"500", "502"}), accept=frozenset({"501"}))

    # The backend
    def create_pickup(self, request: PickupRequest) -> Booking:
        start, end = request.window_start.astimezone(BEIJING), request.window_end.astimezone(BEIJING)
        param = {
            "kuaidicom": self.company, "sendManName": request.sender.name, "sendManMobile": request.sender.phone,
            "sendManPrintAddr": request.sender.full, "recManName": request.receiver.name,
            "recManMobile": request.receiver.phone, "recManPrintAddr": request.receiver.full,
            "cargo": request.parcel[:30], "weight": str(request.weight_kg), "remark": request.reference,
            "payment": "SHIPPER", "callBackUrl": request.notify_url, "salt": self.salt,
            "dayType": day_type(start, timezone.now()), "pickupStartTime": f"{start:%H:%M}",
            "pickupEndTime": f"{end:%H:%M}",
        }
        data = self.order_call("bOrder", param).get("data")
        data = data if isinstance(data, dict) else {}
        task_id, order_id = str(data.get("taskId") or ""), str(data.get("orderId") or "")
        waybill = str(data.get("kuaidinum") or "")
        provider_order = f"{task_id}:{order_id}"
        if not waybill:
            self.abandon(provider_order)  # no number, nothing to track: let a retry book afresh
            raise CourierError(reason="the order has no waybill")
        try:
            self.subscribe(waybill=waybill, notify_url=request.notify_url, phone=request.receiver.phone)
        except (CourierError, CourierRefused):
            self.abandon(provider_order)
            raise
        return Booking(provider=self.name, reference=request.reference, waybill=waybill,
                       provider_order=provider_order)

    def abandon(self, provider_order: str) -> None:
        try:
            self.cancel(reference="", waybill="", provider_order=provider_order)
        except (CourierError, CourierRefused):
            pass  # best effort: the failure we are reporting is the one that matters

    def cancel(self, *, reference: str, waybill: str, provider_order: str = "") -> None:
        task_id, _sep, order_id = provider_order.partition(":")
        if not (task_id and order_id):
            raise CourierRefused(_("This booking cannot be cancelled from here; cancel it with the courier."),
                                 provider_code="no_provider_order")
        try:
            self.order_call("cancel", {"taskId": task_id, "orderId": order_id, "cancelMsg": "寄修取消"})
        except CourierError as exc:
            if "取消" not in str(exc.detail.get("provider_message", "")):  # a second cancel answers 500 "已取消"
                raise

    def query_route(self, *, waybill: str, reference: str = "", phone: str = "") -> list[RouteEvent]:
        if not waybill:
            return []  # Kuaidi100 knows parcels by number only
        param = json.dumps({"com": self.company, "num": waybill, "phone": phone, "resultv2": "1", "show": "0",
                            "order": "desc"}, ensure_ascii=False)
        answer = post_form(self.query_url, {"customer": self.customer, "param": param,
                                            "sign": query_sign(param, self.key, self.customer)}, timeout=self.timeout)
        if isinstance(answer, dict) and str(answer.get("status") or "") == "200":
            # Oldest first, as SF's; equal times keep Kuaidi100's order (reversed), which is the journey's.
            return sorted(reversed(read_result(answer)), key=lambda e: e.at)
        if isinstance(answer, dict) and str(answer.get("returnCode") or "") == NO_RESULT:
            return []
        self.checked(answer, failures=frozenset({"501", "502"}))
        return []

    def parse_push(self, *, headers: dict[str, str], body: bytes) -> list[RouteEvent]:
        try:
            form = dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError) as exc:
            raise CallbackRefused() from exc
        param, sign = form.get("param", ""), form.get("sign", "")
        if not (param and self.salt and hmac.compare_digest(push_sign(param, self.salt).encode(),
                                                              sign.upper().encode("utf-8", "replace"))):
            raise CallbackRefused()
        try:
            message = json.loads(param)
        except ValueError as exc:
            raise CallbackRefused(_("The push is not in the courier's format.")) from exc
        result = message.get("lastResult") if isinstance(message, dict) else None
        if not isinstance(result, dict):
            return []  # the order callback, or a subscription that ended (abort): nothing on the route
        return read_result(result)

    def push_reply(self, *, ok: bool) -> tuple[int, str, bytes]:
        body = OK_REPLY if ok else {"result": False, "returnCode": "500", "message": "失败"}
        return (200 if ok else 500), "application/json;charset=utf-8", json.dumps(body, ensure_ascii=False).encode()
