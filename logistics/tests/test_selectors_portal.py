"""What the customer's tracking page reads of a mail-in case (logistics.selectors): the hops in order with their
states, the parcels with their route newest first, the courier's booking state, the marks the page's polling
compares, the courier's fee and why cancelling online is over."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import OuterRef
from django.utils import timezone, translation

from accounts.principal import principal_of
from core.couriers import Stage
from customers.tests.factories import InstalledProductFactory
from logistics import bench, booking, selectors, workflow
from logistics.choices import Hop, ShipmentStatus
from logistics.models import MailInPolicy, Shipment
from logistics.tests.setup import book, collected_and_arrived, inbound, prepare_mail_in, push
from workorders import workflow as order_workflow
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return prepare_mail_in(world)


@pytest.fixture
def old_unit(w):
    return InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model, serial="SN-OLD-1",
                                   purchase_date=dt.date(2020, 1, 5), install_date=dt.date(2020, 1, 10))


def rows(case, actor=None):
    case.refresh_from_db()
    return [(r.hop, r.state) for r in selectors.progress(case, selectors.steps_for(case, actor))]


def quoted(w, product):
    case = collected_and_arrived(w, book(w, product=product))
    desk = principal_of(w.bench)
    case = bench.receive(mail_in=case, actor=desk, serial=product.serial)
    case = bench.diagnose(mail_in=case, actor=desk, finding="主板烧毁", parts=[("booster-pump", 1)])
    return bench.quote(mail_in=case, actor=desk)


def marks(case) -> tuple:
    return tuple(WorkOrder.objects.filter(pk=case.work_order_id).annotate(**selectors.change_marks(OuterRef("pk")))
                 .values_list(*selectors.change_marks(OuterRef("pk"))).get())


def test_an_in_warranty_unit_goes_without_a_quote_and_a_skipped_hop_has_no_time(w):
    case = collected_and_arrived(w, book(w))

    found = selectors.progress(case, selectors.steps_for(case, principal_of(w.customer.user)))

    assert [(r.hop, r.state) for r in found] == [
        (Hop.PICKUP_BOOKED, "done"), (Hop.COLLECTED, "done"), (Hop.IN_TRANSIT, "done"), (Hop.ARRIVED, "current"),
        (Hop.RECEIVED, "todo"), (Hop.DIAGNOSED, "todo"), (Hop.REPAIRED, "todo"), (Hop.QC_PASSED, "todo"),
        (Hop.SHIPPED, "todo"), (Hop.DELIVERED, "todo")]
    by_hop = {r.hop: r for r in found}
    assert by_hop[Hop.COLLECTED].place == "杭州" and by_hop[Hop.COLLECTED].at is not None
    assert (by_hop[Hop.IN_TRANSIT].at, by_hop[Hop.IN_TRANSIT].place) == (None, "")  # never scanned in transit
    assert by_hop[Hop.RECEIVED].at is None


def test_out_of_warranty_the_quote_and_the_answer_are_on_the_way(w, old_unit):
    case = quoted(w, old_unit)
    assert rows(case)[5:] == [(Hop.DIAGNOSED, "done"), (Hop.QUOTED, "current"), (Hop.APPROVED, "todo"),
                              (Hop.REPAIRED, "todo"), (Hop.QC_PASSED, "todo"), (Hop.SHIPPED, "todo"),
                              (Hop.DELIVERED, "todo")]
    quoted_row = selectors.progress(case, selectors.steps_for(case, None))[6]
    assert quoted_row.label == Hop.QUOTED.label

    bench.decide(mail_in=case, actor=principal_of(w.customer.user), decision="declined")

    assert rows(case)[5:] == [(Hop.DIAGNOSED, "done"), (Hop.QUOTED, "done"), (Hop.DECLINED, "current"),
                              (Hop.QC_PASSED, "todo"), (Hop.SHIPPED, "todo"), (Hop.DELIVERED, "todo")]
    assert selectors.progress(case, selectors.steps_for(case, None))[6].label == selectors.DONE_LABELS[Hop.QUOTED]


def test_the_bench_sees_the_steps_the_customer_does_not(w):
    case = collected_and_arrived(w, book(w))
    desk = principal_of(w.bench)
    case = bench.receive(mail_in=case, actor=desk, serial="SN-A-0001")
    case = bench.diagnose(mail_in=case, actor=desk, finding="进水阀卡滞")
    case = bench.repair(mail_in=case, actor=desk)
    bench.check_quality(mail_in=case, actor=desk, checks={}, note="内部")

    assert len(selectors.steps_for(case, desk)) == len(selectors.steps_for(case, principal_of(w.customer.user))) + 1
    # A failed check is no move: the unit stays repaired, for the bench as for the customer.
    assert rows(case, desk) == rows(case, principal_of(w.customer.user))
    assert dict(rows(case, desk))[Hop.REPAIRED] == "current"


def test_a_cancelled_case_ends_at_its_cancellation(w):
    case = book(w)
    order = WorkOrder.objects.get(pk=case.work_order_id)
    order_workflow.transition(order, "cancel", actor=principal_of(w.customer.user), reason="不修了")

    assert rows(case) == [(Hop.PICKUP_BOOKED, "done"), (Hop.CANCELLED, "cancelled")]
    assert selectors.parcels(case) == []  # the cancelled pickup is left out
    assert booking.cancel_refusal(case) == ""


def test_parcels_carry_their_route_newest_first_and_their_booking_state(w):
    case = book(w)
    [waiting] = selectors.parcels(case)
    assert (waiting.booking, waiting.route) == ("arranging", [])  # the manual courier: staff type the waybill

    Shipment.objects.filter(pk=waiting.shipment.pk).update(last_error="down", next_try_at=timezone.now())
    assert selectors.parcels(case)[0].booking == "arranging"  # tried again by itself
    Shipment.objects.filter(pk=waiting.shipment.pk).update(last_error="refused", next_try_at=None)
    assert selectors.parcels(case)[0].booking == "refused"  # left to the staff

    collected_and_arrived(w, case)
    [parcel] = selectors.parcels(case)
    assert parcel.booking == "" and parcel.shipment.status == ShipmentStatus.DELIVERED
    assert [e.stage for e in parcel.route] == [Stage.DELIVERED, Stage.COLLECTED]


def test_the_marks_change_with_every_thing_the_page_shows(w):
    case = book(w)
    seen = [marks(case)]  # the manual courier: waiting for the staff to type the waybill
    parcel = Shipment.objects.filter(pk=inbound(case).pk)
    parcel.update(attempts=2, last_error="down", next_try_at=timezone.now() + dt.timedelta(minutes=5))  # failed
    seen.append(marks(case))
    parcel.update(attempts=3, next_try_at=timezone.now() + booking.CLAIM)  # tried again
    seen.append(marks(case))
    parcel.update(last_error="refused", next_try_at=None)  # refused: left to the staff
    seen.append(marks(case))
    booking.record_waybill(shipment=inbound(case), waybill="SF1000000000001", actor=principal_of(w.bench))
    seen.append(marks(case))
    push(inbound(case), Stage.IN_TRANSIT, at=timezone.now() - dt.timedelta(hours=1))
    seen.append(marks(case))
    push(inbound(case), Stage.COLLECTED, at=timezone.now() - dt.timedelta(hours=2))  # late, moves nothing
    seen.append(marks(case))

    assert len(set(seen)) == len(seen), seen
    assert marks(case) == marks(case)


def test_an_order_that_is_no_mail_in_has_no_marks(w):
    order = make_order(w)
    found = (WorkOrder.objects.filter(pk=order.pk).annotate(**selectors.change_marks(OuterRef("pk")))
             .values_list(*selectors.change_marks(OuterRef("pk"))).get())
    assert set(found) == {None}


def test_the_courier_fee_is_free_in_warranty_and_the_brands_otherwise(w):
    assert workflow.courier_fee(w.brand.pk, in_warranty=True) == Decimal("0.00")
    assert workflow.courier_fee(w.brand.pk, in_warranty=False) == Decimal("30.00")  # the default
    MailInPolicy.objects.create(brand=w.brand, courier_fee=Decimal("25.00"), inspection_fee=Decimal("20.00"))
    assert workflow.courier_fee(w.brand.pk, in_warranty=False) == Decimal("25.00")
    assert workflow.decline_charge(w.brand.pk) == Decimal("45.00")


def test_cancelling_online_ends_when_the_courier_has_the_unit(w):
    case = book(w)
    assert booking.cancel_refusal(case) == ""
    booking.record_waybill(shipment=inbound(case), waybill="SF1000000000001", actor=principal_of(w.bench))
    push(inbound(case), Stage.COLLECTED)
    case.refresh_from_db()
    with translation.override("en"):
        assert "already collected" in str(booking.cancel_refusal(case))
