"""The parcel journeys every courier stand-in shares (core/couriers/standin/__init__.py says how they run)."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import ThreadingHTTPServer
from typing import Any, Self

from django.utils import timezone

from core.couriers import STAGE_RANK, Address, Stage
from core.standin import HttpStandIn

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
