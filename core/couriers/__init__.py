"""Couriers for mail-in repair behind a pluggable backend (STYLE.md "Providers behind backends").

A courier collects a broken unit from the customer (``create_pickup``), carries it, and tells us where it is:
by pushing route events to our callback (``parse_push`` reads and verifies one, ``push_reply`` is the answer the
provider expects) and by answering a route query (``query_route``, which recovers a push that never came).
Everything here is plain data: the domain keeps its own rows.

``settings.COURIER_BACKENDS`` maps a name to a class; ``backend(name)`` builds one (``settings.COURIER_BACKEND``
when no name is given). ``ManualBackend`` has no provider: staff book the courier by phone and type the waybill
in. ``core.couriers.sf_express.SfExpressBackend`` is SF Express's open platform (顺丰丰桥) and
``core.couriers.kuaidi100.Kuaidi100Backend`` books and tracks through Kuaidi100 (快递100).

Each provider's route codes are normalised to a ``Stage``; ``STAGE_RANK`` orders them, so a late or repeated
event never moves a parcel back (an ``exception`` ranks 0: it is news, not progress). Events come with a stable
``event_id``: the same event pushed twice, or queried after it was pushed, has the same id, and the caller drops
what it already has.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.payments import CallbackRefused

__all__ = [
    "BEIJING", "STAGE_RANK", "Address", "Booking", "CallbackRefused", "CourierBackend", "CourierError",
    "CourierRefused", "ManualBackend", "PickupRequest", "RouteEvent", "Stage", "backend", "beijing_time", "post_form",
]

BEIJING = ZoneInfo("Asia/Shanghai")  # couriers write wall times in Beijing time, without a zone
MAX_ANSWER_BYTES = 200_000
MAX_REFERENCE = 64  # SF's orderId is String(64): the tightest of the providers


class Stage:
    """Where a parcel is, in order; plain strings so they store and serialise as they are."""

    COLLECTED = "collected"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"  # a problem en route (refused, address wrong...): does not move a parcel forward

    ALL = (COLLECTED, IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED, EXCEPTION)


STAGE_RANK: dict[str, int] = {Stage.EXCEPTION: 0, Stage.COLLECTED: 1, Stage.IN_TRANSIT: 2,
                              Stage.OUT_FOR_DELIVERY: 3, Stage.DELIVERED: 4}


@dataclass(frozen=True)
class Address:
    name: str
    phone: str
    province: str
    city: str
    district: str
    street: str

    @property
    def full(self) -> str:
        """As a courier prints it: 广东省广州市天河区体育西路 1 号 (no separators, as Chinese addresses are written)."""
        return "".join(part for part in (self.province, self.city, self.district, self.street) if part)


@dataclass(frozen=True)
class PickupRequest:
    reference: str  # ours, unique per shipment, at most 64 characters: the provider's order id where it takes one
    sender: Address
    receiver: Address
    parcel: str  # what is in it, e.g. "净水器 AQ-500"
    weight_kg: Decimal
    window_start: dt.datetime  # aware: when the courier may come
    window_end: dt.datetime
    notify_url: str  # where route pushes go

    def __post_init__(self) -> None:
        if not self.reference or len(self.reference) > MAX_REFERENCE:
            raise ValueError(f"a reference is 1 to {MAX_REFERENCE} characters: {self.reference!r}")
        if self.window_start.tzinfo is None or self.window_end.tzinfo is None:
            raise ValueError("the pickup window must be timezone-aware")
        if self.window_end <= self.window_start:
            raise ValueError("the pickup window ends before it starts")


@dataclass(frozen=True)
class Booking:
    provider: str
    reference: str
    waybill: str  # "" only for ManualBackend: staff type it in later
    # The provider's own handle on the order when it is not our reference (Kuaidi100: "taskId:orderId"): keep it
    # with the booking and give it back to cancel().
    provider_order: str = ""


@dataclass(frozen=True)
class RouteEvent:
    waybill: str
    event_id: str  # stable: the same event pushed twice or queried again has the same id
    stage: str  # a Stage
    at: dt.datetime  # aware
    place: str
    text: str  # the courier's own words
    provider_code: str  # SF's opCode, Kuaidi100's state


class CourierError(DomainError):
    """The provider did not answer (down, timed out, answered garbage): nothing is known to have happened."""

    code = "courier_unavailable"
    status = 502
    default_message = _("The courier's service did not answer; the pickup will be tried again.")


class CourierRefused(DomainError):
    """The provider answered and said no (an address out of its area, a bad request, our credentials): sending
    the same again will not help. ``detail`` carries the provider's code and message."""

    code = "courier_refused"
    status = 422
    default_message = _("The courier refused the request; check the addresses, or book the courier by hand.")


class CourierBackend(Protocol):
    name: str

    def create_pickup(self, request: PickupRequest) -> Booking: ...

    def cancel(self, *, reference: str, waybill: str, provider_order: str = "") -> None: ...

    def query_route(self, *, waybill: str, reference: str = "", phone: str = "") -> list[RouteEvent]: ...

    def parse_push(self, *, headers: dict[str, str], body: bytes) -> list[RouteEvent]: ...

    def push_reply(self, *, ok: bool) -> tuple[int, str, bytes]: ...


class ManualBackend:
    """No provider: staff book the courier themselves and type the waybill in; nothing pushes or answers."""

    name = "manual"

    def create_pickup(self, request: PickupRequest) -> Booking:
        return Booking(provider=self.name, reference=request.reference, waybill="")

    def cancel(self, *, reference: str, waybill: str, provider_order: str = "") -> None:
        return None

    def query_route(self, *, waybill: str, reference: str = "", phone: str = "") -> list[RouteEvent]:
        return []

    def parse_push(self, *, headers: dict[str, str], body: bytes) -> list[RouteEvent]:
        raise CallbackRefused(_("No courier is configured to call back."))

    def push_reply(self, *, ok: bool) -> tuple[int, str, bytes]:
        return (200 if ok else 401), "text/plain; charset=utf-8", b"ok" if ok else b"refused"


def backend(name: str | None = None) -> CourierBackend:
    """The configured courier (``settings.COURIER_BACKEND``), or the one named; LookupError for a name that
    ``settings.COURIER_BACKENDS`` does not know."""
    name = name or getattr(settings, "COURIER_BACKEND", "manual")
    paths = getattr(settings, "COURIER_BACKENDS", {"manual": "core.couriers.ManualBackend"})
    if name not in paths:
        raise LookupError(f"no courier backend named {name!r}")
    return import_string(paths[name])()


# Helpers for the providers' modules.
def beijing_time(text: str) -> dt.datetime:
    """A courier's "2024-05-01 14:03:00" (Beijing wall time) as an aware datetime; ValueError if it is not one."""
    return dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)


def post_form(url: str, fields: dict[str, str], *, timeout: float) -> Any:
    """POST ``fields`` form-encoded and read the JSON answer. A provider that cannot be reached, times out,
    answers 5xx or answers something that is not JSON is a CourierError; a 4xx with JSON is read as an answer
    (the provider's refusal is in it)."""
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8", "Accept": "application/json",
        "User-Agent": "aftersales"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the configured URL)
            raw = response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            raise CourierError(http_status=error.code) from error
        raw = error.read(MAX_ANSWER_BYTES)
    except (OSError, ValueError, http.client.HTTPException) as error:  # refused, reset, DNS, a timeout, cut short
        raise CourierError(reason=type(error).__name__ + (f": {error}" if str(error) else "")) from error
    try:
        return json.loads(raw)
    except ValueError as error:
        raise CourierError(reason="the answer is not JSON") from error
