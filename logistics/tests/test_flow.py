"""A mail-in repair end to end on the real database, with the manual courier backend (waybills typed by staff) and
route events as the courier's push delivers them: booking, the hops in and out, the bench, the quote, and what
must hold (no repair without an approved quote out of warranty, nothing shipped before QC, hops never back)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.principal import principal_of, system_principal
from core.couriers import Stage
from core.errors import IllegalTransition, InvalidInput, PermissionDenied
from core.models import OutboxEvent
from customers.tests.factories import InstalledProductFactory
from dispatch.gather import Clock, day_jobs, outlet_load
from logistics import bench, booking, watch
from logistics.choices import Hop, ShipmentStatus
from logistics.models import MailIn, MailInStep, Shipment, ShipmentEvent
from logistics.tests.setup import book, collected_and_arrived, inbound, outbound, prepare_mail_in, push
from parts.models import StockBalance
from parts.services.stock import ensure_store
from workorders import intake, services, workflow
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return prepare_mail_in(world)


def kinds(case: MailIn) -> list[str]:
    return list(OutboxEvent.objects.filter(work_order_id=case.work_order_id, kind__startswith="mailin.")
                .order_by("pk").values_list("kind", flat=True))


def on_hand(w, part) -> int:
    return StockBalance.objects.get(warehouse=ensure_store(w.centre), part=part).on_hand


def test_booking_opens_the_case_at_the_centre_without_sla_clocks_and_waits_for_the_waybill(w):
    case = book(w)

    order = case.work_order
    assert (order.status, order.outlet_id, order.type) == (Status.ASSIGNED, w.centre.pk, "mail_in")
    assert order.response_due is None and order.onsite_due is None  # its clocks are the hops'
    assert (order.slot_start, order.slot_end) == (case.pickup_start, case.pickup_end)
    assert case.pickup_start > timezone.now() and case.pickup_end - case.pickup_start == dt.timedelta(hours=2)
    assert case.hop == Hop.PICKUP_BOOKED and case.in_warranty is True
    assert case.hop_due == case.pickup_end + dt.timedelta(minutes=60)
    shipment = inbound(case)
    # The manual backend books nothing by itself: the parcel waits for its waybill, with no retry queued.
    assert (shipment.status, shipment.waybill, shipment.next_try_at, shipment.backend) == (
        ShipmentStatus.BOOKING, "", None, "manual")
    assert kinds(case) == []

    booking.record_waybill(shipment=shipment, waybill="sf1000000000001", actor=principal_of(w.bench))

    shipment.refresh_from_db()
    assert (shipment.status, shipment.waybill) == (ShipmentStatus.BOOKED, "SF1000000000001")
    assert kinds(case) == ["mailin.pickup_booked"]
    told = OutboxEvent.objects.get(kind="mailin.pickup_booked")
    assert told.data["waybill"] == "SF1000000000001" and told.data["number"] == order.number


def test_the_pickup_window_is_one_the_grid_offers(w):
    offered = intake.preview(product=w.product, service_type="mail_in").slots
    assert offered and {s.outlet_id for s in offered} == {w.centre.pk}
    case = book(w, slot=(offered[2].start, offered[2].end))
    assert (case.pickup_start, case.pickup_end) == (offered[2].start, offered[2].end)

    start = offered[0].start + dt.timedelta(minutes=30)
    with pytest.raises(InvalidInput) as refused:
        book(w, slot=(start, start + dt.timedelta(hours=2)))
    assert refused.value.field == "slot"
    assert MailIn.objects.count() == 1 and WorkOrder.objects.count() == 1


def test_no_repair_centre_for_the_category_refuses_the_booking(w):
    w.centre.is_repair_centre = False
    w.centre.save(update_fields=["is_repair_centre"])
    with pytest.raises(intake.NoRepairCentre) as refused:
        book(w)
    assert refused.value.code == "no_repair_centre"
    assert WorkOrder.objects.count() == 0 and MailIn.objects.count() == 0


def test_route_events_move_the_unit_forward_only_and_count_once(w):
    case = book(w)
    booking.record_waybill(shipment=inbound(case), waybill="SF1000000000001", actor=principal_of(w.bench))

    assert push(inbound(case), Stage.COLLECTED) == 1
    assert push(inbound(case), Stage.COLLECTED) == 0  # the same event twice
    case.refresh_from_db()
    assert case.hop == Hop.COLLECTED
    assert push(inbound(case), Stage.DELIVERED) == 1
    # A late "in transit", pushed after "arrived": kept on the route, moves nothing back.
    assert push(inbound(case), Stage.IN_TRANSIT) == 1
    case.refresh_from_db()
    shipment = inbound(case)
    assert case.hop == Hop.ARRIVED and shipment.status == ShipmentStatus.DELIVERED
    assert ShipmentEvent.objects.filter(shipment=shipment).count() == 3
    assert list(MailInStep.objects.filter(mail_in=case).values_list("hop", flat=True)) == [
        Hop.PICKUP_BOOKED, Hop.COLLECTED, Hop.ARRIVED]
    assert kinds(case) == ["mailin.pickup_booked", "mailin.collected", "mailin.moved"]


def test_in_warranty_repair_end_to_end_completes_the_order_on_delivery(w):
    case = collected_and_arrived(w, book(w))
    desk = principal_of(w.bench)

    case = bench.receive(mail_in=case, actor=desk, serial="sn-a-0001", condition="外壳轻微划痕",
                         accessories=["电源线", ""])
    assert (case.hop, case.serial_matches, case.accessories) == (Hop.RECEIVED, True, ["电源线"])
    case = bench.diagnose(mail_in=case, actor=desk, finding="增压泵损坏", parts=[("booster-pump", 1)])
    assert case.hop == Hop.DIAGNOSED and case.quote_parts == [["booster-pump", 1]]
    with pytest.raises(IllegalTransition):
        bench.quote(mail_in=case, actor=desk)  # in warranty: nothing to quote
    case = bench.repair(mail_in=case, actor=desk, parts=[(w.pump, 1)])
    assert (case.hop, case.outcome, case.charge_total) == (Hop.REPAIRED, "repaired", Decimal("0.00"))
    assert on_hand(w, w.pump) == 2
    with pytest.raises(IllegalTransition):
        bench.ship(mail_in=case, actor=desk)  # not before QC
    case = bench.check_quality(mail_in=case, actor=desk, checks={p: True for p in bench.QC_POINTS})
    assert case.hop == Hop.QC_PASSED

    shipment = bench.ship(mail_in=case, actor=desk)
    assert shipment.direction == "outbound" and shipment.status == ShipmentStatus.BOOKING
    booking.record_waybill(shipment=shipment, waybill="SF2000000000002", actor=desk)
    case.refresh_from_db()
    assert case.hop == Hop.SHIPPED
    push(outbound(case), Stage.COLLECTED)
    push(outbound(case), Stage.OUT_FOR_DELIVERY)
    case.refresh_from_db()
    assert case.hop == Hop.SHIPPED
    push(outbound(case), Stage.DELIVERED)

    case.refresh_from_db()
    order = WorkOrder.objects.get(pk=case.work_order_id)
    assert case.hop == Hop.DELIVERED and case.delivered_at is not None
    assert order.status == Status.COMPLETED and order.completed_at is not None
    assert list(MailInStep.objects.filter(mail_in=case).values_list("hop", flat=True)) == [
        Hop.PICKUP_BOOKED, Hop.COLLECTED, Hop.ARRIVED, Hop.RECEIVED, Hop.DIAGNOSED, Hop.REPAIRED, Hop.QC_PASSED,
        Hop.SHIPPED, Hop.DELIVERED]
    assert "order.completed" in OutboxEvent.objects.filter(work_order_id=order.pk).values_list("kind", flat=True)
    # A late duplicate of the delivery changes nothing.
    assert push(outbound(case), Stage.DELIVERED) == 0


@pytest.fixture
def old_unit(w):
    return InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model, serial="SN-OLD-1",
                                   purchase_date=dt.date(2020, 1, 5), install_date=dt.date(2020, 1, 10))


def test_out_of_warranty_no_repair_before_the_customer_approves(w, old_unit):
    case = collected_and_arrived(w, book(w, product=old_unit))
    desk = principal_of(w.bench)
    assert case.in_warranty is False
    case = bench.receive(mail_in=case, actor=desk, serial="SN-OLD-1")
    case = bench.diagnose(mail_in=case, actor=desk, finding="增压泵损坏", parts=[("booster-pump", 1)])

    with pytest.raises(IllegalTransition):
        bench.repair(mail_in=case, actor=desk, parts=[(w.pump, 1)])
    case.refresh_from_db()
    assert case.hop == Hop.DIAGNOSED and on_hand(w, w.pump) == 3

    case = bench.quote(mail_in=case, actor=desk)
    # Labour 60 + the pump 260 + the courier 30 (no call-out: nobody travels).
    assert case.hop == Hop.QUOTED and case.quote_total == Decimal("350.00") and case.quote_token
    assert OutboxEvent.objects.get(kind="mailin.quoted").data["amount"] == "350.00"
    with pytest.raises(IllegalTransition):
        bench.repair(mail_in=case, actor=desk, parts=[(w.pump, 1)])
    with pytest.raises(PermissionDenied):
        bench.decide(mail_in=case, actor=principal_of(w.other_customer.user), decision="approved")

    case = bench.decide(mail_in=case, actor=principal_of(w.customer.user), decision="approved")
    assert (case.hop, case.charge_total) == (Hop.APPROVED, Decimal("350.00"))
    case = bench.repair(mail_in=case, actor=desk, parts=[(w.pump, 1)])
    assert case.hop == Hop.REPAIRED and on_hand(w, w.pump) == 2


def test_a_declined_quote_comes_back_unrepaired_after_qc_with_the_fees(w, old_unit):
    case = collected_and_arrived(w, book(w, product=old_unit))
    desk = principal_of(w.bench)
    case = bench.receive(mail_in=case, actor=desk, serial="SN-OLD-1")
    case = bench.diagnose(mail_in=case, actor=desk, finding="主板烧毁", parts=[("purifier-pcb", 1)])
    case = bench.quote(mail_in=case, actor=desk)

    case = bench.decide(mail_in=case, actor=principal_of(w.customer.user), decision="declined")

    assert (case.hop, case.outcome, case.charge_total) == (Hop.DECLINED, "unrepaired", Decimal("30.00"))
    with pytest.raises(IllegalTransition):
        bench.repair(mail_in=case, actor=desk)
    with pytest.raises(IllegalTransition):
        bench.ship(mail_in=case, actor=desk)
    case = bench.check_quality(mail_in=case, actor=desk, checks={p: True for p in bench.QC_POINTS
                                                                 if p != "fault_gone"})
    assert case.hop == Hop.QC_PASSED


def test_a_failed_quality_check_keeps_the_unit_at_the_bench(w):
    case = collected_and_arrived(w, book(w))
    desk = principal_of(w.bench)
    case = bench.receive(mail_in=case, actor=desk, serial="SN-A-0001")
    case = bench.diagnose(mail_in=case, actor=desk, finding="进水阀卡滞")
    case = bench.repair(mail_in=case, actor=desk, note="清洗进水阀")
    version = case.version

    case = bench.check_quality(mail_in=case, actor=desk, checks={**{p: True for p in bench.QC_POINTS},
                                                                 "no_leak": False}, note="接头渗水")

    case.refresh_from_db()
    assert case.hop == Hop.REPAIRED and case.version == version
    failed = MailInStep.objects.filter(mail_in=case).last()
    assert (failed.hop, failed.customer_visible, failed.data) == (Hop.REPAIRED, False, {"qc_failed": ["no_leak"]})
    with pytest.raises(IllegalTransition):
        bench.ship(mail_in=case, actor=desk)


def test_parts_the_store_lacks_refuse_the_repair_and_change_nothing(w):
    case = collected_and_arrived(w, book(w))
    desk = principal_of(w.bench)
    case = bench.receive(mail_in=case, actor=desk, serial="SN-A-0001")
    case = bench.diagnose(mail_in=case, actor=desk, finding="增压泵损坏")

    with pytest.raises(Exception) as short:
        bench.repair(mail_in=case, actor=desk, parts=[(w.pump, 4)])

    assert short.value.code == "insufficient_stock"
    case.refresh_from_db()
    assert case.hop == Hop.DIAGNOSED and on_hand(w, w.pump) == 3


def test_only_the_centres_desk_works_the_bench(w):
    case = collected_and_arrived(w, book(w))
    for outsider in (w.manager_a, w.dispatcher):
        with pytest.raises(PermissionDenied):
            bench.receive(mail_in=case, actor=principal_of(outsider), serial="SN-A-0001")
    case.refresh_from_db()
    assert case.hop == Hop.ARRIVED


def test_a_serial_that_does_not_match_is_received_and_flagged(w):
    case = collected_and_arrived(w, book(w))
    case = bench.receive(mail_in=case, actor=principal_of(w.bench), serial="SN-OTHER-9")
    assert (case.hop, case.serial_matches, case.received_serial) == (Hop.RECEIVED, False, "SN-OTHER-9")


def test_an_exchange_swaps_the_serial_on_the_customers_unit(w):
    case = collected_and_arrived(w, book(w))
    desk = principal_of(w.bench)
    case = bench.receive(mail_in=case, actor=desk, serial="SN-A-0001")
    case = bench.diagnose(mail_in=case, actor=desk, finding="整机故障，换新机")
    with pytest.raises(InvalidInput):
        bench.repair(mail_in=case, actor=desk, exchange_serial="SN-B-0001")  # another customer's unit
    case = bench.repair(mail_in=case, actor=desk, exchange_serial="sn-r-7777")
    w.product.refresh_from_db()
    assert (case.outcome, case.exchange_serial, w.product.serial) == ("exchanged", "SN-R-7777", "SN-R-7777")
    assert MailInStep.objects.filter(mail_in=case, hop=Hop.REPAIRED).get().data["old_serial"] == "SN-A-0001"


def test_the_customer_may_cancel_only_before_the_courier_has_the_unit(w):
    case = book(w)
    booking.record_waybill(shipment=inbound(case), waybill="SF1000000000001", actor=principal_of(w.bench))
    push(inbound(case), Stage.COLLECTED)
    order = WorkOrder.objects.get(pk=case.work_order_id)
    with pytest.raises(IllegalTransition):
        workflow.transition(order, "cancel", actor=principal_of(w.customer.user), reason="不修了")
    order.refresh_from_db()
    assert order.status == Status.ASSIGNED

    second = book(w)
    order = WorkOrder.objects.get(pk=second.work_order_id)
    workflow.transition(order, "cancel", actor=principal_of(w.customer.user), reason="不修了")
    second.refresh_from_db()
    assert second.hop == Hop.CANCELLED
    assert inbound_any(second).status == ShipmentStatus.CANCELLED


def inbound_any(case):
    return Shipment.objects.get(mail_in=case, direction="inbound")


def test_a_mail_in_order_is_never_dispatched_nor_redelivered_by_hand(w):
    case = book(w)
    order = WorkOrder.objects.get(pk=case.work_order_id)
    w.tech_a.outlet = w.centre
    w.tech_a.save(update_fields=["outlet"])
    with pytest.raises(IllegalTransition):
        workflow.transition(order, "dispatch", actor=principal_of(w.admin), technician=w.tech_a)
    order.refresh_from_db()
    assert order.status == Status.ASSIGNED and order.technician_id is None
    with pytest.raises(PermissionDenied):
        workflow.transition(order, "redeliver", actor=principal_of(w.admin))  # the system's step only
    visit = make_order(w, outlet=w.outlet_a, status=Status.ASSIGNED)
    with pytest.raises(IllegalTransition):
        workflow.transition(visit, "redeliver", actor=system_principal(w.brand.pk))  # a visit ends on site
    visit.refresh_from_db()
    assert visit.status == Status.ASSIGNED


def test_the_watch_flags_a_late_hop_once(w):
    case = collected_and_arrived(w, book(w))
    later = case.hop_due + dt.timedelta(minutes=1)

    assert watch.sweep(now=later) == 1
    assert watch.sweep(now=later) == 0
    case.refresh_from_db()
    assert case.late_hop == Hop.ARRIVED
    late = OutboxEvent.objects.get(kind="mailin.late")
    assert late.data["hop"] == Hop.ARRIVED
    bench.receive(mail_in=case, actor=principal_of(w.bench), serial="SN-A-0001")
    case.refresh_from_db()
    assert case.late_hop == "" and case.hop_due > later - dt.timedelta(minutes=1)


def test_a_mail_in_order_is_on_nobodys_day_at_the_centre(w):
    case = book(w)
    day = timezone.localtime(case.pickup_start).date()
    clk = Clock(day=day, tz=timezone.get_current_timezone(), now=timezone.now())
    visit = make_order(w, outlet=w.centre, status=Status.ASSIGNED)
    WorkOrder.objects.filter(pk=visit.pk).update(slot_start=case.pickup_start, slot_end=case.pickup_end)

    jobs = {row["pk"] for row in day_jobs(w.brand.pk, [w.centre.pk], clk)}

    assert jobs == {visit.pk}  # the visit is the centre's to plan; the mailed-in unit is not
    assert outlet_load([w.centre.pk], clk)[w.centre.pk] == 1


def test_the_pickup_window_and_address_are_not_edited_on_the_order(w):
    case = book(w)
    order = WorkOrder.objects.get(pk=case.work_order_id)
    later = case.pickup_start + dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as refused:
        services.update_work_order(order=order, actor=principal_of(w.dispatcher),
                                 changes={"slot_start": later, "slot_end": later + dt.timedelta(hours=2)})
    assert refused.value.field == "slot_end"
    order.refresh_from_db()
    assert (order.slot_start, order.onsite_due) == (case.pickup_start, None)


def test_damage_the_warranty_excludes_makes_the_repair_paid_and_quoted_in_full(w):
    case = collected_and_arrived(w, book(w))
    desk = principal_of(w.bench)
    assert case.in_warranty is True
    case = bench.receive(mail_in=case, actor=desk, serial="SN-A-0001")
    with pytest.raises(InvalidInput):
        bench.diagnose(mail_in=case, actor=desk, finding="外壳摔裂", exclusion="bad-luck")

    case = bench.diagnose(mail_in=case, actor=desk, finding="外壳摔裂，泵损坏", parts=[("booster-pump", 1)],
                          exclusion="accidental_damage")

    assert (case.in_warranty, case.exclusion) == (False, "accidental_damage")
    assert "accidental" in case.warranty_reason["en"] and case.warranty_reason["zh-hans"]
    with pytest.raises(IllegalTransition):
        bench.repair(mail_in=case, actor=desk, parts=[(w.pump, 1)])
    case = bench.quote(mail_in=case, actor=desk)
    assert case.quote_total == Decimal("350.00")  # labour 60 + the pump 260 + the courier 30: none covered
    assert not any(line["covered"] for line in case.quote["lines"])
