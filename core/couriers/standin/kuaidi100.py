"""Kuaidi100's order, subscribe and query APIs on loopback (core/couriers/standin/__init__.py)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from core.couriers import BEIJING, Stage
from core.couriers import kuaidi100 as kd100
from core.couriers.standin.journeys import (
    TIME,
    CourierStandIn,
    Hop,
    Parcel,
    split_address,
)
from core.standin import Request

# Kuaidi100
KD100_STATES = {"collected": "1", "departed": "0", "arrived": "0", "out": "5", "delivered": "3", "exception": "2"}
KD100_ORDER_FIELDS = ("kuaidicom", "recManName", "recManMobile", "recManPrintAddr", "sendManName", "sendManMobile",
                      "sendManPrintAddr", "callBackUrl")


def kd100_no(code: str, message: str) -> dict[str, Any]:
    return {"result": False, "returnCode": code, "message": message}


class Kuaidi100StandIn(CourierStandIn):
    def __init__(self, key: str, secret: str, customer: str, salt: str = "", *, company: str = "shunfeng",
                 clock: Callable[[], dt.datetime] | None = None, pace: float = 1.0) -> None:
        super().__init__(clock=clock, pace=pace)
        self.key, self.secret, self.customer, self.salt, self.company = key, secret, customer, salt, company
        self.tasks: dict[str, Parcel] = {}  # taskId -> parcel
        self.subscriptions: dict[str, dict[str, str]] = {}  # number -> callbackurl, salt, phone
        self._order_ids = itertools.count(20066771)

    @property
    def order_url(self) -> str:
        return f"{self.url}/order/borderapi.do"

    @property
    def poll_url(self) -> str:
        return f"{self.url}/poll"

    @property
    def query_url(self) -> str:
        return f"{self.url}/poll/query.do"

    def busy(self) -> tuple[int, Any]:
        return 200, kd100_no("502", "服务器繁忙")

    def answer(self, request: Request) -> tuple[int, Any]:
        if (outage := self.outage()) is not None:
            return outage
        form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        handler = {"/order/borderapi.do": self._order, "/poll": self._subscribe, "/poll/query.do": self._query}.get(
            request.path)
        return (200, handler(form)) if handler else (404, kd100_no("404", "接口不存在"))

    def _order(self, form: dict[str, str]) -> dict[str, Any]:
        if form.get("key") != self.key:
            return kd100_no("600", "您不是合法的用户（即授权Key出错）")
        param = form.get("param", "")
        if form.get("sign") != kd100.order_sign(param, form.get("t", ""), self.key, self.secret):
            return kd100_no("503", "验证签名失败")
        try:
            p = json.loads(param)
        except ValueError:
            p = None
        if not isinstance(p, dict) or form.get("method") not in ("bOrder", "cancel"):
            return kd100_no("400", "参数错误")
        return self._border(p) if form["method"] == "bOrder" else self._cancel(p)

    def _border(self, p: dict[str, Any]) -> dict[str, Any]:
        days = {word: n for n, word in kd100.DAY_TYPES.items()}.get(p.get("dayType") or "今天")
        try:
            opens, closes = (dt.datetime.strptime(str(p.get(k)), "%H:%M").time()
                             for k in ("pickupStartTime", "pickupEndTime"))
        except ValueError:
            return kd100_no("400", "参数错误：顺丰须填预约时间")
        if days is None or any(not p.get(name) for name in KD100_ORDER_FIELDS):
            return kd100_no("400", "参数错误")
        sender = split_address(p["sendManName"], p["sendManMobile"], p["sendManPrintAddr"])
        receiver = split_address(p["recManName"], p["recManMobile"], p["recManPrintAddr"])
        if not self.serves(sender, receiver):
            return kd100_no("400", "地址超出快递公司服务范围")
        day = self.clock().astimezone(BEIJING).date() + dt.timedelta(days=days)
        start, end = (dt.datetime.combine(day, t, BEIJING) for t in (opens, closes))
        parcel = self.book(reference=str(p.get("remark") or ""), sender=sender, receiver=receiver, start=start,
                           end=end if end > start else end + dt.timedelta(days=1))
        task_id, order_id = uuid.uuid4().hex.upper(), str(next(self._order_ids))
        parcel.extra.update(task_id=task_id, order_id=order_id, callback=p["callBackUrl"])
        self.tasks[task_id] = parcel
        return {"result": True, "returnCode": "200", "message": "提交成功",
                "data": {"taskId": task_id, "orderId": order_id, "kuaidinum": parcel.waybill}}

    def _cancel(self, p: dict[str, Any]) -> dict[str, Any]:
        parcel = self.tasks.get(str(p.get("taskId") or ""))
        if parcel is None or parcel.extra["order_id"] != str(p.get("orderId") or "") or not p.get("cancelMsg"):
            return kd100_no("400", "参数错误：订单不存在")
        if parcel.waybill in self.cancelled:
            return kd100_no("500", "订单已取消，请勿重复取消")
        if parcel.sent:
            return kd100_no("400", "订单已揽收，无法取消")
        self.cancelled.add(parcel.waybill)
        parcel.plan = []
        return {"result": True, "returnCode": "200", "message": "取消成功", "data": {}}

    def _subscribe(self, form: dict[str, str]) -> dict[str, Any]:
        try:
            p = json.loads(form.get("param") or "")
        except ValueError:
            p = None
        if not isinstance(p, dict) or form.get("schema") != "json":
            return kd100_no("700", "订阅方的订阅数据存在错误")
        if p.get("key") != self.key:
            return kd100_no("600", "您不是合法的订阅者（即授权Key出错）")
        number, params = str(p.get("number") or ""), p.get("parameters") or {}
        url = str(params.get("callbackurl") or "")
        if not (number and p.get("company") and url.startswith(("http://", "https://"))):
            return kd100_no("700", "订阅方的订阅数据存在错误（如不支持的快递公司、单号为空、错误的回调地址）")
        if number in self.subscriptions:
            return kd100_no("501", "重复订阅")
        salt = str(params.get("salt") or "") or self.salt
        self.subscriptions[number] = {"callbackurl": url, "salt": salt, "phone": str(params.get("phone") or "")}
        if number in self.parcels:
            self.parcels[number].push_url, self.parcels[number].salt = url, salt
        return {"result": True, "returnCode": "200", "message": "提交成功"}

    def _query(self, form: dict[str, str]) -> dict[str, Any]:
        param = form.get("param", "")
        if form.get("customer") != self.customer or form.get("sign") != kd100.query_sign(param, self.key,
                                                                                          self.customer):
            return kd100_no("503", "验证签名失败")
        try:
            p = json.loads(param)
        except ValueError:
            p = None
        if not isinstance(p, dict) or not p.get("num") or not p.get("com"):
            return kd100_no("400", "提交的数据不完整")
        parcel = self.parcels.get(str(p["num"]))
        phone = str(p.get("phone") or "")[-4:]
        if parcel and p["com"] == "shunfeng" and phone not in (parcel.sender.phone[-4:], parcel.receiver.phone[-4:]):
            return kd100_no("408", "电话号码校验不通过")  # SF shows its route only to someone who knows a phone
        if parcel is None or not parcel.sent:
            return kd100_no(kd100.NO_RESULT, "查询无结果，请隔段时间再查")
        return self._result(parcel, parcel.sent)

    def _result(self, parcel: Parcel, sent: list[Hop]) -> dict[str, Any]:
        delivered = any(h.stage == Stage.DELIVERED for h in sent)
        return {"message": "ok", "nu": parcel.waybill, "ischeck": "1" if delivered else "0", "condition": "F00",
                "com": self.company, "status": "200", "state": KD100_STATES[sent[-1].step],
                "data": [{"time": h.at.astimezone(BEIJING).strftime(TIME), "ftime": h.at.astimezone(BEIJING)
                          .strftime(TIME), "context": h.text, "areaName": h.place,
                          "status": kd100.STATES[KD100_STATES[h.step]][0]} for h in reversed(sent)]}

    def push_request(self, parcel: Parcel, hops: list[Hop]) -> tuple[str, dict[str, str], bytes]:
        # A push carries the route up to its newest event: a late push carries a shorter one.
        last = next(i for i, h in enumerate(parcel.sent) if h is hops[-1])
        result = self._result(parcel, parcel.sent[: last + 1])
        param = json.dumps({"status": "shutdown" if result["ischeck"] == "1" else "polling", "message": "",
                            "lastResult": result}, ensure_ascii=False)
        fields = {"param": param, **({"sign": kd100.push_sign(param, parcel.salt)} if parcel.salt else {})}
        return parcel.push_url, {"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"}, urlencode(
            fields).encode()
