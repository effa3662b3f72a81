"""SF Express's /std/service on loopback (core/couriers/standin/__init__.py)."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from core.couriers import BEIJING, Address, beijing_time
from core.couriers import sf_express as sf
from core.couriers.standin.journeys import (
    TIME,
    CourierStandIn,
    Hop,
    Parcel,
)
from core.standin import Request

# SF Express
SF_CODES = {"collected": "50", "departed": "30", "arrived": "31", "out": "44", "delivered": "80", "exception": "70"}
SF_REQUIRED = ("partnerID", "requestID", "serviceCode", "timestamp", "msgData", "msgDigest")
SF_CONTACTS = {1: (("address", "1010", "寄件地址不能为空"), ("contact", "1011", "寄件联系人不能为空"),
                   ("mobile", "1012", "寄件电话不能为空")),
               2: (("address", "1014", "到件地址不能为空"), ("contact", "1015", "到件联系人不能为空"),
                   ("mobile", "1016", "到件电话不能为空"))}


def sf_ok(msg_data: dict[str, Any]) -> dict[str, Any]:
    return {"success": True, "errorCode": "S0000", "errorMsg": None, "msgData": msg_data}


def sf_no(code: str, message: str) -> dict[str, Any]:
    return {"success": False, "errorCode": code, "errorMsg": message, "msgData": None}


class SfExpressStandIn(CourierStandIn):
    def __init__(self, partner_id: str, check_word: str, push_url: str = "", *,
                 clock: Callable[[], dt.datetime] | None = None, pace: float = 1.0) -> None:
        super().__init__(clock=clock, pace=pace)
        self.partner_id, self.check_word, self.push_url = partner_id, check_word, push_url
        self.orders: dict[str, Parcel] = {}  # orderId (our reference) -> parcel
        self._request_ids: set[str] = set()

    @staticmethod
    def platform(code: str, message: str = "", data: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"apiResultCode": code, "apiErrorMsg": message, "apiResponseID": uuid.uuid4().hex.upper(),
                "apiResultData": json.dumps(data, ensure_ascii=False) if data is not None else None}

    def busy(self) -> tuple[int, Any]:
        return 200, self.platform("A1009", "目标服务异常或不可达")

    def answer(self, request: Request) -> tuple[int, Any]:
        if (outage := self.outage()) is not None:
            return outage
        form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        if any(not form.get(name) for name in SF_REQUIRED):
            return 200, self.platform("A1001", "必传参数不可为空")
        if form["partnerID"] != self.partner_id:
            return 200, self.platform("A1004", "无对应服务权限")
        stamp = int(form["timestamp"]) / 1000 if form["timestamp"].isdigit() else 0
        if abs(time.time() - stamp) > 600:
            return 200, self.platform("A1002", "请求时效已过期")
        if form["msgDigest"] != sf.msg_digest(form["msgData"], form["timestamp"], self.check_word):
            return 200, self.platform("A1006", "数字签名无效")
        if form["requestID"] in self._request_ids:
            return 200, self.platform("A1007", "重复请求")
        self._request_ids.add(form["requestID"])
        service = {"EXP_RECE_CREATE_ORDER": self._create, "EXP_RECE_SEARCH_ORDER_RESP": self._search,
                   "EXP_RECE_UPDATE_ORDER": self._update, "EXP_RECE_SEARCH_ROUTES": self._routes}.get(
                       form["serviceCode"])
        try:
            msg = json.loads(form["msgData"])
        except ValueError:
            msg = None
        if service is None or not isinstance(msg, dict):
            return 200, self.platform("A1004" if service is None else "A1001", "无对应服务权限或报文错误")
        return 200, self.platform(sf.SUCCESS, data=service(msg))

    def _order(self, parcel: Parcel) -> dict[str, Any]:
        return {"orderId": parcel.reference, "originCode": "020", "destCode": "755", "filterResult": 2,
                "remark": "", "waybillNoInfoList": [{"waybillType": 1, "waybillNo": parcel.waybill}]}

    def _create(self, msg: dict[str, Any]) -> dict[str, Any]:
        order_id = str(msg.get("orderId") or "")
        if not 0 < len(order_id) <= 64:
            return sf_no("8013", "未传入订单号或订单号过长")
        contacts = {c.get("contactType"): c for c in msg.get("contactInfoList") or [] if isinstance(c, dict)}
        for kind, fields in SF_CONTACTS.items():
            for name, code, message in fields:
                if not (contacts.get(kind) or {}).get(name):
                    return sf_no(code, message)
        if order_id in self.orders:
            taken = self.orders[order_id]
            return sf_no("8037", "已消单") if taken.waybill in self.cancelled else sf_no("8016", "重复下单")
        sender, receiver = (Address(c["contact"], c["mobile"], str(c.get("province") or ""), str(c.get("city") or ""),
                                    str(c.get("county") or ""), c["address"]) for c in (contacts[1], contacts[2]))
        if not self.serves(sender, receiver):
            return sf_ok({"orderId": order_id, "filterResult": 3, "remark": "收派超范围", "waybillNoInfoList": []})
        try:
            start, end = beijing_time(msg.get("sendStartTm") or ""), beijing_time(msg.get("pickupAppointEndtime") or "")
        except ValueError:
            start = self.clock()
            end = start + dt.timedelta(hours=2)
        parcel = self.orders[order_id] = self.book(reference=order_id, sender=sender, receiver=receiver,
                                                   start=start, end=end)
        return sf_ok(self._order(parcel))

    def _search(self, msg: dict[str, Any]) -> dict[str, Any]:
        parcel = self.orders.get(str(msg.get("orderId") or ""))
        return sf_ok(self._order(parcel)) if parcel else sf_no("8024", "未下单")

    def _update(self, msg: dict[str, Any]) -> dict[str, Any]:
        parcel = self.orders.get(str(msg.get("orderId") or ""))
        if parcel is None:
            return sf_no("8024", "未下单")
        if parcel.waybill in self.cancelled:
            return sf_no("8037", "已消单")
        if str(msg.get("dealType")) == "2":
            if parcel.sent:
                return sf_no("8252", "订单已揽收，不能取消")
            self.cancelled.add(parcel.waybill)
            parcel.plan = []
        return sf_ok({**self._order(parcel), "resStatus": 2 if str(msg.get("dealType")) == "2" else 1})

    def _route(self, hop: Hop) -> dict[str, str]:
        return {"acceptTime": hop.at.astimezone(BEIJING).strftime(TIME), "acceptAddress": hop.place,
                "remark": hop.text, "opCode": SF_CODES[hop.step]}

    def _routes(self, msg: dict[str, Any]) -> dict[str, Any]:
        numbers = msg.get("trackingNumber") or []
        numbers = numbers.split(",") if isinstance(numbers, str) else numbers
        by_order, phone = str(msg.get("trackingType") or "1") == "2", str(msg.get("checkPhoneNo") or "")
        resps = []
        for number in numbers:
            parcel = (self.orders if by_order else self.parcels).get(str(number))
            if parcel is None:
                resps.append({"mailNo": "" if by_order else number, "routes": []})
                continue
            # A stranger to the waybill (a wrong phone) sees no route, as on SF.
            shown = by_order or not phone or phone in (parcel.sender.phone[-4:], parcel.receiver.phone[-4:])
            resps.append({"mailNo": parcel.waybill, "routes": [self._route(h) for h in parcel.sent] if shown else []})
        return sf_ok({"routeResps": resps})

    def push_request(self, parcel: Parcel, hops: list[Hop]) -> tuple[str, dict[str, str], bytes]:
        routes = [{"id": h.id, "mailno": parcel.waybill, "orderid": parcel.reference, **self._route(h)} for h in hops]
        body = json.dumps({"Body": {"WaybillRoute": routes}}, ensure_ascii=False).encode()
        return self.push_url, {"Content-Type": "application/json;charset=UTF-8",
                               **sf.push_headers(body, self.check_word)}, body
