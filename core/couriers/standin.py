"""Loopback stand-ins for the couriers (core/couriers), on core/standin.py, sharing one parcel-journey simulator.

``SfExpressStandIn`` is SF's ``/std/service``: it checks a call as SF does (the parameters A1001, the partner
A1004, the timestamp A1002, the digest A1006, a requestID used once A1007), then the service: a booking (contacts
1010-1016, a taken orderId 8016, a cancelled one 8037, an address in ``out_of_area``: filterResult 3 and no
waybill), the order's search, a cancel (unknown 8024, again 8037, once collected 8252), the routes. It pushes
routes to ``push_url`` (set in SF's console), signed with the check word (core/couriers/sf_express.py).

``Kuaidi100StandIn`` is Kuaidi100's ``/order/borderapi.do`` (bOrder, cancel), ``/poll`` (subscribe) and
``/poll/query.do``, checked as Kuaidi100 does (the key 600, the sign 503, the parameters 400); it pushes the whole
route to the subscription's callbackurl, signed with the subscription's salt (the stand-in's own ``salt`` when it
gave none). Codes the providers do not publish (SF's 8252, out-of-area refusals) are the stand-in's choice.

The journey: a parcel booked is collected within its pickup window, leaves the outlet an hour later, reaches the
hub 2.5 h after collection, is out for delivery at 4.5 h and delivered at 6 h (another province: a day), all
from ``clock()`` at booking and shrunk by ``pace`` (1/60 for a demo: an hour takes a minute). ``run_due()`` sends
every event whose time has come (``auto(interval_s)`` calls it from a thread until ``stop()``);
``advance(waybill, stage)`` sends the next events up to that stage now (``Stage.EXCEPTION``: a problem en route);
``push_out_of_order(waybill, stage)`` sends the next stage's event first, then this one's; ``duplicate_pushes``
sends every push twice; ``down`` answers every API call with an outage (``down_with`` "http": HTTP 503, "busy": the
provider's own). ``pushed`` keeps (waybill, stage, our server's status) per event sent, ``route(waybill)`` what the
query API answers, ``cancelled`` the waybills cancelled, ``log`` every request; ``notification(waybill)`` builds
the next event's push without sending it, for tests that tamper with one. A push our server fails is not sent
again (SF would retry thrice): ``pushed`` shows its status and the route query still answers the event.

    with SfExpressStandIn(partner_id="P", check_word="c", push_url=receiver.url) as sf:
        SfExpressBackend({"URL": sf.url, ...}).create_pickup(request)
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode

from django.utils import timezone

from core.couriers import BEIJING, STAGE_RANK, Address, Stage, beijing_time
from core.couriers import kuaidi100 as kd100
from core.couriers import sf_express as sf
from core.standin import HttpStandIn, Request

logger = logging.getLogger("aftersales.couriers")
HOURS = {"departed": 1.0, "arrived": 2.5, "out": 4.5, "delivered": 6.0}  # after collection, same province
HOURS_AFAR = {"departed": 1.0, "arrived": 14.0, "out": 22.0, "delivered": 24.0}
STEPS = (("departed", Stage.IN_TRANSIT), ("arrived", Stage.IN_TRANSIT), ("out", Stage.OUT_FOR_DELIVERY),
         ("delivered", Stage.DELIVERED))
TIME = "%Y-%m-%d %H:%M:%S"
ADDRESS = re.compile(r"^(?P<province>.+?(?:省|自治区|特别行政区|市))?(?P<city>.+?(?:市|自治州|地区|盟))?"
                     r"(?P<district>.+?(?:区|县|市|旗))?(?P<street>.*)$")
_waybills = threading.Lock()
_last_waybill = [0]


def new_waybill() -> str:
    """SF's form, "SF" and 13 digits; unique in the process and, as they follow the clock, across restarts."""
    with _waybills:
        _last_waybill[0] = max(int(time.time() * 1000), _last_waybill[0] + 1)
        return f"SF{_last_waybill[0] % 10**13:013d}"


def split_address(name: str, phone: str, printed: str) -> Address:
    """A printed address (广东省广州市天河区体育西路1号) split well enough to name places."""
    parts = ADDRESS.match(printed.strip())
    get = (lambda k: parts.group(k) or "") if parts else (lambda k: "")
    return Address(name=name, phone=phone, province=get("province"), city=get("city") or get("province"),
                   district=get("district"), street=get("street"))


@dataclass
class Hop:
    step: str  # collected, departed, arrived, out, delivered, exception
    stage: str
    at: dt.datetime
    place: str
    text: str
    id: str = ""  # set once sent


@dataclass
class Parcel:
    waybill: str
    reference: str
    sender: Address
    receiver: Address
    plan: list[Hop]  # still to come, in order
    sent: list[Hop] = field(default_factory=list)  # what the provider knows, in order
    push_url: str = ""
    salt: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def send(url: str, headers: dict[str, str], body: bytes) -> int:
    """POST a push; our server's status (0: it did not answer)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST", headers=headers),
                                    timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


class QuickServer(ThreadingHTTPServer):
    """Notices a stop within 50 ms rather than the stdlib's 500: tests start and stop many stand-ins."""

    def serve_forever(self, poll_interval: float = 0.05) -> None:
        super().serve_forever(poll_interval)


class CourierStandIn(HttpStandIn):
    """The journeys; a provider's subclass answers its API and writes its pushes (``push_request``)."""

    server_class = QuickServer

    def __init__(self, *, clock: Callable[[], dt.datetime] | None = None, pace: float = 1.0) -> None:
        super().__init__()
        self.clock = clock or timezone.now
        self.pace = pace
        self.parcels: dict[str, Parcel] = {}  # waybill -> parcel
        self.cancelled: set[str] = set()
        self.pushed: list[tuple[str, str, int]] = []
        self.duplicate_pushes = False
        self.down = False
        self.down_with = "http"
        self.out_of_area: set[str] = set()  # provinces or cities the courier does not serve
        self._ids = itertools.count(int(time.time()) * 1000)
        self._halt = threading.Event()
        self._ticker: threading.Thread | None = None

    # Booking
    def book(self, *, reference: str, sender: Address, receiver: Address, start: dt.datetime,
             end: dt.datetime) -> Parcel:
        now = self.clock()
        target = start + (end - start) * 0.4
        until_collection = target - now if target > now else dt.timedelta(minutes=30)
        collected = now + until_collection * self.pace
        hours = HOURS if sender.province == receiver.province else HOURS_AFAR
        hub = f"{(receiver if hours is HOURS_AFAR else sender).city}转运中心"
        here, there = sender.city + sender.district, receiver.city + receiver.district
        texts = {"departed": f"快件在【{here}营业点】完成分拣，准备发往【{hub}】", "arrived": f"快件到达【{hub}】",
                 "out": "快件交给王师傅，正在派送途中（联系电话：13800138000）",
                 "delivered": "您的快件已签收，如有疑问请电联快递员【王师傅，电话：13800138000】，感谢您使用顺丰。"}
        places = {"departed": here, "arrived": hub.removesuffix("转运中心"), "out": there, "delivered": there}
        plan = [Hop("collected", Stage.COLLECTED, collected, here, "顺丰速运 已收取快件")] + [
            Hop(step, stage, collected + dt.timedelta(hours=hours[step]) * self.pace, places[step], texts[step])
            for step, stage in STEPS]
        waybill = new_waybill()
        parcel = self.parcels[waybill] = Parcel(waybill, reference, sender, receiver, plan)
        return parcel

    def serves(self, *addresses: Address) -> bool:
        return not any({a.province, a.city} & self.out_of_area for a in addresses)

    def _record(self, parcel: Parcel, hop: Hop) -> Hop:
        hop = replace(hop, id=str(next(self._ids)))
        parcel.sent.append(hop)
        return hop

    def _live(self, waybill: str) -> Parcel:
        parcel = self.parcels[waybill]
        if waybill in self.cancelled:
            raise ValueError(f"{waybill} was cancelled")
        return parcel

    # Pushing
    def push_request(self, parcel: Parcel, hops: list[Hop]) -> tuple[str, dict[str, str], bytes]:
        raise NotImplementedError

    def _deliver(self, parcel: Parcel, hops: list[Hop], request: tuple[str, dict[str, str], bytes]) -> int:
        url, headers, body = request
        status = 0
        for _ in range(2 if self.duplicate_pushes else 1):
            status = send(url, headers, body) if url else 0
            with self.lock:
                self.pushed.extend((parcel.waybill, hop.stage, status) for hop in hops)
        return status

    def _release(self, parcel: Parcel, count: int, at: dt.datetime) -> list[Hop]:
        """The next ``count`` hops, sent at ``at``: none dated later than that."""
        hops, parcel.plan[:count] = parcel.plan[:count], []
        return [self._record(parcel, replace(h, at=min(h.at, at))) for h in hops]

    def advance(self, waybill: str, stage: str, *, place: str = "", at: dt.datetime | None = None) -> int:
        """Send the next events up to ``stage`` now (or at ``at``); our server's status."""
        with self.lock:
            parcel, now = self._live(waybill), at or self.clock()
            if stage == Stage.EXCEPTION:
                hops = [self._record(parcel, Hop("exception", Stage.EXCEPTION, now, place or parcel.receiver.city,
                                                 "快件派送不成功（收方要求改派送地址），待再次派送"))]
            else:
                index = next((i for i, h in enumerate(parcel.plan) if h.stage == stage), None)
                if index is None:
                    raise ValueError(f"{waybill} has no {stage} still to come")
                delay = now - parcel.plan[index].at
                hops = self._release(parcel, index + 1, now)
                hops[-1].at, hops[-1].place = now, place or hops[-1].place  # it happens now, even if due later
                if delay > dt.timedelta(0):  # late: what follows comes as much later
                    parcel.plan = [replace(h, at=h.at + delay) for h in parcel.plan]
            request = self.push_request(parcel, hops)
        return self._deliver(parcel, hops, request)

    def push_out_of_order(self, waybill: str, stage: str) -> int:
        """Send the next stage's event, then the (older) ``stage`` events before it; our server's last status."""
        with self.lock:
            parcel = self._live(waybill)
            index = next((i for i, h in enumerate(parcel.plan) if STAGE_RANK[h.stage] > STAGE_RANK[stage]), None)
            if not index or parcel.plan[index - 1].stage != stage:
                raise ValueError(f"{waybill} has no {stage} still to come before a later stage")
            hops = self._release(parcel, index + 1, self.clock())
            newer, older = hops[-1:], hops[:-1]
            first, second = self.push_request(parcel, newer), self.push_request(parcel, older)
        self._deliver(parcel, newer, first)
        return self._deliver(parcel, older, second)

    def notification(self, waybill: str) -> tuple[dict[str, str], bytes]:
        """The next event's push (headers, body), the event taken as sent but the push not sent: for tests that
        tamper with one."""
        with self.lock:
            parcel = self._live(waybill)
            _url, headers, body = self.push_request(parcel, self._release(parcel, 1, self.clock()))
        return headers, body

    def run_due(self) -> int:
        """Send every event whose time has come by ``clock()``; how many."""
        batches = []
        with self.lock:
            now = self.clock()
            for parcel in self.parcels.values():
                due = sum(1 for h in parcel.plan if h.at <= now)  # the plan is in order: a prefix
                if due and parcel.waybill not in self.cancelled:
                    hops = self._release(parcel, due, now)
                    batches.append((parcel, hops, self.push_request(parcel, hops)))
        for parcel, hops, request in batches:
            self._deliver(parcel, hops, request)
        return sum(len(hops) for _, hops, _ in batches)

    def auto(self, interval_s: float) -> Self:
        """Call ``run_due`` every ``interval_s`` seconds from a daemon thread, until ``stop()``."""
        def tick() -> None:
            while not self._halt.wait(interval_s):
                try:
                    self.run_due()
                except Exception:  # a thread's error is lost unless told: keep the journeys going
                    logger.exception("courier stand-in: run_due failed")

        self._halt.clear()
        self._ticker = threading.Thread(target=tick, daemon=True, name=f"{type(self).__name__}-auto")
        self._ticker.start()
        return self

    def stop(self) -> None:
        self._halt.set()
        if self._ticker is not None and self._ticker is not threading.current_thread():
            self._ticker.join(timeout=5)
        self._ticker = None
        super().stop()

    def route(self, waybill: str) -> list[Hop]:
        """The events sent so far, oldest first: what the query API answers."""
        with self.lock:
            return list(self.parcels[waybill].sent) if waybill in self.parcels else []

    def outage(self) -> tuple[int, Any] | None:
        if not self.down:
            return None
        return self.busy() if self.down_with == "busy" else (503, b"Service Unavailable")

    def busy(self) -> tuple[int, Any]:
        raise NotImplementedError


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
