"""What keeps the demo's mail-in units moving under `make run` (demo/providers.py starts both, in demo_providers).

- ``take_over(sf)``: `make run`'s SF stand-in learns the parcels the demo left on their way (booked at the build's
  stand-in, demo/mail_in.py), as SF's own systems know them, and carries each on from where its route stopped;
  a pickup booked goes out in its window. Its pushes reach the server's route callback like any other.
- ``BenchRobot``: the repair centre's bench, played by its manager through the real services (logistics.bench).
  A unit that has waited in a bench hop for a few minutes of the accelerated clock gets its next step: received
  (with the order's serial), diagnosed (a part for its model from the centre's store), quoted when out of warranty
  or repaired, checked (every point ticked), shipped back through the courier. It never answers a quote: that is
  the customer's, in the portal or by the message's link.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership, Organisation
from accounts.principal import Principal, principal_of
from catalog.models import Part
from core.couriers.standin import SF_CODES, SfExpressStandIn
from core.errors import DomainError
from demo import data
from demo.mail_in_story import bench_part, finding_for
from logistics import bench, booking
from logistics.choices import Direction, Hop, ShipmentStatus
from logistics.models import MailIn, Shipment, ShipmentEvent

ON_THE_WAY = (ShipmentStatus.BOOKED, ShipmentStatus.COLLECTED, ShipmentStatus.IN_TRANSIT,
              ShipmentStatus.OUT_FOR_DELIVERY)
# How long a unit waits in each bench hop before the bench takes its next step, in minutes of the story's clock.
WAITS = {Hop.ARRIVED: 30, Hop.RECEIVED: 45, Hop.DIAGNOSED: 30, Hop.APPROVED: 60, Hop.DECLINED: 20, Hop.REPAIRED: 40,
         Hop.QC_PASSED: 15}


def take_over(sf: SfExpressStandIn) -> int:
    """Give ``sf`` the journeys of the demo's SF parcels still on their way; how many it took."""
    taken = 0
    for shipment in (Shipment.objects.filter(backend="sf", status__in=ON_THE_WAY).exclude(waybill="")
                     .exclude(mail_in__hop=Hop.CANCELLED).select_related("mail_in__centre").order_by("pk")):
        if shipment.waybill in sf.parcels:
            continue
        request = booking.pickup_request(shipment, notify_url=sf.push_url)
        done = set(ShipmentEvent.objects.filter(shipment=shipment).values_list("provider_code", flat=True))
        with sf.lock:
            parcel = sf.book(reference=shipment.reference, sender=request.sender, receiver=request.receiver,
                             start=shipment.window_start, end=shipment.window_end)
            sf.parcels.pop(parcel.waybill)
            parcel.waybill = shipment.waybill
            parcel.plan = [hop for hop in parcel.plan if SF_CODES[hop.step] not in done]
            sf.parcels[parcel.waybill] = parcel
            sf.orders[shipment.reference] = parcel
        taken += 1
    return taken


@dataclass
class BenchRobot:
    """The repair centre's next bench steps, taken every ``tick``; ``pace`` is the stand-in's (1/60: an hour a
    minute)."""

    pace: float
    failed: set[tuple[int, str, int]] = field(default_factory=set)  # (case, hop, version) it could not step

    def tick(self, now: dt.datetime | None = None) -> list[str]:
        """Take each step that is due; a line for each, as the providers' log prints them."""
        now = now or timezone.now()
        centre = Organisation.objects.filter(code=data.REPAIR_CENTRE[0], brand__code=data.BRAND_CODE,
                                             is_repair_centre=True).first()
        manager = (Membership.objects.filter(organisation=centre, role=Role.OUTLET_MANAGER, is_active=True)
                   .select_related("user").order_by("pk").first()) if centre else None
        desk = principal_of(manager.user) if manager else None
        if desk is None:
            return []
        lines = []
        stamp = f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S}"
        for case in (MailIn.objects.filter(centre=centre, hop__in=list(WAITS))
                     .select_related("work_order__product").order_by("hop_since", "pk")):
            key = (case.pk, case.hop, case.version)
            if key in self.failed or now - case.hop_since < dt.timedelta(minutes=WAITS[case.hop]) * self.pace:
                continue
            try:
                said = self.step(case, desk)
            except DomainError as error:
                self.failed.add(key)
                said = f"could not take the step after {case.hop}: {error}"
            if said:
                lines.append(f"{stamp} Bench {case.work_order.number}: {said}")
        return lines

    def step(self, case: MailIn, desk: Principal) -> str:
        product = case.work_order.product
        if case.hop == Hop.ARRIVED:
            serial = product.serial if product else "UNKNOWN"
            bench.receive(mail_in=case, actor=desk, serial=serial, condition="外观完好", accessories=["电源线"])
            return f"received, serial {serial}"
        if case.hop == Hop.RECEIVED:
            part = bench_part(case, product.product_model_id, lambda fits: fits[0]) if product else None
            case = bench.diagnose(mail_in=case, actor=desk, finding=finding_for(part),
                                  parts=[(part.code, 1)] if part else [])
            return f"diagnosed: {case.diagnosis}" + (f" ({part.code})" if part else "")
        if case.hop == Hop.DIAGNOSED and case.quote_required:
            case = bench.quote(mail_in=case, actor=desk)
            return f"quoted {case.quote_total} yuan; waiting for the customer's answer"
        if case.hop in (Hop.DIAGNOSED, Hop.APPROVED):
            used = [(Part.objects.get(brand_id=case.brand_id, code=code), n) for code, n in case.quote_parts]
            bench.repair(mail_in=case, actor=desk, parts=used, note="更换故障件，通电试机正常" if used else "")
            return "repaired" + (f" with {', '.join(code for code, _n in case.quote_parts)}" if used else "")
        if case.hop in (Hop.REPAIRED, Hop.DECLINED):
            bench.check_quality(mail_in=case, actor=desk, checks={point: True for point in bench.QC_POINTS})
            return "quality check passed"
        if case.hop == Hop.QC_PASSED:
            if Shipment.objects.filter(mail_in=case, direction=Direction.OUTBOUND).exclude(
                    status=ShipmentStatus.CANCELLED).exists():
                return ""  # handed over already: its booking is retried by the periodic job
            shipment = bench.ship(mail_in=case, actor=desk)
            if shipment.waybill:
                return f"shipped back with {shipment.backend} waybill {shipment.waybill}"
            if shipment.last_error:
                return f"handed to the courier; its booking failed, to be tried again: {shipment.last_error}"
            return "handed to the courier; its pickup is being booked"
        return ""
