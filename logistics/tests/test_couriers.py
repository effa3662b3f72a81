"""Mail-in parcels through the real courier backends, against the couriers' loopback stand-ins, with the stand-in
pushing its route events to our server over real HTTP (the live server): booking, signed pushes twice and out of
order, a forged or stale push, an outage that leaves the pickup waiting and booked later, a courier that refuses,
and a cancel before collection."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.principal import principal_of
from core.couriers import Stage
from core.couriers.standin import Kuaidi100StandIn, SfExpressStandIn
from core.models import OutboxEvent
from logistics import bench, booking, tasks
from logistics.choices import Hop, ShipmentStatus
from logistics.models import MailIn, MailInStep, ShipmentEvent
from logistics.tests.setup import book, inbound, prepare_mail_in
from workorders import workflow
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db(transaction=True)

PARTNER, CHECK_WORD = "AQUALIFE_TEST", "sf-check-word-for-tests"
KEY, SECRET, CUSTOMER, SALT = "kd100key", "kd100secret", "KD100CUSTOMER", "kd100salt"
SF_PATH = "/api/v1/couriers/sf/routes"


@pytest.fixture
def w(world):
    return prepare_mail_in(world)


@pytest.fixture
def sf(settings, live_server):
    with SfExpressStandIn(PARTNER, CHECK_WORD, push_url=live_server.url + SF_PATH) as stand_in:
        settings.SITE_URL = live_server.url
        settings.COURIER_BACKEND = "sf"
        settings.SF_EXPRESS = {"URL": stand_in.url, "PARTNER_ID": PARTNER, "CHECK_WORD": CHECK_WORD,
                               "MONTHLY_CARD": "7551234567", "TIMEOUT": 5}
        yield stand_in


@pytest.fixture
def kd100(settings, live_server):
    with Kuaidi100StandIn(KEY, SECRET, CUSTOMER, SALT) as stand_in:
        settings.SITE_URL = live_server.url
        settings.COURIER_BACKEND = "kuaidi100"
        settings.KUAIDI100 = {"ORDER_URL": stand_in.order_url, "POLL_URL": stand_in.poll_url,
                              "QUERY_URL": stand_in.query_url, "KEY": KEY, "SECRET": SECRET, "CUSTOMER": CUSTOMER,
                              "SALT": SALT, "COMPANY": "shunfeng", "TIMEOUT": 5}
        yield stand_in


def hop_of(case: MailIn) -> str:
    case.refresh_from_db()
    return case.hop


def test_sf_books_the_pickup_and_its_signed_pushes_move_the_unit_once_and_forward(w, sf):
    case = book(w)
    shipment = inbound(case)
    assert shipment.status == ShipmentStatus.BOOKED and shipment.waybill.startswith("SF")
    assert sf.parcels[shipment.waybill].reference == shipment.reference
    assert OutboxEvent.objects.filter(kind="mailin.pickup_booked", work_order_id=case.work_order_id).count() == 1

    sf.duplicate_pushes = True
    assert sf.advance(shipment.waybill, Stage.COLLECTED) == 200
    assert hop_of(case) == Hop.COLLECTED
    assert ShipmentEvent.objects.filter(shipment=shipment).count() == 1  # pushed twice, kept once
    # "arrived at the hub" is pushed before the older "departed": the unit is in transit, never back.
    assert sf.push_out_of_order(shipment.waybill, Stage.IN_TRANSIT) == 200
    assert hop_of(case) == Hop.IN_TRANSIT
    assert sf.advance(shipment.waybill, Stage.DELIVERED) == 200
    assert hop_of(case) == Hop.ARRIVED
    assert list(MailInStep.objects.filter(mail_in=case).values_list("hop", flat=True)) == [
        Hop.PICKUP_BOOKED, Hop.COLLECTED, Hop.IN_TRANSIT, Hop.ARRIVED]
    assert {status for _waybill, _stage, status in sf.pushed} == {200}


def test_a_forged_or_stale_sf_push_is_401_and_changes_nothing(w, sf, live_server):
    case = book(w)
    waybill = inbound(case).waybill
    headers, body = sf.notification(waybill)
    client = Client()
    forged = client.post(SF_PATH, data=body.replace(b"50", b"80"), content_type=headers.get("Content-Type", ""),
                         headers={k: v for k, v in headers.items() if k.lower() != "content-type"})
    assert forged.status_code == 401
    stale = dict(headers, timestamp=str(int((timezone.now() - dt.timedelta(hours=1)).timestamp() * 1000)))
    late = client.post(SF_PATH, data=body, content_type=headers.get("Content-Type", ""),
                       headers={k: v for k, v in stale.items() if k.lower() != "content-type"})
    assert late.status_code == 401
    assert ShipmentEvent.objects.count() == 0 and hop_of(case) == Hop.PICKUP_BOOKED
    # The genuine push, unaltered, is taken.
    genuine = client.post(SF_PATH, data=body, content_type=headers.get("Content-Type", ""),
                          headers={k: v for k, v in headers.items() if k.lower() != "content-type"})
    assert genuine.status_code == 200 and hop_of(case) == Hop.COLLECTED


def test_an_outage_leaves_the_pickup_waiting_with_its_error_and_the_periodic_job_books_it(w, sf):
    sf.down = True
    case = book(w)
    shipment = inbound(case)
    assert (shipment.status, shipment.waybill, shipment.attempts) == (ShipmentStatus.BOOKING, "", 1)
    assert shipment.last_error and shipment.next_try_at > timezone.now()
    assert not OutboxEvent.objects.filter(kind="mailin.pickup_booked").exists()

    tasks.book_due_pickups.call()  # not due yet: nothing tried
    shipment.refresh_from_db()
    assert shipment.attempts == 1

    sf.down = False
    booking.book(shipment.pk, now=shipment.next_try_at)
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.BOOKED and shipment.waybill and shipment.last_error == ""
    assert shipment.attempts == 2
    assert OutboxEvent.objects.filter(kind="mailin.pickup_booked").count() == 1


def test_a_courier_that_refuses_the_address_waits_for_staff_and_a_waybill_by_hand(w, sf):
    sf.out_of_area = {"杭州市", "浙江省"}
    case = book(w)
    shipment = inbound(case)
    assert (shipment.status, shipment.next_try_at) == (ShipmentStatus.BOOKING, None)
    assert shipment.last_error
    booking.record_waybill(shipment=shipment, waybill="SF9990000000001", actor=principal_of(w.bench))
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.BOOKED


def test_cancelling_before_collection_calls_the_pickup_off_at_the_courier(w, sf):
    case = book(w)
    waybill = inbound(case).waybill
    order = WorkOrder.objects.get(pk=case.work_order_id)
    workflow.transition(order, "cancel", actor=principal_of(w.customer.user), reason="已自行修好")
    assert hop_of(case) == Hop.CANCELLED
    assert waybill in sf.cancelled


def test_kuaidi100_books_subscribes_and_its_pushes_carry_the_whole_route(w, kd100):
    case = book(w)
    shipment = inbound(case)
    assert shipment.status == ShipmentStatus.BOOKED and shipment.waybill and shipment.provider_order

    assert kd100.advance(shipment.waybill, Stage.COLLECTED) == 200
    assert kd100.advance(shipment.waybill, Stage.IN_TRANSIT) == 200
    assert hop_of(case) == Hop.IN_TRANSIT
    # Each push repeats the route so far: the events are kept once each.
    count = ShipmentEvent.objects.filter(shipment=shipment).count()
    assert count == len(kd100.route(shipment.waybill))
    assert kd100.advance(shipment.waybill, Stage.DELIVERED) == 200
    assert hop_of(case) == Hop.ARRIVED


def test_the_return_parcel_is_booked_with_the_courier_as_the_bench_hands_it_over(w, sf):
    case = book(w)
    waybill = inbound(case).waybill
    sf.advance(waybill, Stage.DELIVERED)
    desk = principal_of(w.bench)
    case.refresh_from_db()
    case = bench.receive(mail_in=case, actor=desk, serial="SN-A-0001")
    case = bench.diagnose(mail_in=case, actor=desk, finding="进水阀卡滞")
    case = bench.repair(mail_in=case, actor=desk)
    case = bench.check_quality(mail_in=case, actor=desk, checks={p: True for p in bench.QC_POINTS})

    parcel = bench.ship(mail_in=case, actor=desk)

    assert (parcel.status, parcel.last_error) == (ShipmentStatus.BOOKED, "")
    assert parcel.waybill.startswith("SF") and hop_of(case) == Hop.SHIPPED
    assert sf.advance(parcel.waybill, Stage.DELIVERED) == 200
    assert hop_of(case) == Hop.DELIVERED
    assert WorkOrder.objects.get(pk=case.work_order_id).status == "completed"
