"""The shop's services (STYLE.md §1): keyword-only, one transaction each; the portal, the console and the API are
thin adapters over them.

Stock: an order's parts are reserved in the brand's central warehouse when it is placed (``parts.ledger``, by
compare-and-set, so two customers cannot both take the last filter and an empty shelf is refused before anyone
pays); they are issued (released and consumed) when the parcel is shipped or the part installed, and released if
the order is cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal, system_principal
from catalog.choices import ServiceType
from catalog.models import Part
from core.errors import DomainError, IllegalTransition, InvalidInput, NotFound, PermissionDenied
from core.payments import PaymentRequest, PaymentResult, PaymentState, Prepared, backend
from core.sequences import next_value
from customers.models import Customer, InstalledProduct
from maintenance.choices import ContractKind, ReminderStatus, ReplacedVia, SoldVia
from maintenance.contracts import create_contract
from maintenance.models import Contract, MaintenancePlan, Reminder
from maintenance.schedules import record_replacement
from parts import ledger
from parts.errors import NoWarehouse
from pricing.choices import SoldVia as WarrantySoldVia
from pricing.extended import sell_extended_warranty
from pricing.extended_models import WarrantyExtensionTerm
from pricing.selectors import price_list_on
from revenue.choices import LeadKind, LeadStatus
from revenue.models import Lead
from revenue.workflow import win_by_sale
from shop import workflow
from shop.choices import RECORDED_METHODS, Delivery, LineKind, OrderStatus, PaymentMethod
from shop.models import ADDRESS_MAX, NOTE_MAX, ShopOrder, ShopOrderLine, ShopPayment
from shop.selectors import Offer, central_warehouse, offers_for, region_of
from workorders.choices import Channel
from workorders.intake import submit_request

S = OrderStatus
QUANTITY_MAX = 9
LINES_MAX = 10
LEAD_KIND_OF_LINE = {LineKind.PART: LeadKind.FILTER_SUBSCRIPTION, LineKind.PLAN: LeadKind.FILTER_SUBSCRIPTION,
                     LineKind.WARRANTY: LeadKind.EXTENDED_WARRANTY}
STAFF_ROLES_MESSAGE = _("Only the brand's staff fulfil shop orders.")


class NotOffered(DomainError):
    code = "not_offered"
    status = 422
    default_message = _("This is not offered for this unit.")


class AmountMismatch(DomainError):
    code = "amount_mismatch"
    status = 400
    default_message = _("The amount paid is not the order's total.")


@dataclass(frozen=True)
class Item:
    kind: str
    ref: int
    quantity: int = 1


# --- placing an order --------------------------------------------------------------------------------------------


def _check_items(items: Sequence[Item], offers: dict[str, Offer], delivery: str) -> list[tuple[Item, Offer]]:
    if not items:
        raise InvalidInput(_("Choose at least one thing to buy."), field="items")
    if len(items) > LINES_MAX:
        raise InvalidInput(_("At most %(n)s lines in one order.") % {"n": LINES_MAX}, field="items")
    chosen, seen = [], set()
    for item in items:
        offer = offers.get(f"{item.kind}:{item.ref}")
        if offer is None:
            raise NotOffered(field="items", kind=item.kind, id=item.ref)
        if offer.key in seen:
            raise InvalidInput(_("Each thing once; change its quantity instead."), field="items", id=item.ref)
        seen.add(offer.key)
        limit = QUANTITY_MAX if item.kind == LineKind.PART else 1
        if isinstance(item.quantity, bool) or not isinstance(item.quantity, int) or not 1 <= item.quantity <= limit:
            raise InvalidInput(_("The quantity must be from 1 to %(n)s.") % {"n": limit}, field="items", id=item.ref)
        if item.kind == LineKind.PART and not offer.self_replaceable and delivery != Delivery.VISIT:
            raise InvalidInput(_("This part is fitted by a technician: choose installation on a visit."),
                               field="delivery", id=item.ref)
        chosen.append((item, offer))
    return chosen


def _reminder(token: str, customer: Customer, product: InstalledProduct) -> Reminder | None:
    if not token:
        return None
    reminder = Reminder.objects.filter(token=token, customer=customer, schedule__product=product).first()
    if reminder is None:
        raise NotFound(_("This reminder's link is not for this unit."), field="reminder")
    return reminder


def _open_lead(customer: Customer, kinds: set[str]) -> Lead | None:
    return (Lead.objects.filter(customer=customer, kind__in=kinds, status__in=(LeadStatus.NEW, LeadStatus.CONTACTED))
            .order_by("-created_at", "-pk").first())


def place_order(*, actor: Principal, customer: Customer, product: InstalledProduct, items: Sequence[Item],
                delivery: str = Delivery.COURIER, address: str = "", contact_phone: str = "",
                slot: tuple[dt.datetime, dt.datetime] | None = None, reminder_token: str = "") -> ShopOrder:
    """The customer's order for one of their units; its parts reserved. ``customer`` and ``product`` come from
    ``visible_to``; a product of another customer is not found."""
    if product.customer_id != customer.pk:
        raise NotFound(field="product_id")
    if delivery not in Delivery.values:
        raise InvalidInput(_("Choose a valid option."), field="delivery", allowed=list(Delivery.values))
    address = (address or "").strip()
    if delivery == Delivery.COURIER and not address:
        address = product.site.address if product.site_id else ""
    if delivery == Delivery.COURIER and not address:
        raise InvalidInput(_("Give the address the parcel goes to."), field="address")
    if len(address) > ADDRESS_MAX:
        raise InvalidInput(_("The address is too long."), field="address", max_length=ADDRESS_MAX)
    if slot is not None and (slot[0] >= slot[1] or slot[0] <= timezone.now()):
        raise InvalidInput(_("Choose a time window in the future."), field="slot")
    today = timezone.localdate()
    offers = {o.key: o for o in offers_for(product, on=today)}
    chosen = _check_items(items, offers, delivery)
    reminder = _reminder(reminder_token, customer, product)
    lead = _open_lead(customer, {LEAD_KIND_OF_LINE[i.kind] for i, _o in chosen})
    price_list = price_list_on(brand_id=product.brand_id, day=today)
    parts = {p.pk: p for p in Part.objects.filter(pk__in=[i.ref for i, _o in chosen if i.kind == LineKind.PART])}
    warehouse = central_warehouse(product.brand_id)
    if parts and warehouse is None:
        raise NoWarehouse(_("The brand's central warehouse is not set up; the shop cannot send parts yet."))
    now = timezone.now()
    with transaction.atomic():
        number = f"SO{timezone.localdate(now):%Y%m%d}{next_value('shop.order'):06d}"
        lines = [ShopOrderLine(kind=i.kind, part=parts.get(i.ref) if i.kind == LineKind.PART else None,
                               plan_id=i.ref if i.kind == LineKind.PLAN else None,
                               offer_id=i.ref if i.kind == LineKind.WARRANTY else None,
                               description=str(o.name)[:200], quantity=i.quantity, unit_price=o.price,
                               amount=o.price * i.quantity) for i, o in chosen]
        order = ShopOrder.objects.create(
            brand_id=product.brand_id, number=number, customer=customer, product=product, delivery=delivery,
            address=address if delivery == Delivery.COURIER else (product.site.address if product.site_id else ""),
            contact_phone=(contact_phone or customer.phone)[:20], slot_start=slot[0] if slot else None,
            slot_end=slot[1] if slot else None, reminder=reminder, lead=lead,
            total=sum((ln.amount for ln in lines), Decimal("0.00")), price_list=price_list,
            segment=customer.segment, region_id=region_of(product), created_at=now)
        for line in lines:
            line.order = order
        ShopOrderLine.objects.bulk_create(lines)
        entries = [ledger.reserve(warehouse, ln.part, ln.quantity) for ln in lines if ln.kind == LineKind.PART]
        if entries:
            ledger.post(entries, actor=actor, reason=f"shop {number}")
    return order


# --- paying ------------------------------------------------------------------------------------------------------


def start_payment(*, order: ShopOrder, actor: Principal, notify_url: str, channel: str = "h5",
                  client_ip: str = "127.0.0.1", openid: str = "") -> Prepared:
    """Open the payment at the provider (outside any transaction: it is an HTTP call) and keep its page."""
    if actor.is_customer and order.customer_id != actor.customer_id:
        raise NotFound()
    if order.status != S.AWAITING_PAYMENT:
        raise IllegalTransition(_("This order is not waiting for payment."), from_status=order.status)
    prepared = backend().prepare(PaymentRequest(
        out_trade_no=order.number, amount=order.total, description=f"{order.number} {order.lines.first().description}",
        notify_url=notify_url, channel=channel, client_ip=client_ip, openid=openid))
    if prepared.pay_url and prepared.pay_url != order.pay_url:
        ShopOrder.objects.filter(pk=order.pk).update(pay_url=prepared.pay_url[:500])
        order.pay_url = prepared.pay_url[:500]
    return prepared


def confirm_payment(*, result: PaymentResult, method: str = PaymentMethod.WECHATPAY) -> ShopOrder | None:
    """A payment the provider reports (its callback, or a query): the order becomes paid once. The same transaction
    again (a retried or replayed callback) changes nothing; an amount other than the total is refused."""
    if result.state != PaymentState.PAID:
        return None
    order = ShopOrder.objects.filter(number=result.out_trade_no).first()
    if order is None:
        raise NotFound(field="out_trade_no")
    if ShopPayment.objects.filter(method=method, transaction_id=result.transaction_id).exists():
        return order  # already taken: a replay
    if result.amount != order.total:
        raise AmountMismatch(expected=f"{order.total:.2f}", paid=f"{result.amount}")
    return _paid(order, method=method, amount=result.amount, transaction_id=result.transaction_id,
                 paid_at=result.paid_at or timezone.now(), actor=system_principal(order.brand_id),
                 raw=result.raw)


def record_payment(*, order: ShopOrder, actor: Principal, method: str, amount: Decimal, note: str = "") -> ShopOrder:
    """Staff record a payment they took (cash, a transfer, on delivery): the order's full total."""
    _staff(actor)
    if method not in RECORDED_METHODS:
        raise InvalidInput(_("Choose a valid option."), field="method", allowed=[str(m) for m in RECORDED_METHODS])
    if amount != order.total:
        raise AmountMismatch(field="amount", expected=f"{order.total:.2f}", paid=f"{amount}")
    if len(note) > NOTE_MAX:
        raise InvalidInput(_("The note is too long."), field="note", max_length=NOTE_MAX)
    result = _paid(order, method=method, amount=amount, transaction_id="", paid_at=timezone.now(), actor=actor,
                   note=note)
    if result is None:
        raise IllegalTransition(_("This order is not waiting for payment."), from_status=order.status)
    return result


def _paid(order: ShopOrder, *, method: str, amount: Decimal, transaction_id: str, paid_at: dt.datetime,
          actor: Principal, note: str = "", raw: dict | None = None) -> ShopOrder | None:
    try:
        with transaction.atomic():
            current = ShopOrder.objects.get(pk=order.pk)
            if current.status != S.AWAITING_PAYMENT:
                if current.status == S.CANCELLED:
                    raise IllegalTransition(_("This order was cancelled; the payment is to be refunded."),
                                            from_status=current.status)
                return None  # paid already (another transaction of the same order): nothing more to do
            ShopPayment.objects.create(order=current, method=method, transaction_id=transaction_id, amount=amount,
                                       paid_at=paid_at, recorded_by=actor.user, note=note, raw=raw or {})
            current = workflow.transition(current, S.PAID, actor=actor, paid_at=paid_at,
                                          data={"method": method, "amount": f"{amount:.2f}",
                                                "transaction_id": transaction_id})
            _after_payment(current, actor=actor)
    except IntegrityError:
        return ShopOrder.objects.get(pk=order.pk)  # a concurrent callback for this transaction won: a replay
    return ShopOrder.objects.get(pk=order.pk)


def _after_payment(order: ShopOrder, *, actor: Principal) -> None:
    today = timezone.localdate(order.paid_at)
    for line in order.lines.select_related("plan"):
        if line.kind == LineKind.PLAN:
            contract = create_household_contract(order=order, plan=line.plan, price=line.amount, on=today)
            ShopOrderLine.objects.filter(pk=line.pk).update(contract=contract)
        if line.kind == LineKind.WARRANTY:
            sell_warranty(order=order, line=line, on=today)
    if order.reminder_id:
        Reminder.objects.filter(pk=order.reminder_id).update(status=ReminderStatus.ORDERED, acted_at=timezone.now())
    if order.lead_id:
        win_by_sale(order.lead, value=order.total, actor=actor, note=order.number)
    if not order.lines.filter(kind=LineKind.PART).exists():
        # A plan or an extended warranty only: it is in force once paid, and nothing goes to the door.
        workflow.transition(order, S.DONE, actor=actor, note="nothing to deliver")
    elif order.delivery == Delivery.VISIT:
        _book_visit(order, actor=actor)


def _book_visit(order: ShopOrder, *, actor: Principal) -> None:
    """The installation visit, booked in the customer's window when it is still free (else the dispatcher books it)."""
    system = system_principal(order.brand_id)
    text = ", ".join(f"{ln.description} ×{ln.quantity}" for ln in order.lines.all())
    kwargs = {"actor": system, "customer": order.customer, "service_type": ServiceType.MAINTENANCE,
              "channel": Channel.PORTAL, "product": order.product, "site": order.product.site,
              "description": str(_("Shop order %(number)s: %(what)s")) % {"number": order.number, "what": text}}
    work_order = None
    if order.slot_start and order.slot_end:
        try:
            work_order = submit_request(**kwargs, slot=(order.slot_start, order.slot_end))
        except DomainError:
            work_order = None  # the window was taken meanwhile
    if work_order is None:
        work_order = submit_request(**kwargs)
    workflow.transition(order, S.FULFILLING, actor=actor, work_order=work_order,
                        data={"work_order": work_order.number})


def create_household_contract(*, order: ShopOrder, plan: MaintenancePlan, price: Decimal, on: dt.date) -> Contract:
    """A household plan bought in the shop: its contract over the unit from the day it was paid, for the plan's
    term, with its planned visits (``maintenance.contracts.create_contract``)."""
    return create_contract(customer=order.customer, plan=plan, products=[order.product], starts_on=on,
                           kind=ContractKind.HOUSEHOLD, sold_via=SoldVia.LEAD if order.lead_id else SoldVia.PORTAL,
                           price=price, actor=None, lead=order.lead)


def sell_warranty(*, order: ShopOrder, line: ShopOrderLine, on: dt.date) -> None:
    """The extended warranty bought in the shop, in force through ``pricing.extended.sell_extended_warranty`` (so
    the engine's next verdict on the unit says "covered by extended warranty until …"); the order is its
    reference, so a second callback sells nothing twice; a lead about extended warranty is its lead."""
    term = WarrantyExtensionTerm.objects.get(pk=line.offer_id, brand_id=order.brand_id)
    lead = order.lead if order.lead_id and order.lead.kind == LeadKind.EXTENDED_WARRANTY else None
    sell_extended_warranty(product=order.product, term=term, actor_or_channel=system_principal(order.brand_id),
                           sold_via=WarrantySoldVia.LEAD if lead else WarrantySoldVia.SHOP, price=line.amount,
                           lead=lead, reference=f"{order.number}-{line.pk}", on=on)


# --- fulfilling --------------------------------------------------------------------------------------------------


def _staff(actor: Principal) -> None:
    if not actor.is_brand_staff:
        raise PermissionDenied(STAFF_ROLES_MESSAGE)


def _issue(order: ShopOrder, *, actor: Principal) -> None:
    """The reserved parts leave the central warehouse."""
    warehouse = central_warehouse(order.brand_id)
    entries = []
    for line in order.lines.filter(kind=LineKind.PART).select_related("part"):
        entries += [ledger.release(warehouse, line.part, line.quantity),
                    ledger.consume(warehouse, line.part, line.quantity)]
    if entries:
        ledger.post(entries, actor=actor, reason=f"shop {order.number}")


def ship(*, order: ShopOrder, actor: Principal, waybill: str, version: int | None = None) -> ShopOrder:
    """A courier order leaves the warehouse with its waybill (the courier's backend comes in a later issue)."""
    _staff(actor)
    waybill = (waybill or "").strip()
    if not waybill or len(waybill) > 40:
        raise InvalidInput(_("Give the courier's waybill number."), field="waybill")
    if order.delivery != Delivery.COURIER:
        raise IllegalTransition(_("This order is installed on a visit, not shipped."), from_status=order.status)
    with transaction.atomic():
        order = workflow.transition(order, S.FULFILLING, actor=actor, version=version, waybill=waybill,
                                    data={"waybill": waybill})
        _issue(order, actor=actor)
    return order


def _reset_schedules(order: ShopOrder, *, via: str, on: dt.date) -> None:
    """A consumable delivered (the customer replaces it) or installed starts its schedule again (and answers its
    open reminders): ``maintenance.schedules.record_replacement``, the one place that restarts a schedule."""
    for line in order.lines.filter(kind=LineKind.PART).select_related("part"):
        record_replacement(product=order.product, part=line.part, on=on, via=via)


def mark_delivered(*, order: ShopOrder, actor: Principal, version: int | None = None) -> ShopOrder:
    _staff(actor)
    if order.delivery != Delivery.COURIER:
        raise IllegalTransition(_("This order is installed on a visit, not delivered."), from_status=order.status)
    with transaction.atomic():
        order = workflow.transition(order, S.DELIVERED, actor=actor, version=version)
        _reset_schedules(order, via=ReplacedVia.SHOP, on=timezone.localdate())
    return order


def mark_installed(*, order: ShopOrder, actor: Principal, version: int | None = None) -> ShopOrder:
    _staff(actor)
    if order.delivery != Delivery.VISIT:
        raise IllegalTransition(_("This order goes by courier, not on a visit."), from_status=order.status)
    with transaction.atomic():
        order = workflow.transition(order, S.INSTALLED, actor=actor, version=version)
        _issue(order, actor=actor)
        _reset_schedules(order, via=ReplacedVia.VISIT, on=timezone.localdate())
    return order


def close(*, order: ShopOrder, actor: Principal, version: int | None = None) -> ShopOrder:
    _staff(actor)
    return workflow.transition(order, S.DONE, actor=actor, version=version)


def cancel(*, order: ShopOrder, actor: Principal, reason: str = "", version: int | None = None) -> ShopOrder:
    """Cancel an order not yet on its way (the customer before paying; staff also after): its parts released."""
    if actor.is_customer and (order.customer_id != actor.customer_id or order.status != S.AWAITING_PAYMENT):
        raise PermissionDenied(_("A paid order is cancelled by the brand's staff."))
    if not (actor.is_customer or actor.is_brand_staff):
        raise PermissionDenied(STAFF_ROLES_MESSAGE)
    warehouse = central_warehouse(order.brand_id)
    with transaction.atomic():
        previous = order.status
        order = workflow.transition(order, S.CANCELLED, actor=actor, version=version, note=reason,
                                    data={"refund_due": previous == S.PAID})
        entries = [ledger.release(warehouse, ln.part, ln.quantity)
                   for ln in order.lines.filter(kind=LineKind.PART).select_related("part")]
        if entries:
            ledger.post(entries, actor=actor, reason=f"shop {order.number} cancelled")
    return order


# Exposed for the API's Pydantic schema and the pages.
__all__ = ["Item", "NotOffered", "AmountMismatch", "place_order", "start_payment", "confirm_payment",
           "record_payment", "ship", "mark_delivered", "mark_installed", "close", "cancel", "offers_for"]
