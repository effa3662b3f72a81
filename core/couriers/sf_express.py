"""SF Express's open platform (顺丰丰桥 / 顺丰开放平台), the express API: book a pickup, cancel it, its route.

Every call is one form POST to ``URL`` (production ``https://sfapi.sf-express.com/std/service``, sandbox
``https://sfapi-sbox.sf-express.com/std/service``) with ``partnerID`` (顾客编码), ``requestID`` (a UUID, used once),
``serviceCode``, ``timestamp`` (milliseconds), ``msgData`` (the service's JSON) and ``msgDigest`` =
Base64(MD5(urlencode(msgData + timestamp + checkWord))). SF's servers are Java, so urlencode is Java's URLEncoder
(space ``+``, ``*`` kept, ``~`` encoded); SF's Python sample uses ``quote_plus``, which differs on those two only.

The platform answers ``{"apiResultCode": "A1000", "apiErrorMsg": "", "apiResponseID": "…", "apiResultData": "<JSON
text>"}``. Another apiResultCode is the platform refusing the call (A1001 a parameter missing, A1002 the timestamp
expired, A1003 the IP, A1004 no permission for the service, A1006 the digest is wrong, A1007 a repeated requestID):
CourierRefused, as sending it again will not help (a wrong check word is a configuration to fix); or failing it
(A1005 flow control, A1009 the service behind it unreachable, A1099 a system error): CourierError. apiResultData is
the service's answer: ``{"success": true, "errorCode": "S0000", "errorMsg": null, "msgData": {…}}``, or success
false with its errorCode, a refusal.

- ``EXP_RECE_CREATE_ORDER`` {language, orderId (our reference, String(64)), monthlyCard, payMethod 1 (the sender
  pays: our monthly account), expressTypeId 1 (顺丰标快), parcelQty, totalWeight, isDocall 1 (collect at the door),
  sendStartTm and pickupAppointEndtime (the window, Beijing "yyyy-MM-dd HH:mm:ss"), cargoDetails [{name, count,
  unit, weight}], contactInfoList [{contactType 1 sender / 2 receiver, contact, mobile, province, city, county,
  address}]} -> msgData {orderId, filterResult (1 to be confirmed by hand, 2 servable, 3 not servable), remark,
  waybillNoInfoList [{waybillType 1 (the main waybill), waybillNo}]}. filterResult 3 is CourierRefused.
  errorCode 8016 (重复下单) says the orderId is taken: a retry after an answer we lost. We then ask for the order
  (``EXP_RECE_SEARCH_ORDER_RESP`` {orderId}, the same msgData) and answer its waybill: booking is idempotent per
  reference. A cancelled orderId is not booked again (8037): a new attempt needs a new reference.
- ``EXP_RECE_UPDATE_ORDER`` {orderId, dealType 2} cancels (dealType 1 confirms). 8037 (已消单, cancelled before)
  is what we wanted; once collected SF refuses.
- ``EXP_RECE_SEARCH_ROUTES`` {language, trackingType 1 (waybills, with checkPhoneNo: the last four digits of the
  sender's or receiver's phone) or 2 (our orderIds), trackingNumber [...], methodType 1} -> msgData {routeResps
  [{mailNo, routes [{acceptTime, acceptAddress, remark, opCode}]}]}.

The route push (路由推送) goes to the URL set in SF's console: POST ``application/json``
``{"Body": {"WaybillRoute": [{"id", "mailno", "orderid", "acceptTime", "acceptAddress", "remark", "opCode"}]}}``,
answered ``{"return_code": "0000", "return_msg": "成功"}``; any other answer and SF pushes it again (3 times at
most). SF advises verifying pushes but documents no scheme for them; ours is the digest SF signs its own API with,
carried in two headers: ``timestamp`` (milliseconds) and ``msgDigest`` over the body's text + timestamp + check
word. A push more than 5 minutes off our clock (a replay) or with another digest is CallbackRefused.

An event's ``event_id`` is derived from (waybill, acceptTime, opCode): the route query answers no ``id``, and a
queried event must be recognised as the one pushed before.

opCodes (SF's table has hundreds; these matter here): 50/54/43 collected; 44/204 out for delivery; 80/8000
delivered; 70 (派送失败), 33 (滞留), 77 (拒收), 99 (退回), 648 (退回件) an exception. Any other code is a movement
between sites (30 sorted, 31 arrived, 36 left, 3036, 105/106 flights...), so in transit: an unknown code can move a
parcel no further than "in transit", and never back.

Settings: ``SF_EXPRESS`` = {URL, PARTNER_ID, CHECK_WORD, MONTHLY_CARD, TIMEOUT}.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.parse
import uuid
from typing import Any

from django.conf import settings
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

PRODUCTION_URL = "https://sfapi.sf-express.com/std/service"
SUCCESS = "A1000"
PLATFORM_BUSY = frozenset({"A1005", "A1009", "A1099"})
DUPLICATE_ORDER = "8016"
ALREADY_CANCELLED = "8037"
NOT_SERVABLE = "3"
CLOCK_SKEW_SECONDS = 300  # as WeChat Pay's callbacks: an older push is a replay
TIME = "%Y-%m-%d %H:%M:%S"
COLLECTED_CODES = frozenset({"50", "54", "43"})
OUT_FOR_DELIVERY_CODES = frozenset({"44", "204"})
DELIVERED_CODES = frozenset({"80", "8000"})
EXCEPTION_CODES = frozenset({"70", "33", "77", "99", "648"})


def java_urlencode(text: str) -> str:
    """Java's URLEncoder.encode(text, "UTF-8"): what SF's servers digest."""
    return urllib.parse.quote_plus(text, safe="*").replace("~", "%7E")


def msg_digest(msg_data: str, timestamp: str, check_word: str) -> str:
    """Base64(MD5(urlencode(msgData + timestamp + checkWord))), SF's request signature (and our push's)."""
    return base64.b64encode(hashlib.md5(java_urlencode(msg_data + timestamp + check_word).encode()).digest()).decode()


def push_headers(body: bytes, check_word: str, *, timestamp: str | None = None) -> dict[str, str]:
    """The headers that sign a route push (the stand-in sends them; ``parse_push`` checks them)."""
    timestamp = timestamp or str(int(time.time() * 1000))
    return {"timestamp": timestamp, "msgDigest": msg_digest(body.decode("utf-8"), timestamp, check_word)}


def stage_of(op_code: str) -> str:
    if op_code in COLLECTED_CODES:
        return Stage.COLLECTED
    if op_code in OUT_FOR_DELIVERY_CODES:
        return Stage.OUT_FOR_DELIVERY
    if op_code in DELIVERED_CODES:
        return Stage.DELIVERED
    if op_code in EXCEPTION_CODES:
        return Stage.EXCEPTION
    return Stage.IN_TRANSIT


def event_id(waybill: str, accept_time: str, op_code: str) -> str:
    return "sf-" + hashlib.sha1(f"{waybill}|{accept_time}|{op_code}".encode()).hexdigest()[:24]


def read_route(route: dict[str, Any], *, waybill: str = "") -> RouteEvent:
    """One route (pushed: ``mailno``; queried: under its ``mailNo``) as a RouteEvent; ValueError if malformed."""
    mail = str(route.get("mailno") or waybill)
    accept, op_code = str(route.get("acceptTime") or ""), str(route.get("opCode") or "")
    if not (mail and op_code):
        raise ValueError(f"a route without its waybill or opCode: {route!r}")
    return RouteEvent(waybill=mail, event_id=event_id(mail, accept, op_code), stage=stage_of(op_code),
                      at=beijing_time(accept), place=str(route.get("acceptAddress") or ""),
                      text=str(route.get("remark") or ""), provider_code=op_code)


def sf_time(at: dt.datetime) -> str:
    return at.astimezone(BEIJING).strftime(TIME)


class SfExpressBackend:
    """``COURIER_BACKENDS["sf"]``, configured by ``settings.SF_EXPRESS``."""

    name = "sf"

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        cfg = config if config is not None else getattr(settings, "SF_EXPRESS", {})
        self.url = str(cfg.get("URL") or PRODUCTION_URL)
        self.partner_id = str(cfg.get("PARTNER_ID") or "")
        self.check_word = str(cfg.get("CHECK_WORD") or "")
        self.monthly_card = str(cfg.get("MONTHLY_CARD") or "")
        self.timeout = float(cfg.get("TIMEOUT") or 10)

    # Calls
    def call(self, service_code: str, msg_data: dict[str, Any]) -> dict[str, Any]:
        """The service's answer (apiResultData, read) once the platform took the call."""
        if not (self.partner_id and self.check_word):
            raise CourierRefused(_("The courier is not configured."), provider_code="not_configured")
        text = json.dumps(msg_data, ensure_ascii=False, separators=(",", ":"))
        timestamp = str(int(time.time() * 1000))
        answer = post_form(self.url, {
            "partnerID": self.partner_id, "requestID": uuid.uuid4().hex, "serviceCode": service_code,
            "timestamp": timestamp, "msgDigest": msg_digest(text, timestamp, self.check_word), "msgData": text,
        }, timeout=self.timeout)
        if not isinstance(answer, dict):
            raise CourierError(reason="the answer is not a JSON object")
        code = str(answer.get("apiResultCode") or "")
        if code != SUCCESS:
            error = CourierError if not code or code in PLATFORM_BUSY else CourierRefused
            raise error(provider_code=code, provider_message=str(answer.get("apiErrorMsg") or ""))
        try:
            data = json.loads(answer.get("apiResultData") or "")
        except (TypeError, ValueError) as exc:
            raise CourierError(reason="apiResultData is not JSON") from exc
        if not isinstance(data, dict):
            raise CourierError(reason="apiResultData is not a JSON object")
        return data

    @staticmethod
    def refusal(data: dict[str, Any]) -> CourierRefused:
        return CourierRefused(provider_code=str(data.get("errorCode") or ""),
                              provider_message=str(data.get("errorMsg") or ""))

    def order_data(self, request: PickupRequest) -> dict[str, Any]:
        def contact(kind: int, who: Any) -> dict[str, Any]:
            return {"contactType": kind, "contact": who.name, "mobile": who.phone, "country": "CN",
                    "province": who.province, "city": who.city, "county": who.district, "address": who.full}

        weight = float(request.weight_kg)  # SF takes a JSON number; grams are plenty of precision
        return {
            "language": "zh-CN", "orderId": request.reference, "monthlyCard": self.monthly_card, "payMethod": 1,
            "expressTypeId": 1, "parcelQty": 1, "totalWeight": weight, "isDocall": 1,
            "sendStartTm": sf_time(request.window_start), "pickupAppointEndtime": sf_time(request.window_end),
            "cargoDetails": [{"name": request.parcel[:60], "count": 1, "unit": "件", "weight": weight}],
            "contactInfoList": [contact(1, request.sender), contact(2, request.receiver)],
        }

    # The backend
    def create_pickup(self, request: PickupRequest) -> Booking:
        data = self.call("EXP_RECE_CREATE_ORDER", self.order_data(request))
        if not data.get("success"):
            if str(data.get("errorCode") or "") != DUPLICATE_ORDER:
                raise self.refusal(data)
            data = self.call("EXP_RECE_SEARCH_ORDER_RESP", {"orderId": request.reference, "language": "zh-CN"})
            if not data.get("success"):
                raise self.refusal(data)
        order = data.get("msgData") if isinstance(data.get("msgData"), dict) else {}
        if str(order.get("filterResult") or "") == NOT_SERVABLE:
            raise CourierRefused(provider_code="filterResult 3", provider_message=str(order.get("remark") or ""))
        waybill = next((str(w["waybillNo"]) for w in order.get("waybillNoInfoList") or []
                        if isinstance(w, dict) and w.get("waybillNo") and str(w.get("waybillType", 1)) == "1"), "")
        if not waybill:
            # Taken but not numbered yet: a retry meets 8016 and reads the number then.
            raise CourierError(reason="the order has no waybill yet")
        return Booking(provider=self.name, reference=request.reference, waybill=waybill)

    def cancel(self, *, reference: str, waybill: str, provider_order: str = "") -> None:
        msg: dict[str, Any] = {"orderId": reference, "dealType": 2, "language": "zh-CN"}
        if waybill:
            msg["waybillNoInfoList"] = [{"waybillType": 1, "waybillNo": waybill}]
        data = self.call("EXP_RECE_UPDATE_ORDER", msg)
        if not data.get("success") and str(data.get("errorCode") or "") != ALREADY_CANCELLED:
            raise self.refusal(data)

    def query_route(self, *, waybill: str, reference: str = "", phone: str = "") -> list[RouteEvent]:
        """Our orders are found by reference; a waybill alone wants a phone (SF's check on strangers)."""
        if reference:
            tracking: dict[str, Any] = {"trackingType": "2", "trackingNumber": [reference]}
        elif waybill:
            tracking = {"trackingType": "1", "trackingNumber": [waybill], "checkPhoneNo": phone[-4:]}
        else:
            raise ValueError("query_route needs a waybill or a reference")
        data = self.call("EXP_RECE_SEARCH_ROUTES", {"language": "0", "methodType": "1", **tracking})
        if not data.get("success"):
            raise self.refusal(data)
        msg = data.get("msgData") if isinstance(data.get("msgData"), dict) else {}
        found = msg.get("routeResps") or []
        events = []
        for resp in found if isinstance(found, list) else []:
            mail = str((resp or {}).get("mailNo") or "")
            if waybill and mail != waybill:
                continue
            for route in resp.get("routes") or []:
                try:
                    events.append(read_route(route, waybill=mail))
                except (ValueError, AttributeError):
                    continue  # one unreadable row must not hide the rest of the journey
        return sorted(events, key=lambda e: e.at)

    def parse_push(self, *, headers: dict[str, str], body: bytes) -> list[RouteEvent]:
        h = {k.lower(): v for k, v in headers.items()}
        timestamp, digest = h.get("timestamp", ""), h.get("msgdigest", "")
        try:
            stamp = int(timestamp)
            text = body.decode("utf-8")
        except (ValueError, UnicodeDecodeError) as exc:
            raise CallbackRefused() from exc
        seconds = stamp / 1000 if stamp > 10**11 else stamp  # milliseconds, as SF's own; seconds tolerated
        if abs(time.time() - seconds) > CLOCK_SKEW_SECONDS:
            raise CallbackRefused(_("The push is too old, or dated in the future."))
        expected = msg_digest(text, timestamp, self.check_word).encode()
        if not (self.check_word and hmac.compare_digest(expected, digest.encode("utf-8", "replace"))):
            raise CallbackRefused()
        try:
            routes = json.loads(text)["Body"]["WaybillRoute"]
            return [read_route(route) for route in routes]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CallbackRefused(_("The push is not in the courier's format.")) from exc

    def push_reply(self, *, ok: bool) -> tuple[int, str, bytes]:
        # Anything but 0000 has SF push again; a 5xx makes sure of it.
        body = {"return_code": "0000", "return_msg": "成功"} if ok else {"return_code": "1000", "return_msg": "失败"}
        return (200 if ok else 500), "application/json;charset=utf-8", json.dumps(body, ensure_ascii=False).encode()
