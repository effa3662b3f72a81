"""Intake, shared by every channel (hotline console, customer portal, WeChat, IoT, apps through the API).

``preview`` is what a caller shows before confirming: the estimate with its warranty verdict, the orders
of the product a new one would duplicate, the slots the serving outlets can offer, whether mail-in
repair is possible, and whether it is the answer when no outlet serves the address at all.
``submit_request`` checks everything first, then opens the order through
``workorders.services.create_work_order`` and books the slot in the same transaction, or changes
nothing at all. The rest applies the brand's ``IntakePolicy`` to what a customer may change later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.principal import Principal, system_principal
from catalog.choices import ServiceType
from catalog.models import Symptom
from core.errors import DomainError, InvalidInput, PermissionDenied, StaleVersion
from core.geo.distance import distance_km
from core.hooks import Hook, Provider
from core.images import MAX_PHOTOS, accept_photo
from customers.models import Customer, InstalledProduct, Site
from pricing.engine import Quote
from pricing.errors import BeyondCalloutBands, NoPriceList, PriceNotListed
from pricing.services import estimate
from workorders import events, selectors, workflow
from workorders.attachments import check_photo_count, files_rolled_back, store_photo
from workorders.choices import EventKind, Priority, Status
from workorders.estimates import estimate_json, unavailable_json
from workorders.models import IntakePolicy, WorkOrder, WorkOrderEvent
from workorders.services import check_new_order, create_work_order, utc_window
from workorders.sla_clock import rebooked_clocks
from workorders.slots import SlotOffer, free_capacity, offer_slots, serves, slot_windows

__all__ = [
    "MAX_PHOTOS", "OFFER_DAYS", "ChangeNotAllowed", "ChangeRules", "IntakePreview", "MailInNotAllowed",
    "NoRepairCentre", "SlotUnavailable", "cancel_by_customer", "courier_fee", "customer_change_rules",
    "mail_in_booked", "pickup_windows", "policy_for", "preview", "repair_centre_for", "reschedule", "submit_request",
]

OFFER_DAYS = 7
# A courier books a pickup for today, tomorrow or the day after (Kuaidi100 refuses later ones; SF's day plan too).
PICKUP_DAYS = 3
# Pricing configuration that cannot price this visit: the order can still be taken, without a price.
UNPRICEABLE = (NoPriceList, PriceNotListed, BeyondCalloutBands)
RESCHEDULABLE = frozenset({Status.NEW, Status.ASSIGNED})


class SlotUnavailable(DomainError):
    code = "slot_unavailable"
    status = 409
    default_message = _("This time slot is no longer available. Please choose another one.")


class MailInNotAllowed(InvalidInput):
    code = "mail_in_not_allowed"
    default_message = _("Mail-in repair is not offered for this product.")


class NoRepairCentre(InvalidInput):
    code = "no_repair_centre"
    default_message = _("No repair centre takes mail-in repairs of this product yet. Please book a visit instead.")


# Sent inside submit_request's transaction once a mail-in order is open and assigned to its repair centre, with
# order and actor: logistics opens the unit's case and books the courier's pickup in the order's window.
mail_in_booked = Hook("workorders.mail_in_booked")
# (brand_id, *, in_warranty) -> what the courier costs the customer both ways: logistics.workflow.courier_fee.
courier_fee: Provider[Callable[..., Decimal]] = Provider("workorders.intake.courier_fee")


class ChangeNotAllowed(DomainError):
    code = "change_not_allowed"
    status = 409
    default_message = _("This order cannot be changed online any more.")


@dataclass(frozen=True)
class IntakePreview:
    product: InstalledProduct
    service_type: str
    symptom: Symptom | None
    quote: Quote | None
    # Why there is no quote (no price list for the day, a price not listed), when there is none.
    quote_unavailable: DomainError | None
    duplicates: list[WorkOrder]
    slots: list[SlotOffer]
    mail_in_allowed: bool
    # A visit asked for where no outlet serves the product at its address at all (not merely booked up).
    unserved: bool = False
    # ... and the unit may be sent in instead: its category allows mail-in and a repair centre takes it.
    mail_in_instead: bool = False
    # Mail-in with a quote: the courier both ways, added to what the customer pays.
    courier_fee: Decimal | None = None

    @property
    def quote_reason(self) -> str:
        return str(self.quote_unavailable.message) if self.quote_unavailable else ""

    @property
    def customer_total(self) -> Decimal | None:
        """What the customer pays as estimated: the quote's total, with the courier both ways for mail-in."""
        if self.quote is None:
            return None
        return self.quote.total + (self.courier_fee or Decimal("0.00"))


class ChangeRules(NamedTuple):
    can_cancel: bool
    can_reschedule: bool
    reason: str


# --- checks shared by preview and submit -------------------------------------------------------------


def _check_service_type(service_type: str) -> None:
    if service_type not in ServiceType.values:
        raise InvalidInput(_("Choose a valid option."), field="service_type", allowed=list(ServiceType.values))


def _symptom(product: InstalledProduct | None, code: str) -> Symptom | None:
    code = (code or "").strip()
    if not code:
        return None
    found = None
    if product is not None:
        found = Symptom.objects.filter(category_id=product.product_model.category_id, code=code,
                                       is_active=True).first()
    if found is None:
        raise InvalidInput(_("Choose a symptom from the list for this product's category."), field="symptom_code")
    return found


def _check_mail_in(product: InstalledProduct | None, service_type: str) -> None:
    if service_type == ServiceType.MAIL_IN and (product is None or not product.product_model.category.mail_in_allowed):
        raise MailInNotAllowed(field="service_type")


def _quote(product: InstalledProduct, service_type: str, symptom_code: str, at: dt.datetime,
           outlet: Organisation | None = None) -> tuple[Quote | None, DomainError | None]:
    try:
        return estimate(product=product, service_type=service_type, symptom_code=symptom_code, at=at,
                        outlet=outlet), None
    except UNPRICEABLE as error:
        return None, error


def preview(*, product: InstalledProduct, service_type: str, symptom_code: str = "",
            at: dt.datetime | None = None) -> IntakePreview:
    """What to show before the request is confirmed. ``product`` was fetched through ``visible_to``."""
    at = at or timezone.now()
    _check_service_type(service_type)
    _check_mail_in(product, service_type)
    symptom = _symptom(product, symptom_code)
    quote, unavailable = _quote(product, service_type, symptom.code if symptom else "", at)
    mail_in_allowed = product.product_model.category.mail_in_allowed
    unserved = mail_in_instead = False
    fee = None
    if service_type == ServiceType.MAIL_IN:
        slots = pickup_windows(product, now=at)
        if quote is not None:
            fee = courier_fee(product.brand_id, in_warranty=quote.warranty.covered)
    else:
        slots = offer_slots(product=product, service_type=service_type, days=OFFER_DAYS, now=at)
        # Nobody to send (not a full diary): a repair may go to a repair centre by courier instead.
        unserved = not slots and product.site is not None and not serves(product=product, site=product.site)
        mail_in_instead = (unserved and service_type == ServiceType.REPAIR and mail_in_allowed
                           and repair_centre_for(product) is not None)
    return IntakePreview(
        product=product, service_type=service_type, symptom=symptom, quote=quote, quote_unavailable=unavailable,
        duplicates=selectors.recent_orders_of_product(product, now=at), slots=slots, mail_in_allowed=mail_in_allowed,
        unserved=unserved, mail_in_instead=mail_in_instead, courier_fee=fee,
    )


def _window(slot: Any) -> tuple[dt.datetime, dt.datetime]:
    try:
        start, end = slot
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose one of the offered time slots."), field="slot") from None
    if not all(isinstance(t, dt.datetime) and timezone.is_aware(t) for t in (start, end)):
        raise InvalidInput(_("Choose one of the offered time slots."), field="slot")
    return start, end


def _check_window(window: tuple[dt.datetime, dt.datetime], now: dt.datetime) -> None:
    """A window the brand offers at all: a two-hour window on the grid, not too soon, not too far ahead."""
    if window not in slot_windows(days=OFFER_DAYS, now=now):
        raise InvalidInput(_("Choose one of the offered time slots."), field="slot")


# --- mail-in: a repair centre and a pickup window instead of an outlet's appointment -----------------------


def repair_centre_for(product: InstalledProduct, site: Site | None = None) -> Organisation | None:
    """The repair centre a unit is sent to: an active outlet of the brand flagged as a repair centre and
    authorised for the unit's category, the nearest to the unit's site when several are (else the first)."""
    centres = list(Organisation.objects.filter(
        brand_id=product.brand_id, is_repair_centre=True, is_active=True,
        authorised_categories=product.product_model.category_id).order_by("code"))
    site = site or product.site
    if site is None or site.latitude is None or site.longitude is None or len(centres) < 2:
        return centres[0] if centres else None
    here = (site.latitude, site.longitude)
    placed = [(distance_km(here, (c.latitude, c.longitude)), c.code, c) for c in centres
              if c.latitude is not None and c.longitude is not None]
    return min(placed, key=lambda p: p[:2])[2] if placed else centres[0]


def pickup_windows(product: InstalledProduct, *, now: dt.datetime) -> list[SlotOffer]:
    """The windows a courier may collect a mail-in unit in: the brand's two-hour grid of the coming days, each
    offered by the unit's repair centre (none when no centre takes it)."""
    centre = repair_centre_for(product)
    if centre is None:
        return []
    return [SlotOffer(start=start, end=end, outlet_id=centre.pk, free=1)
            for start, end in slot_windows(days=PICKUP_DAYS, now=now)]


def _pickup_window(slot: Any, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The customer's pickup window, one of the grid's; without one, the first the grid offers."""
    offered = slot_windows(days=PICKUP_DAYS, now=now)
    if slot is None:
        if not offered:
            raise InvalidInput(_("Choose a pickup window."), field="slot")
        return offered[0]
    window = _window(slot)
    if window not in offered:
        raise InvalidInput(_("Choose one of the offered pickup windows."), field="slot")
    return window


def _offer_for(product: InstalledProduct, service_type: str, site: Site | None,
               window: tuple[dt.datetime, dt.datetime], now: dt.datetime) -> SlotOffer:
    _check_window(window, now)
    for offer in offer_slots(product=product, service_type=service_type, days=OFFER_DAYS, now=now, site=site):
        if (offer.start, offer.end) == window:
            return offer
    raise SlotUnavailable(field="slot")


def _book(product: InstalledProduct, service_type: str, site: Site | None, outlet_id: int,
          window: tuple[dt.datetime, dt.datetime], exclude_order_id: int | None = None) -> Organisation:
    """Inside the caller's transaction: take the outlet's lock, then make sure the window still has room.

    PostgreSQL: the outlet's row lock serialises bookings of one outlet, and the count below runs after
    it, so it sees every booking committed before. SQLite: an IMMEDIATE transaction holds the database's
    write lock from BEGIN, which serialises every writer (select_for_update is a no-op there).
    """
    outlet = Organisation.objects.select_for_update().get(pk=outlet_id)
    free = free_capacity(product=product, service_type=service_type, outlet_id=outlet_id, window=window, site=site,
                         exclude_order_id=exclude_order_id)
    if free < 1:
        raise SlotUnavailable(field="slot")
    return outlet


# --- submit ------------------------------------------------------------------------------------------------


def submit_request(
    *,
    actor: Principal,
    customer: Customer,
    service_type: str,
    channel: str,
    product: InstalledProduct | None = None,
    site: Site | None = None,
    symptom_code: str = "",
    description: str = "",
    slot: tuple[dt.datetime, dt.datetime] | None = None,
    photos: Iterable[Any] = (),
    priority: str = Priority.NORMAL,
) -> WorkOrder:
    """Open a service request from any channel: estimate stored, slot booked, photos kept; or nothing at all.

    ``customer``, ``product`` and ``site`` come from ``visible_to(actor.user)`` (integrations acting as
    ``system_principal`` fetch them by brand). Refusals raise a DomainError having written nothing.
    """
    description = check_new_order(actor=actor, customer=customer, type=service_type, channel=channel,
                                  priority=priority, description=description, product=product, site=site,
                                  type_field="service_type", description_field="description")
    symptom = _symptom(product, symptom_code)
    _check_mail_in(product, service_type)
    photos = list(photos)
    check_photo_count(photos)

    now = timezone.now()
    window = offer = centre = None
    mail_in = service_type == ServiceType.MAIL_IN
    if mail_in:
        # The window is the courier's pickup; the unit goes to a repair centre, not an outlet's day.
        centre = repair_centre_for(product, site)
        if centre is None:
            raise NoRepairCentre(field="service_type")
        window = _pickup_window(slot, now)
    elif slot is not None:
        window = _window(slot)
        if product is None:
            raise InvalidInput(_("Choose the product before a time slot."), field="slot")
        offer = _offer_for(product, service_type, site, window, now)
    accepted = [accept_photo(p) for p in photos]
    # Priced before the transaction (no lock held meanwhile), with the call-out from the booked outlet.
    outlet = Organisation.objects.get(pk=offer.outlet_id) if offer else centre
    stored_estimate, total = _estimate(product, service_type, symptom, now, outlet)

    with files_rolled_back() as stored, transaction.atomic():
        if offer is not None:
            outlet = _book(product, service_type, site, offer.outlet_id, window)
        order = create_work_order(
            actor=actor, customer=customer, type=service_type, channel=channel, symptom=description,
            priority=priority, site=site, product=product, slot_start=window[0] if window else None,
            slot_end=window[1] if window else None, reported_symptom=symptom, estimate=stored_estimate,
            estimate_total=total,
        )
        if outlet is not None:
            order = workflow.transition(order, "assign", actor=system_principal(order.brand_id), outlet=outlet)
        for photo in accepted:
            store_photo(order=order, photo=photo, uploaded_by=actor.user, stored=stored)
        if mail_in:
            mail_in_booked.send(order=order, actor=actor)
    return order


def _estimate(product: InstalledProduct | None, service_type: str, symptom: Symptom | None, now: dt.datetime,
              outlet: Organisation | None) -> tuple[dict, Decimal | None]:
    if product is None:
        return {}, None
    quote, unavailable = _quote(product, service_type, symptom.code if symptom else "", now, outlet)
    if quote is None:
        return unavailable_json(unavailable, computed_at=now), None
    return estimate_json(quote, computed_at=now), quote.total


# --- what the customer may change later -----------------------------------------------------------------


def policy_for(brand_id: int) -> IntakePolicy:
    """The brand's policy, or the defaults (unsaved) when it has set none."""
    return IntakePolicy.objects.filter(brand_id=brand_id).first() or IntakePolicy(brand_id=brand_id)


def reschedule_count(order: WorkOrder) -> int:
    return WorkOrderEvent.objects.filter(work_order_id=order.pk, kind=EventKind.RESCHEDULED).count()


def customer_change_rules(order: WorkOrder, now: dt.datetime | None = None,
                          policy: IntakePolicy | None = None) -> ChangeRules:
    """(can_cancel, can_reschedule, why not) for the order's customer, under the brand's IntakePolicy."""
    now = now or timezone.now()
    policy = policy or policy_for(order.brand_id)
    if order.status not in workflow.ACTIONS["cancel"].sources_for("customer"):
        if order.status in (Status.COMPLETED, Status.CLOSED, Status.CANCELLED):
            return ChangeRules(False, False, gettext("This order is finished."))
        return ChangeRules(False, False, gettext(
            "The technician is already on the job, so this order can no longer be changed online. "
            "Please call the hotline."))
    if order.slot_start and now > order.slot_start - dt.timedelta(hours=policy.change_cutoff_hours):
        return ChangeRules(False, False, ngettext(
            "Changes are possible up to %(hours)s hour before the appointment. Please call the hotline.",
            "Changes are possible up to %(hours)s hours before the appointment. Please call the hotline.",
            policy.change_cutoff_hours) % {"hours": policy.change_cutoff_hours})
    if order.type == ServiceType.MAIL_IN:
        return ChangeRules(True, False, gettext(
            "The courier's pickup is booked for this window. To change it, cancel and book again, or call the "
            "hotline."))
    if order.product_id is None:
        return ChangeRules(True, False, gettext("This order has no appointment to move."))
    if order.status not in RESCHEDULABLE:
        return ChangeRules(True, False, gettext(
            "A technician has already been scheduled. Please call the hotline to move the appointment."))
    done = reschedule_count(order)
    if done >= policy.max_reschedules:
        return ChangeRules(True, False, ngettext(
            "The appointment has already been moved %(count)s time, the most allowed.",
            "The appointment has already been moved %(count)s times, the most allowed.", done) % {"count": done})
    return ChangeRules(True, True, "")


def _own_order(order: WorkOrder, actor: Principal) -> None:
    if not actor.is_customer:
        raise PermissionDenied(_("Only the customer may do this here."))
    if order.customer_id != actor.customer_id:
        raise PermissionDenied()


def cancel_by_customer(*, order: WorkOrder, actor: Principal, reason: str) -> WorkOrder:
    """The customer cancels their own order within the policy (through workflow's cancel step)."""
    _own_order(order, actor)
    rules = customer_change_rules(order)
    if not rules.can_cancel:
        raise ChangeNotAllowed(rules.reason)
    return workflow.transition(order, "cancel", actor=actor, reason=reason)


def reschedule(*, order: WorkOrder, actor: Principal, slot: tuple[dt.datetime, dt.datetime]) -> WorkOrder:
    """Move the appointment to another offered window; the customer within the policy, the brand's desk always.

    An order already at an outlet stays there (the window must have room at that outlet); one not yet
    assigned is assigned to the outlet offering the window. Writes a ``rescheduled`` event the customer sees.
    """
    if actor.is_customer:
        _own_order(order, actor)
        rules = customer_change_rules(order)
        if not rules.can_reschedule:
            raise ChangeNotAllowed(rules.reason)
    elif actor.role in workflow.DESK_AND_HOTLINE:
        if order.status not in RESCHEDULABLE or order.product_id is None or order.type == ServiceType.MAIL_IN:
            raise ChangeNotAllowed(_("This order's appointment cannot be moved now."))
    else:
        raise PermissionDenied(_("Your role may not move appointments."))
    window = _window(slot)
    if window == (order.slot_start, order.slot_end):
        raise InvalidInput(_("This is already the booked time slot."), field="slot")
    now = timezone.now()
    product = order.product
    if order.outlet_id:
        _check_window(window, now)
        outlet_id = order.outlet_id
    else:
        outlet_id = _offer_for(product, order.type, order.site, window, now).outlet_id

    with transaction.atomic():
        outlet = _book(product, order.type, order.site, outlet_id, window, exclude_order_id=order.pk)
        updated = WorkOrder.objects.filter(pk=order.pk, version=order.version, status=order.status).update(
            slot_start=window[0], slot_end=window[1], version=F("version") + 1, updated_at=now,
            **rebooked_clocks(order, slot_end=window[1], now=now))
        if not updated:
            raise StaleVersion(current_version=WorkOrder.objects.values_list("version", flat=True).get(pk=order.pk))
        events.rescheduled(order=order, actor=actor, before=utc_window(order.slot_start, order.slot_end),
                           after=utc_window(*window), at=now)
        order.refresh_from_db()
        if order.outlet_id is None:
            order = workflow.transition(order, "assign", actor=system_principal(order.brand_id), outlet=outlet)
    return order
