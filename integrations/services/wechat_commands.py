"""WeChat's "催单" (urge the latest open order; the reply says its state) and "投诉 …" (a complaint in the
customer's own words about their latest order; the reply gives its number), for a linked customer.

Both act as the customer (their principal, their orders through ``visible_to``); the urge goes through
workorders.urges like the portal's button, the complaint through the provider complaints registers
(workorders.complaint_hooks: integrations sits beside complaints and does not import it).
"""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import principal_of
from core.errors import DomainError
from customers.models import Customer
from integrations import links
from workorders import urges
from workorders.choices import OPEN_STATUSES
from workorders.complaint_hooks import open_customer_complaint
from workorders.models import UrgeChannel, WorkOrder

# "催单", optionally with the order's number; "urge" in English.
URGE = re.compile(r"^(?:催单|催一下|urge)(?:[\s:：]+(\S+))?\s*$", re.IGNORECASE)
# "投诉 <what went wrong>", also with a colon or a full-width space; "complain" in English.
COMPLAIN = re.compile(r"^(?:投诉|complain)(?:[\s:：]+(.*))?$", re.IGNORECASE | re.DOTALL)
COMPLAINT_MAX = 600

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
