"""Opening a mail-in case and booking its parcels with the courier (core/couriers), without ever losing a pickup.

A case opens inside the intake's transaction (``open_case``, the receiver of workorders.intake.mail_in_booked):
the unit's ``MailIn`` and its inbound ``Shipment`` in state ``booking``. The courier is called after the commit,
never inside a transaction of ours (``book``, from the task on commit and from the periodic job): a courier that
is down, slow or refuses leaves the shipment in ``booking`` with its error and the time of the next try, which
the tracking page and the bench show. A shipment is booked by one worker at a time: it claims the shipment by
moving ``next_try_at`` forward with a compare-and-set first.

A courier that refuses (an address it cannot serve) is not tried again by itself: staff correct the address or
type the waybill of a pickup they arranged by hand (``record_waybill``), as with the manual backend.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from catalog.choices import ServiceType
from core import couriers, outbox
from core.couriers import Address, CourierError, CourierRefused, PickupRequest
from core.errors import IllegalTransition, InvalidInput
from core.geo.gazetteer import Gazetteer
from logistics import workflow
from logistics.choices import Direction, Hop, ShipmentStatus
from logistics.models import MailIn, MailInStep, Shipment
from pricing import warranty
from workorders.estimates import each_language
from workorders.models import WorkOrder

logger = logging.getLogger("aftersales.logistics")

CLAIM = dt.timedelta(minutes=2)  # a worker that died while calling the courier leaves the shipment to retry then
BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=15), dt.timedelta(hours=1))
WAYBILL_MAX = Shipment._meta.get_field("waybill").max_length
DEFAULT_WEIGHT_KG = Decimal("5")


def _backoff(attempts: int) -> dt.timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1] if attempts > 0 else BACKOFF[0]


def reference_of(mail_in_id: int, direction: str, n: int = 1) -> str:
    """Our reference for a parcel, unique per shipment: the courier dedupes on it."""
    suffix = "IN" if direction == Direction.INBOUND else "OUT"
    return f"MI{mail_in_id:08d}{suffix}{n}"


def _address(name: str, phone: str, text: str, city: str = "") -> Address:
    where = Gazetteer.shared().geocode(text, city=city)
    return Address(name=name, phone=phone, province=where.province if where else "",
                   city=where.city if where else city, district=where.district if where else "", street=text)


def open_case(*, order: WorkOrder, actor: Principal) -> tuple[MailIn, Shipment]:
    """Inside the intake's transaction: the unit's case at its repair centre and the pickup to book (the caller
    has the courier called after the commit: tasks.book_pickup)."""
    now = timezone.now()
    site = order.site
    customer = order.customer
    product = order.product
    judged = warranty.verdict(product=product, on=order.created_at, service_type=ServiceType.MAIL_IN,
                              symptom_code=order.reported_symptom.code if order.reported_symptom_id else "")
    mail_in = MailIn(work_order=order, brand_id=order.brand_id, centre_id=order.outlet_id, hop=Hop.PICKUP_BOOKED,
                     hop_since=now, pickup_start=order.slot_start, pickup_end=order.slot_end,
                     contact_name=(site.contact_name if site and site.contact_name else customer.name)[:80],
                     contact_phone=(site.contact_phone if site and site.contact_phone else customer.phone)[:20],
                     address=site.address if site else "", in_warranty=judged.covered,
                     warranty_reason=each_language(judged.reason), created_at=now)
    mail_in.hop_due = workflow.due_of(mail_in, Hop.PICKUP_BOOKED, now)
    mail_in.save()
    MailInStep.objects.create(mail_in=mail_in, hop=Hop.PICKUP_BOOKED, at=now, actor=actor.user,
                              actor_role=actor.role, customer_visible=True)
    return mail_in, _new_shipment(mail_in, Direction.INBOUND, now=now)


def _new_shipment(mail_in: MailIn, direction: str, *, now: dt.datetime) -> Shipment:
    n = Shipment.objects.filter(mail_in=mail_in, direction=direction).count() + 1
    if direction == Direction.INBOUND:
        start, end = mail_in.pickup_start, mail_in.pickup_end
    else:  # the centre hands the unit over now: the courier's next round
        start, end = now, now + dt.timedelta(hours=2)
    shipment = Shipment.objects.create(mail_in=mail_in, direction=direction, backend=couriers.backend().name,
                                       reference=reference_of(mail_in.pk, direction, n), window_start=start,
                                       window_end=end, next_try_at=now, created_at=now)
    return shipment


def push_url(backend: str) -> str:
    """Where the courier pushes the parcel's route events (api.py: /api/v1/couriers/<backend>/routes)."""
    return settings.SITE_URL.rstrip("/") + reverse("api:courier-routes", kwargs={"backend": backend})


def pickup_request(shipment: Shipment, *, notify_url: str) -> PickupRequest:
    mail_in = shipment.mail_in
    centre = mail_in.centre
    customer = _address(mail_in.contact_name, mail_in.contact_phone, mail_in.address)
    bench = _address(centre.name, centre.phone, centre.address, centre.city)
    product = mail_in.work_order.product
    parcel = f"{product.product_model.name} {product.serial}" if product is not None else "mail-in repair"
    sender, receiver = (customer, bench) if shipment.direction == Direction.INBOUND else (bench, customer)
    return PickupRequest(reference=shipment.reference, sender=sender, receiver=receiver, parcel=parcel[:100],
                         weight_kg=DEFAULT_WEIGHT_KG, window_start=shipment.window_start,
                         window_end=shipment.window_end, notify_url=notify_url)


def _claim(shipment_id: int, now: dt.datetime) -> bool:
    return bool(Shipment.objects.filter(Q(next_try_at__lte=now), pk=shipment_id, status=ShipmentStatus.BOOKING)
                .update(next_try_at=now + CLAIM, attempts=F("attempts") + 1))


def book(shipment_id: int, *, now: dt.datetime | None = None) -> Shipment:
    """Ask the courier for the parcel's pickup (outside any transaction); idempotent: a shipment booked, cancelled
    or being booked by another worker is left as it is."""
    now = now or timezone.now()
    if not _claim(shipment_id, now):
        return Shipment.objects.get(pk=shipment_id)
    shipment = Shipment.objects.select_related("mail_in__centre", "mail_in__work_order__product__product_model",
                                               "mail_in__work_order__customer").get(pk=shipment_id)
    try:
        booking = couriers.backend(shipment.backend).create_pickup(
            pickup_request(shipment, notify_url=push_url(shipment.backend)))
    except CourierRefused as error:
        # Trying again would be refused again: it waits for staff (a corrected address, a waybill by hand).
        Shipment.objects.filter(pk=shipment.pk, status=ShipmentStatus.BOOKING).update(
            last_error=_error_text(error), next_try_at=None)
    except CourierError as error:
        Shipment.objects.filter(pk=shipment.pk, status=ShipmentStatus.BOOKING).update(
            last_error=_error_text(error), next_try_at=now + _backoff(shipment.attempts))
        logger.warning("courier %s: pickup %s not booked (try %s): %s", shipment.backend, shipment.reference,
                       shipment.attempts, error)
    else:
        if booking.waybill:
            _booked(shipment, booking.waybill, actor=None, now=timezone.now(), provider_order=booking.provider_order)
        else:  # the manual backend: staff arrange the pickup and type its waybill
            Shipment.objects.filter(pk=shipment.pk, status=ShipmentStatus.BOOKING).update(next_try_at=None)
    return Shipment.objects.get(pk=shipment_id)


def _error_text(error: Exception) -> str:
    detail = getattr(error, "detail", None) or {}
    said = detail.get("provider_message") or detail.get("message") or ""
    return f"{error}{' — ' + str(said) if said else ''}"[:500]


def _booked(shipment: Shipment, waybill: str, *, actor: Principal | None, now: dt.datetime,
            provider_order: str = "") -> bool:
    """The parcel has its waybill: the shipment is booked, the customer told; an outbound one ships the unit."""
    with transaction.atomic():
        if not Shipment.objects.filter(pk=shipment.pk, status=ShipmentStatus.BOOKING).update(
                status=ShipmentStatus.BOOKED, waybill=waybill, provider_order=provider_order[:80], booked_at=now,
                last_error="", next_try_at=None):
            return False
        mail_in = MailIn.objects.select_related("work_order").get(pk=shipment.mail_in_id)
        if shipment.direction == Direction.OUTBOUND:
            if mail_in.hop == Hop.QC_PASSED:
                workflow.move(mail_in, Hop.SHIPPED, actor=actor, at=now, place=mail_in.centre.city,
                              data={"waybill": waybill}, message={"waybill": waybill})
        else:
            order = mail_in.work_order
            outbox.record("mailin.pickup_booked", brand_id=mail_in.brand_id, work_order_id=order.pk,
                          subject=("mailin", mail_in.pk),
                          data={"number": order.number, "waybill": waybill, "customer_id": order.customer_id,
                                "slot_start": mail_in.pickup_start.isoformat(),
                                "slot_end": mail_in.pickup_end.isoformat()}, at=now)
    return True


def record_waybill(*, shipment: Shipment, waybill: str, actor: Principal) -> Shipment:
    """Staff booked the pickup themselves (the manual backend, a courier that refused): its waybill."""
    waybill = (waybill or "").strip().upper()
    if not waybill or len(waybill) > WAYBILL_MAX or not waybill.replace("-", "").isalnum():
        raise InvalidInput(_("Give the courier's waybill number."), field="waybill")
    if shipment.status != ShipmentStatus.BOOKING:
        raise IllegalTransition(_("This parcel already has its waybill."), from_status=shipment.status)
    if Shipment.objects.filter(backend=shipment.backend, waybill=waybill).exists():
        raise InvalidInput(_("Another parcel already has this waybill."), field="waybill")
    if not _booked(shipment, waybill, actor=actor, now=timezone.now()):
        raise IllegalTransition(_("This parcel already has its waybill."), from_status=shipment.status)
    return Shipment.objects.get(pk=shipment.pk)


def due_for_booking(now: dt.datetime) -> list[int]:
    return list(Shipment.objects.filter(status=ShipmentStatus.BOOKING, next_try_at__lte=now)
                .order_by("next_try_at").values_list("pk", flat=True)[:200])


def cancel_refusal(case: MailIn | None) -> Any:
    """Why the customer may no longer cancel online ("" while they may): once the courier has the unit. The portal
    shows it instead of the button; ``cancel_case`` refuses with it."""
    if case is None or case.hop in (Hop.PICKUP_BOOKED, Hop.CANCELLED):
        return ""
    return _("The courier has already collected the unit, so the repair cannot be cancelled online. Please call "
             "the hotline.")


def cancel_case(*, order: WorkOrder, actor: Principal, reason: str) -> None:
    """Inside the cancel's transaction (workorders.workflow.cancelling): refused once the courier has the unit;
    before that the case ends and its pickup is called off (at the courier after the commit)."""
    mail_in = MailIn.objects.filter(work_order=order).first()
    if mail_in is None or mail_in.hop == Hop.CANCELLED:
        return
    refusal = cancel_refusal(mail_in)
    if refusal:
        raise IllegalTransition(refusal, from_status=mail_in.hop)
    workflow.move(mail_in, Hop.CANCELLED, actor=actor, note=reason)
    for shipment in Shipment.objects.filter(mail_in=mail_in).exclude(status=ShipmentStatus.CANCELLED):
        Shipment.objects.filter(pk=shipment.pk).update(status=ShipmentStatus.CANCELLED, next_try_at=None)
        if shipment.waybill:
            transaction.on_commit(lambda s=shipment: _cancel_at_courier(s))


def _cancel_at_courier(shipment: Shipment) -> None:
    try:
        couriers.backend(shipment.backend).cancel(reference=shipment.reference, waybill=shipment.waybill,
                                                  provider_order=shipment.provider_order)
    except (CourierError, CourierRefused) as error:
        # The courier comes for nothing at worst; the case is cancelled either way.
        logger.warning("courier %s: pickup %s not cancelled: %s", shipment.backend, shipment.waybill, error)


def open_return(mail_in: MailIn, *, now: dt.datetime) -> Shipment:
    """Inside the ship step's transaction: the parcel back to the customer, booked after the commit."""
    live = Shipment.objects.filter(mail_in=mail_in, direction=Direction.OUTBOUND).exclude(
        status=ShipmentStatus.CANCELLED).first()
    return live or _new_shipment(mail_in, Direction.OUTBOUND, now=now)
