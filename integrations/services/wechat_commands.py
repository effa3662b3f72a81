"""WeChat's "催单" (urge the latest open order; the reply says its state), "投诉 …" (a complaint in the
customer's own words about their latest order; the reply gives its number) and "寄修 <serial> …" (send the unit
in for repair by courier, in the first pickup window the portal offers), for a linked customer.

Both act as the customer (their principal, their orders through ``visible_to``); the urge goes through
workorders.urges like the portal's button, the complaint through the provider complaints registers
(workorders.complaint_hooks: integrations sits beside complaints and does not import it).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal, principal_of
from core.dates import window
from core.errors import DomainError
from core.money import yuan
from customers.models import Customer, InstalledProduct
from integrations import links
from integrations.services.orders import lock_product, open_channel_order, open_order_for
from workorders import intake, urges
from workorders.choices import OPEN_STATUSES, Channel, Priority, WorkOrderType
from workorders.complaint_hooks import open_customer_complaint
from workorders.models import SYMPTOM_MAX, UrgeChannel, WorkOrder

# "催单", optionally with the order's number; "urge" in English.
URGE = re.compile(r"^(?:催单|催一下|urge)(?:[\s:：]+(\S+))?\s*$", re.IGNORECASE)
# "投诉 <what went wrong>", also with a colon or a full-width space; "complain" in English.
COMPLAIN = re.compile(r"^(?:投诉|complain)(?:[\s:：]+(.*))?$", re.IGNORECASE | re.DOTALL)
COMPLAINT_MAX = 600
# "寄修 <serial> <description>", as 报修's (the same groups); "mail-in" (or "mailin", "mail in") in English.
MAIL_IN = re.compile(r"^(寄修|mail[\s-]?in)(?:[\s:：]+(\S+))?(?:\s+(.*))?$", re.IGNORECASE | re.DOTALL)

NO_OPEN_ORDER = _("You have no open order to urge. To report a fault, send: 报修 <serial> <description>.")
URGED = _("Order %(number)s: %(status)s. We have told the dispatcher that you are waiting; they will contact you "
          "shortly. Track it here: %(link)s")
NOT_LATE = _("Order %(number)s: %(status)s. We promised to be with you by %(promised)s. If nobody has come by "
             "then, send 催单 again. Track it here: %(link)s")
URGED_RECENTLY = _("Order %(number)s: %(status)s. We already have your urge and the dispatcher is on it; you can "
                   "urge again after %(time)s. Track it here: %(link)s")
NOT_URGEABLE = _("Order %(number)s: %(status)s. Track it here: %(link)s")
COMPLAIN_HOW = _("Please tell us what went wrong after 投诉, for example “投诉 师傅迟到了两个小时”.")
COMPLAINED = _("We are sorry. Your complaint is received, number %(reference)s%(about)s. We will contact you "
               "within one working day.")
ABOUT_ORDER = _(", about order %(number)s")
FAILED = _("Sorry, we could not take your request just now. Please try again later or call our hotline.")
MAIL_IN_HOW = _("To send a product in for repair, send: 寄修 <serial> <description>, for example "
                "“寄修 AQ12345678 不出水”. A courier collects it from your address.")
MAIL_IN_NEED_DESCRIPTION = _("Please add what is wrong after the serial, for example “寄修 %(serial)s 不出水”.")
NOT_BY_MAIL = _("This product is not repaired by mail-in. For a technician's visit, send: 报修 %(serial)s "
                "<description>.")
NO_REPAIR_CENTRE = _("No repair centre takes mail-in repairs of this product yet. For a technician's visit, send: "
                     "报修 %(serial)s <description>.")
MAIL_IN_ALREADY_OPEN = _("This product already has an open order, %(number)s, so it cannot be sent in as well. "
                         "Track it here: %(link)s")
MAIL_IN_BOOKED = _("Your mail-in repair is booked. Order number: %(number)s. A courier collects the unit on "
                   "%(window)s and brings it back once it is repaired. %(price)s Track or cancel it here: %(link)s")
FREE_IN_WARRANTY = _("Free: the product is in warranty, the courier both ways included.")
MAIL_IN_ESTIMATE = _("Estimate: %(total)s, the courier both ways included. If more must be paid for, we send you "
                     "a quote first.")
PRICE_AT_THE_CENTRE = _("The repair centre tells you the price before repairing.")


def _state(order: WorkOrder, absolute) -> dict[str, str]:
    return {"number": order.number, "status": str(order.get_status_display()),
            "link": absolute(links.order_path(order.brand.code, order.pk))}


def urge(customer: Customer, number: str | None, absolute) -> tuple[str, WorkOrder | None]:
    """Urge the customer's latest open order (or the one they name); the reply says how it stands."""
    principal = principal_of(customer.user) if customer.user_id else None
    if principal is None:
        return str(FAILED), None
    open_orders = WorkOrder.objects.visible_to(customer.user).filter(status__in=sorted(OPEN_STATUSES))
    if number:
        open_orders = open_orders.filter(number__iexact=number[:24])
    order = open_orders.select_related("brand").order_by("-created_at", "-pk").first()
    if order is None:
        return str(NO_OPEN_ORDER), None
    words = _state(order, absolute)
    try:
        urges.urge_order(order=order, actor=principal, channel=UrgeChannel.WECHAT)
    except urges.NotLate:
        promised = urges.promise_of(order)
        words["promised"] = f"{timezone.localtime(promised):%m-%d %H:%M}" if promised else "-"
        return str(NOT_LATE) % words, order
    except urges.UrgedRecently:
        next_at = urges.urge_state(order).next_at or timezone.now()
        return str(URGED_RECENTLY) % {**words, "time": f"{timezone.localtime(next_at):%H:%M}"}, order
    except urges.NotUrgeable:
        return str(NOT_URGEABLE) % words, order
    except DomainError:
        return str(FAILED), order
    return str(URGED) % words, order


def complain(customer: Customer, text: str, absolute) -> tuple[str, WorkOrder | None]:
    """A complaint in the customer's words about their latest order (or none, if they have no order)."""
    text = (text or "").strip()
    if not text:
        return str(COMPLAIN_HOW), None
    principal = principal_of(customer.user) if customer.user_id else None
    if principal is None:
        return str(FAILED), None
    order = (WorkOrder.objects.visible_to(customer.user).filter(customer=customer).order_by("-created_at", "-pk")
             .first())
    try:
        reference = open_customer_complaint(customer=customer, order=order, actor=principal,
                                            description=text[:COMPLAINT_MAX], channel=UrgeChannel.WECHAT)
    except DomainError:
        return str(FAILED), order
    about = str(ABOUT_ORDER) % {"number": order.number} if order else ""
    return str(COMPLAINED) % {"reference": reference, "about": about}, order


def _price(found: intake.IntakePreview) -> str:
    """The estimate as the portal's report page shows it: the quote plus the courier both ways, or free."""
    total = found.customer_total
    if total is None:
        return str(PRICE_AT_THE_CENTRE)
    if found.quote.warranty.covered and not total:
        return str(FREE_IN_WARRANTY)
    return str(MAIL_IN_ESTIMATE) % {"total": yuan(total)}


def book(principal: Principal, product: InstalledProduct, *, service_type: str, description: str,
         slot=None) -> tuple[WorkOrder, bool]:
    """Open a WeChat order of ``service_type`` for the customer's unit, under the unit's lock, unless one is open
    already: (the order, whether it was opened now). Domain errors of intake propagate, nothing opened."""
    with transaction.atomic():
        lock_product(product)
        order = open_order_for(product)
        if order is not None:
            return order, False
        return open_channel_order(actor=principal, product=product, channel=Channel.WECHAT, service_type=service_type,
                                  priority=Priority.NORMAL, description=description[:SYMPTOM_MAX], slot=slot), True


def mail_in(principal: Principal, product: InstalledProduct, description: str,
            absolute) -> tuple[str, WorkOrder | None]:
    """Send the customer's own unit in for repair, in the first pickup window the portal would offer; or say why not
    (not a mail-in category, no repair centre, an open order already), having opened nothing."""
    serial = {"serial": product.serial}
    if not product.product_model.category.mail_in_allowed:
        return str(NOT_BY_MAIL) % serial, None
    brand_code = product.brand.code
    try:
        found = intake.preview(product=product, service_type=WorkOrderType.MAIL_IN)
        first = found.slots[0] if found.slots else None  # none: no repair centre, which intake refuses below
        order, opened = book(principal, product, service_type=WorkOrderType.MAIL_IN, description=description,
                             slot=(first.start, first.end) if first else None)
        if not opened:
            return str(MAIL_IN_ALREADY_OPEN) % {"number": order.number,
                                               "link": absolute(links.order_path(brand_code, order.pk))}, order
    except intake.NoRepairCentre:
        return str(NO_REPAIR_CENTRE) % serial, None
    except intake.MailInNotAllowed:
        return str(NOT_BY_MAIL) % serial, None
    except DomainError:
        return str(FAILED), None
    return str(MAIL_IN_BOOKED) % {"number": order.number, "window": window(order.slot_start, order.slot_end),
                                  "price": _price(found),
                                  "link": absolute(links.order_path(brand_code, order.pk))}, order
