"""The repair centre's bench: receive, diagnose, quote, repair, check and ship a mail-in unit; and the customer's
answer to a quote. Each step is one service (the API and the bench's pages call these), taken by the centre's
staff (its manager or dispatcher) or the brand's admin, on a case fetched through ``visible_to``.

What must hold: a unit out of warranty is repaired only after the customer approved the quote; nothing leaves the
centre before its quality check passed; the parts come out of the centre's store through the parts ledger, all
or none (never below zero).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.principal import Principal
from catalog.choices import ExclusionReason, ServiceType
from catalog.models import Part
from core.errors import IllegalTransition, InvalidInput, PermissionDenied
from core.images import accept_photo
from core.text import render_lazy
from customers.choices import ProductStatus
from customers.models import InstalledProduct, new_qr_token
from logistics import booking, workflow
from logistics.choices import Decision, Hop, Outcome, ShipmentStatus
from logistics.models import MailIn, MailInStep, Shipment
from parts import ledger
from parts.services.common import Line, check_lines
from parts.services.stock import ensure_store
from pricing.services import estimate
from workorders.attachments import check_photo_count, files_rolled_back, store_photo
from workorders.estimates import each_language, estimate_json
from workorders.models import AttachmentKind, WorkOrderAttachment

BENCH_ROLES = frozenset({Role.OUTLET_MANAGER, Role.OUTLET_DISPATCHER})
NOTE_MAX = 500
# The quality check's points: each must be ticked for the unit to leave.
QC_POINTS = ("powers_on", "fault_gone", "no_leak", "clean", "accessories_packed", "serial_checked")
SERIAL_MAX = 40


def ensure_bench(actor: Principal, mail_in: MailIn) -> None:
    """The centre's own desk, or the brand's admin; anyone else may not work on the unit."""
    if actor.role in BENCH_ROLES and actor.outlet_id == mail_in.centre_id:
        return
    if actor.role == Role.BRAND_ADMIN and actor.brand_id == mail_in.brand_id:
        return
    raise PermissionDenied(_("Only the repair centre's staff may work on this unit."))


def _text(value: str, field: str, *, required: bool = False, limit: int = NOTE_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("This field is required."), field=field)
    if len(value) > limit:
        raise InvalidInput(_("The text is too long."), field=field, max_length=limit)
    return value


def _expect(mail_in: MailIn, *hops: str) -> None:
    if mail_in.hop not in hops:
        raise IllegalTransition(from_status=mail_in.hop, allowed=list(hops))


def receive(*, mail_in: MailIn, actor: Principal, serial: str, condition: str = "",
            accessories: Sequence[str] = (), photos: Sequence[Any] = (), photo_ids: Sequence[int] = ()) -> MailIn:
    """Unpacked at the bench: the serial read off the unit (checked against the order's), its condition, what came
    with it and photos of it as it arrived: new ``photos`` (uploaded files, stored on the order with the step, or
    none) and ``photo_ids`` (photos already added to the order). A serial that does not match is received all the
    same and flagged on the case. The photos are the customer's to see too: how the unit looked when it came."""
    ensure_bench(actor, mail_in)
    _expect(mail_in, Hop.PICKUP_BOOKED, Hop.COLLECTED, Hop.IN_TRANSIT, Hop.ARRIVED)
    serial = _text(serial, "serial", required=True, limit=SERIAL_MAX).upper()
    product = mail_in.work_order.product
    matches = product is not None and serial == product.serial.upper()
    kept = [a for a in (_text(str(a), "accessories", limit=80) for a in accessories) if a][:20]
    earlier = _order_photos(mail_in, photo_ids)
    photos = list(photos)
    check_photo_count(photos, already=len(earlier))
    accepted = [accept_photo(p) for p in photos]
    with files_rolled_back() as stored, transaction.atomic():
        for photo in accepted:
            store_photo(order=mail_in.work_order, photo=photo, uploaded_by=actor.user, stored=stored)
        shot = [*earlier, *(a.pk for a in stored)]
        return workflow.move(mail_in, Hop.RECEIVED, actor=actor, place=mail_in.centre.city,
                             changes={"received_serial": serial, "serial_matches": matches,
                                      "condition_note": _text(condition, "condition"), "accessories": kept,
                                      "condition_photos": shot},
                             data={"serial_matches": matches, "photos": shot})


def _order_photos(mail_in: MailIn, photo_ids: Sequence[int]) -> list[int]:
    """The ids of photos already on the case's order, in the order given; any other id is refused."""
    wanted = list(dict.fromkeys(int(i) for i in photo_ids))
    if not wanted:
        return []
    found = set(WorkOrderAttachment.objects.filter(work_order_id=mail_in.work_order_id, kind=AttachmentKind.PHOTO,
                                                   pk__in=wanted).values_list("pk", flat=True))
    unknown = [i for i in wanted if i not in found]
    if unknown:
        raise InvalidInput(_("These photos are not on this order."), field="photos", ids=unknown)
    return wanted


def diagnose(*, mail_in: MailIn, actor: Principal, finding: str, parts: Sequence[tuple[str, int]] = (),
             exclusion: str = "") -> MailIn:
    """What is wrong and the parts the repair needs (codes and quantities). ``exclusion`` (an ExclusionReason): the
    bench found what the warranty excludes (a fall, water, a third party's repair), so the price engine judges the
    repair not covered for that reason, and the customer pays after approving the quote."""
    ensure_bench(actor, mail_in)
    _expect(mail_in, Hop.RECEIVED)
    finding = _text(finding, "finding", required=True)
    wanted = _parts(parts, mail_in.brand_id)
    changes: dict = {"diagnosis": finding, "quote_parts": [[code, n] for code, n in wanted]}
    if exclusion and exclusion not in ExclusionReason.values:
        raise InvalidInput(_("Choose a valid option."), field="exclusion", allowed=list(ExclusionReason.values))
    if exclusion:
        changes.update(exclusion=exclusion)
        if mail_in.in_warranty:
            changes.update(in_warranty=False, warranty_reason=each_language(
                render_lazy(_("Not covered: the bench found %(reason)s."),
                            {"reason": ExclusionReason(exclusion).label})))
    return workflow.move(mail_in, Hop.DIAGNOSED, actor=actor, note=finding, customer_visible=True,
                         changes=changes, data={"parts": changes["quote_parts"]})


def _parts(parts: Sequence[tuple[str, int]], brand_id: int) -> list[tuple[str, int]]:
    wanted: dict[str, int] = {}
    for item in parts:
        try:
            code, n = str(item[0]).strip(), int(item[1])
        except (TypeError, ValueError, IndexError):
            raise InvalidInput(_("Give each part as a code and a quantity."), field="parts") from None
        if not code or n < 1 or n > 99:
            raise InvalidInput(_("Give each part as a code and a quantity from 1 to 99."), field="parts")
        wanted[code] = wanted.get(code, 0) + n
    known = set(Part.objects.filter(brand_id=brand_id, code__in=wanted, is_active=True).values_list("code",
                                                                                                       flat=True))
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise InvalidInput(_("Unknown part."), field="parts", codes=unknown)
    return sorted(wanted.items())


def quote(*, mail_in: MailIn, actor: Principal) -> MailIn:
    """Price the diagnosed repair for a unit out of warranty (the price engine, with the diagnosed parts, plus the
    courier's fee both ways) and ask the customer, by message with a one-tap link."""
    ensure_bench(actor, mail_in)
    _expect(mail_in, Hop.DIAGNOSED)
    if not mail_in.quote_required:
        raise IllegalTransition(_("The unit is in warranty: repair it without a quote."), from_status=mail_in.hop)
    now = timezone.now()
    product = mail_in.work_order.product
    priced = estimate(product=product, service_type=ServiceType.MAIL_IN,
                      parts=[(code, n) for code, n in mail_in.quote_parts], at=now, outlet=mail_in.centre,
                      exclusion=mail_in.exclusion)
    fee = workflow.courier_fee(mail_in.brand_id, in_warranty=False)
    total = priced.total + fee
    body = {**estimate_json(priced, computed_at=now), "courier_fee": str(fee), "total_with_courier": str(total)}
    token = secrets.token_urlsafe(16)
    return workflow.move(mail_in, Hop.QUOTED, actor=actor,
                         changes={"quote": body, "quote_total": total, "quote_token": token},
                         data={"total": str(total)}, message={"amount": str(total), "url": quote_link(mail_in, token)})


def quote_link(mail_in: MailIn, token: str) -> str:
    """The customer's one-tap page of the quote (the portal's, by its key: no sign-in needed to answer it)."""
    brand = mail_in.brand.code
    return settings.SITE_URL.rstrip("/") + reverse("portal:mail-in-quote", kwargs={"brand": brand, "token": token})


def case_by_token(token: str) -> MailIn | None:
    """The case a quote link names (the portal's one-tap page); None for a key nobody was given."""
    token = (token or "").strip()
    if not token or len(token) > 32:
        return None
    return MailIn.objects.select_related("work_order__customer", "brand").filter(quote_token=token).first()


def decide(*, mail_in: MailIn, actor: Principal | None, decision: str) -> MailIn:
    """The customer approves or declines the quote (in the portal, by the message's link, or on the phone to the
    hotline). Declined: the unit comes back unrepaired, charged the brand's inspection and courier fees."""
    if decision not in Decision.values:
        raise InvalidInput(_("Choose approve or decline."), field="decision")
    if actor is not None and actor.is_customer and actor.customer_id != mail_in.work_order.customer_id:
        raise PermissionDenied()
    _expect(mail_in, Hop.QUOTED)
    now = timezone.now()
    if decision == Decision.APPROVED:
        changes = {"decision": decision, "decided_at": now, "charge_total": mail_in.quote_total}
        return workflow.move(mail_in, Hop.APPROVED, actor=actor, at=now, changes=changes)
    charge = workflow.decline_charge(mail_in.brand_id)
    changes = {"decision": decision, "decided_at": now, "charge_total": charge, "outcome": Outcome.UNREPAIRED}
    return workflow.move(mail_in, Hop.DECLINED, actor=actor, at=now, changes=changes,
                         data={"charge": str(charge)})


def repair(*, mail_in: MailIn, actor: Principal, parts: Sequence[tuple[Part, int]] = (), note: str = "",
           exchange_serial: str = "") -> MailIn:
    """Repaired at the bench with ``parts`` from the centre's store (all or none: InsufficientStock, 409), or
    exchanged for a refurbished unit whose serial the order's unit then carries."""
    ensure_bench(actor, mail_in)
    if mail_in.quote_required:
        if mail_in.hop in (Hop.DIAGNOSED, Hop.QUOTED):
            raise IllegalTransition(_("The unit is out of warranty: the customer must approve the quote first."),
                                    from_status=mail_in.hop)
        _expect(mail_in, Hop.APPROVED)
    else:
        _expect(mail_in, Hop.DIAGNOSED)
    note = _text(note, "note")
    exchange_serial = _text(exchange_serial, "exchange_serial", limit=SERIAL_MAX).upper()
    lines = check_lines([Line(part=p, quantity=n) for p, n in parts], mail_in.brand_id) if parts else []
    order = mail_in.work_order
    if exchange_serial and InstalledProduct.objects.filter(brand_id=mail_in.brand_id, serial=exchange_serial
                                                           ).exclude(pk=order.product_id).exists():
        raise InvalidInput(_("This serial belongs to another unit already."), field="exchange_serial")
    if exchange_serial and order.product_id and exchange_serial == order.product.serial.upper():
        raise InvalidInput(_("This is the serial of the unit sent in: type the serial of the refurbished unit."),
                           field="exchange_serial")
    outcome = Outcome.EXCHANGED if exchange_serial else Outcome.REPAIRED
    now = timezone.now()
    with transaction.atomic():
        if lines:
            store = ensure_store(mail_in.centre)
            ledger.post([ledger.consume(store, line.part, line.quantity) for line in lines], actor=actor,
                        work_order=order, reason="mail-in repair")
        changes = {"outcome": outcome, "exchange_serial": exchange_serial}
        if mail_in.charge_total is None:
            changes["charge_total"] = Decimal("0.00")  # in warranty: the brand pays, the courier too
        data = {"parts": [[line.part.code, line.quantity] for line in lines], "exchange_serial": exchange_serial,
                "old_serial": order.product.serial if order.product_id else ""}
        moved = workflow.move(mail_in, Hop.REPAIRED, actor=actor, at=now, note=note, changes=changes, data=data)
        if exchange_serial and order.product_id:
            _swap_serial(order.product, exchange_serial, at=moved.hop_since)
    return moved


def _swap_serial(product: InstalledProduct, new_serial: str, *, at: dt.datetime) -> InstalledProduct:
    """Record the exchange on both units' passports; the caller's transaction holds the hop's move too.

    The customer keeps the order's unit record (its warranty card, history, schedules and contracts) under the
    refurbished unit's serial, with a fresh QR token: the old label stays on the old unit. The old unit gets a
    row of its own under its serial (after the rename: brand and serial are unique), EXCHANGED, out of service,
    with its QR token and ``exchanged_for`` naming the customer's row. Returns the old unit's row."""
    old = InstalledProduct.objects.select_for_update().get(pk=product.pk)
    try:
        with transaction.atomic():
            InstalledProduct.objects.filter(pk=product.pk).update(serial=new_serial, qr_token=new_qr_token(),
                                                                  updated_at=at)
    except IntegrityError:  # taken since it was checked
        raise InvalidInput(_("This serial belongs to another unit already."), field="exchange_serial") from None
    old_unit = InstalledProduct.objects.create(
        brand_id=old.brand_id, serial=old.serial, product_model_id=old.product_model_id, customer_id=old.customer_id,
        site=None, purchase_date=old.purchase_date, install_date=old.install_date, status=ProductStatus.EXCHANGED,
        qr_token=old.qr_token, exchanged_for_id=old.pk, exchanged_at=at)
    product.refresh_from_db(fields=["serial", "qr_token", "updated_at"])
    return old_unit


def check_quality(*, mail_in: MailIn, actor: Principal, checks: dict[str, bool], note: str = "") -> MailIn:
    """The quality check before the unit leaves: every point ticked passes it; any point not ticked fails it,
    and the unit stays at the bench (a failed check is kept on the case, for the staff)."""
    ensure_bench(actor, mail_in)
    _expect(mail_in, Hop.REPAIRED, Hop.DECLINED)
    unknown = sorted(set(checks) - set(QC_POINTS))
    if unknown:
        raise InvalidInput(_("Unknown check."), field="checks", unknown=unknown)
    ticked = {point: bool(checks.get(point)) for point in QC_POINTS}
    note = _text(note, "note")
    if mail_in.hop == Hop.DECLINED:
        ticked["fault_gone"] = True  # an unrepaired unit is checked for the rest only
    if all(ticked.values()):
        return workflow.move(mail_in, Hop.QC_PASSED, actor=actor, note=note, changes={"qc_checklist": ticked},
                             data={"checks": ticked})
    MailInStep.objects.create(mail_in=mail_in, from_hop=mail_in.hop, hop=mail_in.hop, at=timezone.now(),
                              note=note, actor=actor.user, actor_role=actor.role, customer_visible=False,
                              data={"qc_failed": [p for p, ok in ticked.items() if not ok]})
    return mail_in


def enter_waybill(*, mail_in: MailIn, actor: Principal, waybill: str, direction: str = "",
                  shipment_id: int | None = None) -> Shipment:
    """The waybill of a parcel staff booked with the courier themselves (the manual backend, or a courier that
    refused): the unit's live parcel that way (``direction``), or the one named (``shipment_id``)."""
    ensure_bench(actor, mail_in)
    parcels = Shipment.objects.filter(mail_in=mail_in).exclude(status=ShipmentStatus.CANCELLED)
    if shipment_id is not None:
        parcel = parcels.filter(pk=shipment_id).first()
        if parcel is None:
            raise InvalidInput(_("The unit has no such parcel."), field="waybill")
    else:
        parcel = parcels.filter(direction=direction).first()
        if parcel is None:
            raise InvalidInput(_("The unit has no parcel that way yet."), field="direction")
    return booking.record_waybill(shipment=parcel, waybill=waybill, actor=actor)


def ship(*, mail_in: MailIn, actor: Principal) -> Shipment:
    """Hand the unit to the courier: the return parcel, booked at once (the bench prints its label). The unit is
    shipped when the parcel has its waybill; a courier down meanwhile leaves it booking, to be tried again."""
    ensure_bench(actor, mail_in)
    if mail_in.hop != Hop.QC_PASSED:
        raise IllegalTransition(_("The unit leaves only after its quality check has passed."),
                                from_status=mail_in.hop)
    with transaction.atomic():
        shipment = booking.open_return(mail_in, now=timezone.now())
    return booking.book(shipment.pk)
