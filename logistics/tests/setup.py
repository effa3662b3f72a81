"""The shared test world made ready for mail-in repair: a repair centre, mail-in allowed and priced for purifiers,
parts in the centre's store, and helpers that book a mail-in order and move it through the courier's hops."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from accounts.choices import Role
from accounts.principal import principal_of
from accounts.tests.factories import MembershipFactory, OutletFactory, UserFactory
from catalog.choices import ServiceType
from catalog.models import Part
from core.couriers import RouteEvent, Stage
from logistics import booking, routes
from logistics.models import MailIn, Shipment
from parts import ledger
from parts.services.stock import ensure_store
from pricing.models import LabourPrice, PriceList
from workorders import intake
from workorders.tests.intake_setup import prepare_intake


def prepare_mail_in(world):
    w = prepare_intake(world)
    w.category.mail_in_allowed = True
    w.category.save(update_fields=["mail_in_allowed"])
    # The demo's price lists may already price a purifier's mail-in (at the same 60).
    LabourPrice.objects.bulk_create([
        LabourPrice(price_list=pl, category=w.category, service_type=ServiceType.MAIL_IN, amount=Decimal("60.00"))
        for pl in PriceList.objects.filter(brand=w.brand)], ignore_conflicts=True)
    w.centre = OutletFactory(brand=w.brand, code="hz-centre", name="杭州中央维修中心", is_repair_centre=True,
                             address="浙江省杭州市余杭区文一西路1号", phone="0571-88880000")
    w.category.authorised_outlets.add(w.centre)
    w.bench = UserFactory(username="bench")
    MembershipFactory(user=w.bench, organisation=w.centre, role=Role.OUTLET_MANAGER)
    w.pump = Part.objects.get(brand=w.brand, code="booster-pump")
    with_stock(w, w.pump, 3)
    return w


def with_stock(w, part: Part, n: int) -> None:
    with transaction.atomic():
        ledger.post([ledger.receive(ensure_store(w.centre), part, n)], actor=principal_of(w.admin))


def book(w, *, customer=None, product=None, slot=None) -> MailIn:
    customer = customer or w.customer
    with TestCase.captureOnCommitCallbacks(execute=True):  # the courier is called after the commit
        order = intake.submit_request(actor=principal_of(customer.user), customer=customer,
                                      service_type=ServiceType.MAIL_IN, channel="portal",
                                      product=product or w.product, description="不出水", slot=slot)
    return MailIn.objects.get(work_order=order)


def inbound(case: MailIn) -> Shipment:
    return Shipment.objects.get(mail_in=case, direction="inbound")


def outbound(case: MailIn) -> Shipment:
    return Shipment.objects.exclude(status="cancelled").get(mail_in=case, direction="outbound")


def push(shipment: Shipment, stage: str, *, event_id: str | None = None, at: dt.datetime | None = None,
         place: str = "杭州") -> int:
    """The courier reports ``stage`` of the parcel (as its push would, through the backend's parse_push)."""
    shipment.refresh_from_db()
    event = RouteEvent(waybill=shipment.waybill, event_id=event_id or f"{shipment.waybill}-{stage}", stage=stage,
                       at=at or timezone.now(), place=place, text=f"{stage} @ {place}", provider_code=stage)
    return routes.record(backend=shipment.backend, events=[event])


def collected_and_arrived(w, case: MailIn, waybill: str = "SF1000000000001") -> MailIn:
    booking.record_waybill(shipment=inbound(case), waybill=waybill, actor=principal_of(w.bench))
    push(inbound(case), Stage.COLLECTED)
    push(inbound(case), Stage.DELIVERED)
    case.refresh_from_db()
    return case
