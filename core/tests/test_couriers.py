"""Couriers (core/couriers): SF Express and Kuaidi100 on the wire against their loopback stand-ins, both ways.

Pushes reach a small receiving server that does what our callback view does: ``parse_push``, then ``push_reply``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import threading
import time
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from core.couriers import (
    BEIJING,
    STAGE_RANK,
    Address,
    CallbackRefused,
    CourierError,
    CourierRefused,
    ManualBackend,
    PickupRequest,
    RouteEvent,
    Stage,
    backend,
)
from core.couriers import kuaidi100 as kd100
from core.couriers import sf_express as sf
from core.couriers.kuaidi100 import Kuaidi100Backend
from core.couriers.sf_express import SfExpressBackend
from core.couriers.standin import Kuaidi100StandIn, QuickServer, SfExpressStandIn
from core.standin import HttpStandIn, Request

CUSTOMER = Address("李雷", "13900001234", "广东省", "广州市", "天河区", "体育西路 1 号")
CENTRE = Address("维修中心", "02088885678", "广东省", "深圳市", "南山区", "科技南十二路 2 号")
FAR = Address("韩梅梅", "13700004321", "北京市", "北京市", "朝阳区", "建国路 8 号")


class Receiver(HttpStandIn):
    """Our callback: verify and read the push, answer as the provider expects."""

    server_class = QuickServer

    def __init__(self, courier: Any) -> None:
        super().__init__()
        self.courier = courier
        self.batches: list[list[RouteEvent]] = []
        self.refused = 0
        self.arrived = threading.Condition(self.lock)

    def wait_for(self, count: int) -> bool:
        """Whether ``count`` events have arrived within 5 seconds."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.events) >= count, timeout=5)

    @property
    def events(self) -> list[RouteEvent]:
        return [event for batch in self.batches for event in batch]

    def answer(self, request: Request) -> tuple[int, bytes]:
        try:
            self.batches.append(self.courier.parse_push(headers=request.headers, body=request.body))
            self.arrived.notify_all()
        except CallbackRefused:
            self.refused += 1
            return 401, self.courier.push_reply(ok=False)[2]
        status, _type, body = self.courier.push_reply(ok=True)
        return status, body


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now


def pickup(reference: str = "MI-20240501-0001", *, sender: Address = CUSTOMER, days: int = 1,
           notify_url: str = "http://127.0.0.1:9/nowhere") -> PickupRequest:
    day = dt.datetime.now(BEIJING).date() + dt.timedelta(days=days)
    return PickupRequest(reference=reference, sender=sender, receiver=CENTRE, parcel="净水器 AQ-500",
                         weight_kg=Decimal("6.5"), window_start=dt.datetime.combine(day, dt.time(9), BEIJING),
                         window_end=dt.datetime.combine(day, dt.time(12), BEIJING), notify_url=notify_url)


def stages(events: list[RouteEvent]) -> list[str]:
    return [event.stage for event in events]


# SF Express
def sf_backend(server: SfExpressStandIn, **over: Any) -> SfExpressBackend:
    return SfExpressBackend({"URL": server.url + "/std/service", "PARTNER_ID": "AFTERSALES", "CHECK_WORD": "cw-1",
                             "MONTHLY_CARD": "7551234567", "TIMEOUT": 5, **over})


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def sf_world(clock):
    """(SF's stand-in, our backend, our callback): the stand-in pushes to the callback."""
    with SfExpressStandIn("AFTERSALES", "cw-1", clock=clock) as server:
        with Receiver(sf_backend(server)) as receiver:
            server.push_url = receiver.url + "/couriers/sf/push"
            yield server, sf_backend(server), receiver


def test_the_digest_is_base64_md5_of_the_text_url_encoded_as_java_does():
    expected = base64.b64encode(hashlib.md5(b"%7B%22a%22%3A%22b+c*%7E%22%7D1714000000000cw-1").digest()).decode()
    assert sf.msg_digest('{"a":"b c*~"}', "1714000000000", "cw-1") == expected


def test_a_pickup_is_booked_at_sf_and_its_waybill_returned(sf_world):
    server, courier, _ = sf_world
    request = pickup()
    booking = courier.create_pickup(request)

    assert (booking.provider, booking.reference) == ("sf", "MI-20240501-0001")
    assert booking.waybill.startswith("SF") and len(booking.waybill) == 15 and booking.waybill[2:].isdigit()
    form = dict(parse_qsl(server.log[0].body.decode()))
    assert (form["partnerID"], form["serviceCode"]) == ("AFTERSALES", "EXP_RECE_CREATE_ORDER")
    assert form["msgDigest"] == sf.msg_digest(form["msgData"], form["timestamp"], "cw-1")
    order = json.loads(form["msgData"])
    day = request.window_start.date()
    assert (order["orderId"], order["isDocall"], order["monthlyCard"]) == ("MI-20240501-0001", 1, "7551234567")
    assert (order["sendStartTm"], order["pickupAppointEndtime"]) == (f"{day} 09:00:00", f"{day} 12:00:00")
    assert [(c["contactType"], c["contact"], c["mobile"], c["county"]) for c in order["contactInfoList"]] == [
        (1, "李雷", "13900001234", "天河区"), (2, "维修中心", "02088885678", "南山区")]
    assert order["cargoDetails"] == [{"name": "净水器 AQ-500", "count": 1, "unit": "件", "weight": 6.5}]


def test_booking_again_after_a_lost_answer_finds_the_same_waybill(sf_world):
    server, courier, _ = sf_world
    first = courier.create_pickup(pickup())
    again = courier.create_pickup(pickup())

    assert again == first
    assert list(server.orders) == ["MI-20240501-0001"]
    assert [json.loads(dict(parse_qsl(r.body.decode()))["msgData"]).get("orderId") for r in server.log] == [
        "MI-20240501-0001"] * 3  # create, create (8016), search


@pytest.mark.parametrize(("over", "code"), [({"CHECK_WORD": "wrong"}, "A1006"), ({"PARTNER_ID": "NOBODY"}, "A1004")])
def test_wrong_credentials_are_refused_by_sf(sf_world, over, code):
    server, _, _ = sf_world
    with pytest.raises(CourierRefused) as refused:
        sf_backend(server, **over).create_pickup(pickup())
    assert refused.value.detail["provider_code"] == code
    assert server.orders == {}


def test_an_address_sf_does_not_serve_is_refused(sf_world):
    server, courier, _ = sf_world
    server.out_of_area.add("北京市")
    with pytest.raises(CourierRefused) as refused:
        courier.create_pickup(pickup(sender=FAR))
    assert refused.value.detail == {"provider_code": "filterResult 3", "provider_message": "收派超范围"}
    assert (refused.value.code, refused.value.status) == ("courier_refused", 422)
    assert server.parcels == {}


@pytest.mark.parametrize("down_with", ["http", "busy"])
def test_an_outage_is_a_courier_error(sf_world, down_with):
    server, courier, _ = sf_world
    server.down, server.down_with = True, down_with
    with pytest.raises(CourierError) as failed:
        courier.create_pickup(pickup())
    assert (failed.value.code, failed.value.status) == ("courier_unavailable", 502)
    assert server.parcels == {}


def test_a_courier_that_does_not_answer_is_a_courier_error():
    with SfExpressStandIn("AFTERSALES", "cw-1") as server:
        courier = sf_backend(server)
    with pytest.raises(CourierError):  # stopped: nothing listens on its port
        courier.create_pickup(pickup())


class Stall(Receiver):
    """A provider that takes the call and never answers (until the test lets it go)."""

    def __init__(self) -> None:
        super().__init__(None)
        self.release = threading.Event()

    def take(self, request: Request) -> tuple[int, bytes]:
        self.release.wait(timeout=5)
        return 503, b""


def test_a_courier_that_times_out_is_a_courier_error():
    with Stall() as stall:
        with pytest.raises(CourierError) as failed:
            SfExpressBackend({"URL": stall.url, "PARTNER_ID": "P", "CHECK_WORD": "c", "TIMEOUT": 0.1}).create_pickup(
                pickup())
        stall.release.set()
    assert failed.value.detail["reason"].startswith("TimeoutError")


def test_a_pickup_is_cancelled_once_and_not_after_collection(sf_world):
    server, courier, _ = sf_world
    booking = courier.create_pickup(pickup())
    courier.cancel(reference=booking.reference, waybill=booking.waybill)
    courier.cancel(reference=booking.reference, waybill=booking.waybill)  # 8037: cancelled already, fine
    assert server.cancelled == {booking.waybill}

    collected = courier.create_pickup(pickup("MI-2"))
    server.advance(collected.waybill, Stage.COLLECTED)
    with pytest.raises(CourierRefused) as refused:
        courier.cancel(reference="MI-2", waybill=collected.waybill)
    assert refused.value.detail["provider_code"] == "8252"
    assert server.cancelled == {booking.waybill}


def test_a_route_event_is_pushed_signed_and_read(sf_world, clock):
    server, courier, receiver = sf_world
    booking = courier.create_pickup(pickup())
    at = clock.now + dt.timedelta(minutes=5)

    status = server.advance(booking.waybill, Stage.COLLECTED, place="广州市天河区", at=at)

    assert status == 200
    assert server.pushed == [(booking.waybill, Stage.COLLECTED, 200)]
    [event] = receiver.events
    assert (event.waybill, event.stage, event.at, event.place, event.provider_code) == (
        booking.waybill, Stage.COLLECTED, at, "广州市天河区", "50")
    assert event.text == "顺丰速运 已收取快件"
    assert json.loads(receiver.log[0].body)["Body"]["WaybillRoute"][0]["orderid"] == booking.reference


def test_the_route_query_answers_the_pushed_events_with_their_ids(sf_world):
    server, courier, receiver = sf_world
    booking = courier.create_pickup(pickup())
    server.advance(booking.waybill, Stage.IN_TRANSIT)

    by_reference = courier.query_route(waybill=booking.waybill, reference=booking.reference)
    by_waybill = courier.query_route(waybill=booking.waybill, phone="13900001234")

    assert stages(by_reference) == [Stage.COLLECTED, Stage.IN_TRANSIT]
    assert by_waybill == by_reference == receiver.events
    assert courier.query_route(waybill=booking.waybill, phone="13911110000") == []  # a stranger's phone


def test_duplicate_and_out_of_order_pushes_arrive_as_such(sf_world):
    server, courier, receiver = sf_world
    booking = courier.create_pickup(pickup())
    server.duplicate_pushes = True

    assert server.push_out_of_order(booking.waybill, Stage.COLLECTED) == 200

    assert [stages(batch) for batch in receiver.batches] == [[Stage.IN_TRANSIT]] * 2 + [[Stage.COLLECTED]] * 2
    assert len({event.event_id for event in receiver.events}) == 2
    assert server.pushed == [(booking.waybill, Stage.IN_TRANSIT, 200)] * 2 + [
        (booking.waybill, Stage.COLLECTED, 200)] * 2


def test_an_exception_en_route_is_news_not_progress(sf_world):
    server, courier, receiver = sf_world
    booking = courier.create_pickup(pickup())
    server.advance(booking.waybill, Stage.COLLECTED)
    server.advance(booking.waybill, Stage.EXCEPTION)

    assert [(e.stage, e.provider_code) for e in receiver.events] == [(Stage.COLLECTED, "50"), (Stage.EXCEPTION, "70")]
    assert STAGE_RANK[Stage.EXCEPTION] < STAGE_RANK[Stage.COLLECTED]
    assert server.advance(booking.waybill, Stage.DELIVERED) == 200  # the journey goes on
    with pytest.raises(ValueError):
        server.advance(booking.waybill, Stage.IN_TRANSIT)  # past it


def test_a_push_signed_with_another_check_word_is_refused(sf_world):
    server, _, receiver = sf_world
    receiver.courier = sf_backend(server, CHECK_WORD="not-ours")
    booking = sf_backend(server).create_pickup(pickup())

    assert server.advance(booking.waybill, Stage.COLLECTED) == 401
    assert (receiver.refused, receiver.events) == (1, [])


def test_a_tampered_or_stale_push_is_refused(sf_world):
    server, courier, _ = sf_world
    booking = courier.create_pickup(pickup())
    headers, body = server.notification(booking.waybill)
    assert stages(courier.parse_push(headers=headers, body=body)) == [Stage.COLLECTED]

    with pytest.raises(CallbackRefused):
        courier.parse_push(headers=headers, body=body.replace(b'"50"', b'"80"'))
    stale = sf.push_headers(body, "cw-1", timestamp=str(int((time.time() - 301) * 1000)))
    with pytest.raises(CallbackRefused):
        courier.parse_push(headers=stale, body=body)
    with pytest.raises(CallbackRefused):
        courier.parse_push(headers={}, body=body)


@pytest.mark.parametrize(("op_code", "stage"), [
    ("50", Stage.COLLECTED), ("54", Stage.COLLECTED), ("30", Stage.IN_TRANSIT), ("31", Stage.IN_TRANSIT),
    ("36", Stage.IN_TRANSIT), ("44", Stage.OUT_FOR_DELIVERY), ("204", Stage.OUT_FOR_DELIVERY),
    ("80", Stage.DELIVERED), ("8000", Stage.DELIVERED), ("70", Stage.EXCEPTION), ("33", Stage.EXCEPTION),
    ("99", Stage.EXCEPTION), ("9999", Stage.IN_TRANSIT),
])
def test_sf_op_codes_map_to_stages(op_code, stage):
    assert sf.stage_of(op_code) == stage


def test_sf_is_answered_as_it_expects():
    assert SfExpressBackend({}).push_reply(ok=True) == (
        200, "application/json;charset=utf-8", '{"return_code": "0000", "return_msg": "成功"}'.encode())
    assert SfExpressBackend({}).push_reply(ok=False)[0] == 500


# The journey clock
def test_events_come_when_their_time_has_come(sf_world, clock):
    server, courier, receiver = sf_world
    booking = courier.create_pickup(pickup())
    collection = server.parcels[booking.waybill].plan[0].at

    assert server.run_due() == 0
    clock.now = collection
    assert server.run_due() == 1
    clock.now = collection + dt.timedelta(hours=5)
    assert server.run_due() == 3
    clock.now += dt.timedelta(days=2)
    assert server.run_due() == 1
    assert server.run_due() == 0

    assert stages(receiver.events) == [Stage.COLLECTED, Stage.IN_TRANSIT, Stage.IN_TRANSIT, Stage.OUT_FOR_DELIVERY,
                                       Stage.DELIVERED]
    assert receiver.events[-1].at - receiver.events[0].at == dt.timedelta(hours=6)  # same province
    assert all(status == 200 for _, _, status in server.pushed)


def test_the_journeys_run_by_themselves_until_stopped(sf_world, clock):
    server, courier, receiver = sf_world
    booking = courier.create_pickup(pickup())
    clock.now += dt.timedelta(days=3)

    server.auto(0.01)

    assert receiver.wait_for(5)
    server.stop()
    assert stages(receiver.events) == [Stage.COLLECTED, Stage.IN_TRANSIT, Stage.IN_TRANSIT, Stage.OUT_FOR_DELIVERY,
                                       Stage.DELIVERED]
    assert {waybill for waybill, _, _ in server.pushed} == {booking.waybill}


def test_pace_shrinks_the_journey_and_a_cancelled_parcel_goes_nowhere(clock):
    with SfExpressStandIn("AFTERSALES", "cw-1", clock=clock, pace=1 / 60) as server:
        courier = sf_backend(server)
        near, far = courier.create_pickup(pickup("MI-1")), courier.create_pickup(pickup("MI-2", sender=FAR))
        plan = {waybill: [hop.at for hop in server.parcels[waybill].plan] for waybill in (near.waybill, far.waybill)}
        courier.cancel(reference="MI-2", waybill=far.waybill)
        clock.now += dt.timedelta(days=1)
        assert server.run_due() == 5  # near's; the push URL is unset, so nothing is sent

    assert plan[near.waybill][-1] - plan[near.waybill][0] == dt.timedelta(minutes=6)
    assert plan[far.waybill][-1] - plan[far.waybill][0] == dt.timedelta(minutes=24)
    assert [hop.step for hop in server.route(far.waybill)] == []
    assert {status for _, _, status in server.pushed} == {0}


# Kuaidi100
def kd_backend(server: Kuaidi100StandIn, **over: Any) -> Kuaidi100Backend:
    return Kuaidi100Backend({"ORDER_URL": server.order_url, "POLL_URL": server.poll_url,
                             "QUERY_URL": server.query_url, "KEY": "key-1", "SECRET": "secret-1",
                             "CUSTOMER": "CUST-1", "SALT": "salt-1", "COMPANY": "shunfeng", "TIMEOUT": 5, **over})


@pytest.fixture
def kd_world(clock):
    with Kuaidi100StandIn("key-1", "secret-1", "CUST-1", clock=clock) as server:
        with Receiver(kd_backend(server)) as receiver:
            yield server, kd_backend(server), receiver


def kd_book(server: Kuaidi100StandIn, courier: Kuaidi100Backend, receiver: Receiver, reference: str = "MI-1"):
    return courier.create_pickup(pickup(reference, notify_url=receiver.url + "/couriers/kuaidi100/push"))


def test_kuaidi100_signs_as_documented():
    assert kd100.order_sign('{"a":1}', "1576123932000", "k", "s") == hashlib.md5(
        b'{"a":1}1576123932000ks').hexdigest().upper()
    assert kd100.query_sign("{}", "k", "c") == hashlib.md5(b"{}kc").hexdigest().upper()
    assert kd100.push_sign("{}", "salt") == hashlib.md5(b"{}salt").hexdigest().upper()


def test_a_pickup_is_ordered_then_subscribed_at_kuaidi100(kd_world):
    server, courier, receiver = kd_world
    booking = kd_book(server, courier, receiver)

    task_id = next(iter(server.tasks))
    assert (booking.provider, booking.waybill) == ("kuaidi100", server.tasks[task_id].waybill)
    assert booking.provider_order == f"{task_id}:{server.tasks[task_id].extra['order_id']}"
    order = dict(parse_qsl(server.log[0].body.decode()))
    assert (order["method"], order["key"]) == ("bOrder", "key-1")
    assert order["sign"] == kd100.order_sign(order["param"], order["t"], "key-1", "secret-1")
    param = json.loads(order["param"])
    assert {k: param[k] for k in ("kuaidicom", "sendManPrintAddr", "recManMobile", "dayType", "pickupStartTime",
                                  "pickupEndTime", "weight", "remark")} == {
        "kuaidicom": "shunfeng", "sendManPrintAddr": "广东省广州市天河区体育西路 1 号", "recManMobile": "02088885678",
        "dayType": "明天", "pickupStartTime": "09:00", "pickupEndTime": "12:00", "weight": "6.5", "remark": "MI-1"}
    assert server.subscriptions == {booking.waybill: {
        "callbackurl": receiver.url + "/couriers/kuaidi100/push", "salt": "salt-1", "phone": "02088885678"}}


@pytest.mark.parametrize(("over", "code"), [({"SECRET": "wrong"}, "503"), ({"KEY": "nobody"}, "600")])
def test_wrong_credentials_are_refused_by_kuaidi100(kd_world, over, code):
    server, _, receiver = kd_world
    with pytest.raises(CourierRefused) as refused:
        kd_book(server, kd_backend(server, **over), receiver)
    assert refused.value.detail["provider_code"] == code
    assert server.parcels == {}


def test_kuaidi100_books_no_further_than_the_day_after_tomorrow(kd_world):
    server, courier, _ = kd_world
    with pytest.raises(CourierRefused) as refused:
        courier.create_pickup(pickup(days=3))
    assert refused.value.detail == {"days_ahead": 3}
    assert server.log == []


@pytest.mark.parametrize("down_with", ["http", "busy"])
def test_a_kuaidi100_outage_is_a_courier_error(kd_world, down_with):
    server, courier, receiver = kd_world
    server.down, server.down_with = True, down_with
    with pytest.raises(CourierError):
        kd_book(server, courier, receiver)
    with pytest.raises(CourierError):
        courier.query_route(waybill="SF1234567890123", phone="1234")


def test_an_order_whose_subscription_fails_is_cancelled(kd_world):
    server, _, receiver = kd_world
    with Receiver(None) as dead:
        poll_url = dead.url
    courier = kd_backend(server, POLL_URL=poll_url)  # nothing listens there any more
    with pytest.raises(CourierError):
        kd_book(server, courier, receiver)
    [parcel] = server.parcels.values()
    assert server.cancelled == {parcel.waybill}


def test_a_kuaidi100_pickup_is_cancelled_once_and_not_after_collection(kd_world):
    server, courier, receiver = kd_world
    booking = kd_book(server, courier, receiver)
    courier.cancel(reference=booking.reference, waybill=booking.waybill, provider_order=booking.provider_order)
    courier.cancel(reference=booking.reference, waybill=booking.waybill, provider_order=booking.provider_order)
    assert server.cancelled == {booking.waybill}

    collected = kd_book(server, courier, receiver, "MI-2")
    server.advance(collected.waybill, Stage.COLLECTED)
    with pytest.raises(CourierRefused):
        courier.cancel(reference="MI-2", waybill=collected.waybill, provider_order=collected.provider_order)
    with pytest.raises(CourierRefused):
        courier.cancel(reference="MI-2", waybill=collected.waybill)  # without Kuaidi100's handle
    assert server.cancelled == {booking.waybill}


def test_each_kuaidi100_push_carries_the_whole_route(kd_world, clock):
    server, courier, receiver = kd_world
    booking = kd_book(server, courier, receiver)

    assert server.advance(booking.waybill, Stage.COLLECTED, at=clock.now) == 200
    assert server.advance(booking.waybill, Stage.DELIVERED) == 200

    assert [stages(batch) for batch in receiver.batches] == [
        [Stage.COLLECTED],
        [Stage.DELIVERED, Stage.OUT_FOR_DELIVERY, Stage.IN_TRANSIT, Stage.IN_TRANSIT, Stage.COLLECTED]]
    assert receiver.batches[1][-1] == receiver.batches[0][0]  # the same event, the same id
    assert [e.provider_code for e in receiver.batches[1]] == ["3", "5", "0", "0", "1"]
    push = dict(parse_qsl(receiver.log[1].body.decode()))
    assert push["sign"] == kd100.push_sign(push["param"], "salt-1")
    assert json.loads(push["param"])["status"] == "shutdown"
    assert server.pushed == [(booking.waybill, stage, 200) for stage in (
        Stage.COLLECTED, Stage.IN_TRANSIT, Stage.IN_TRANSIT, Stage.OUT_FOR_DELIVERY, Stage.DELIVERED)]


def test_a_late_kuaidi100_push_carries_an_older_route(kd_world):
    server, courier, receiver = kd_world
    booking = kd_book(server, courier, receiver)
    server.duplicate_pushes = True

    server.push_out_of_order(booking.waybill, Stage.COLLECTED)

    assert [stages(batch) for batch in receiver.batches] == [[Stage.IN_TRANSIT, Stage.COLLECTED]] * 2 + [
        [Stage.COLLECTED]] * 2
    assert len({event.event_id for event in receiver.events}) == 2


def test_the_kuaidi100_query_answers_the_route_so_far(kd_world):
    server, courier, receiver = kd_world
    booking = kd_book(server, courier, receiver)
    assert courier.query_route(waybill=booking.waybill, phone="13900001234") == []  # nothing yet
    server.advance(booking.waybill, Stage.OUT_FOR_DELIVERY)

    events = courier.query_route(waybill=booking.waybill, phone="13900001234")

    assert stages(events) == [Stage.COLLECTED, Stage.IN_TRANSIT, Stage.IN_TRANSIT, Stage.OUT_FOR_DELIVERY]
    assert {e.event_id for e in events} == {e.event_id for e in receiver.events}
    with pytest.raises(CourierRefused) as refused:
        courier.query_route(waybill=booking.waybill, phone="13911110000")
    assert refused.value.detail["provider_code"] == "408"
    with pytest.raises(CourierRefused):
        kd_backend(server, KEY="wrong").query_route(waybill=booking.waybill, phone="1234")


def test_a_tampered_kuaidi100_push_is_refused_and_an_order_callback_is_acknowledged(kd_world):
    server, courier, receiver = kd_world
    booking = kd_book(server, courier, receiver)
    headers, body = server.notification(booking.waybill)
    assert stages(courier.parse_push(headers=headers, body=body)) == [Stage.COLLECTED]

    form = dict(parse_qsl(body.decode()))
    tampered = urlencode({**form, "param": form["param"].replace('"state": "1"', '"state": "3"')}).encode()
    with pytest.raises(CallbackRefused):
        courier.parse_push(headers=headers, body=tampered)
    with pytest.raises(CallbackRefused):
        kd_backend(server, SALT="").parse_push(headers=headers, body=body)  # we asked for signed pushes
    callback = json.dumps({"kuaidinum": booking.waybill, "status": "10", "data": {"status": "10"}})
    signed = urlencode({"taskId": "T", "param": callback, "sign": kd100.push_sign(callback, "salt-1")}).encode()
    assert courier.parse_push(headers={}, body=signed) == []


@pytest.mark.parametrize(("status", "state", "stage"), [
    ("揽收", "0", Stage.COLLECTED), ("在途", "1", Stage.IN_TRANSIT), ("派件", "0", Stage.OUT_FOR_DELIVERY),
    ("签收", "0", Stage.DELIVERED), ("疑难", "0", Stage.EXCEPTION), ("退回", "0", Stage.EXCEPTION),
    ("拒签", "0", Stage.EXCEPTION), ("", "3", Stage.DELIVERED), ("", "14", Stage.EXCEPTION),
])
def test_kuaidi100_states_map_to_stages(status, state, stage):
    item = {"time": "2024-05-01 10:00:00", "context": "…", "status": status}
    [newest, older] = kd100.read_result({"nu": "SF1", "state": state, "data": [item, {**item, "status": ""}]})
    assert newest.stage == stage
    assert older.stage == Stage.IN_TRANSIT  # no name, not the newest: the parcel's state says nothing of it
    assert newest.at == dt.datetime(2024, 5, 1, 10, tzinfo=BEIJING)


# The interface
def test_the_manual_backend_books_nothing_and_takes_no_push():
    manual = ManualBackend()
    assert manual.create_pickup(pickup()).waybill == ""
    assert manual.query_route(waybill="SF1") == []
    with pytest.raises(CallbackRefused):
        manual.parse_push(headers={}, body=b"{}")


def test_the_backend_is_chosen_in_settings(settings):
    settings.COURIER_BACKEND = "manual"
    assert isinstance(backend(), ManualBackend)
    assert isinstance(backend("sf"), SfExpressBackend)
    assert isinstance(backend("kuaidi100"), Kuaidi100Backend)
    with pytest.raises(LookupError):
        backend("ems")


def test_a_pickup_request_is_checked_as_it_is_made():
    with pytest.raises(ValueError):
        pickup("M" * 65)
    with pytest.raises(ValueError):
        PickupRequest(reference="MI-1", sender=CUSTOMER, receiver=CENTRE, parcel="x", weight_kg=Decimal(1),
                      window_start=dt.datetime(2024, 5, 1, 9), window_end=dt.datetime(2024, 5, 1, 12),
                      notify_url="http://x")
    assert CUSTOMER.full == "广东省广州市天河区体育西路 1 号"
