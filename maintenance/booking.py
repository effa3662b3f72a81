"""One-tap booking from a reminder: the link's token (or the signed-in customer) books a maintenance visit in
a window the portal offers, and the reminder records it (booked, with its order)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.principal import Principal
from catalog.choices import ServiceType
from core.errors import DomainError
from core.text import bilingual
from maintenance.choices import ReminderStatus, ScheduleKind
from maintenance.models import Reminder
from workorders import intake
from workorders.models import WorkOrder

SERVICE_TYPE = ServiceType.MAINTENANCE


class ReminderClosed(DomainError):
    code = "reminder_closed"
    status = 409
    default_message = _("This reminder was already answered: the visit is booked or the part replaced.")


def customer_principal(reminder: Reminder) -> Principal:
    """The customer a reminder's link was sent to, as the actor of the booking: the link is their key, as the
    survey's is (their portal account, when they have one, is the user recorded)."""
    return Principal(user=reminder.customer.user, role=Role.CUSTOMER, brand_id=reminder.brand_id,
                     organisation_id=reminder.brand_id, customer_id=reminder.customer_id)


def description(reminder: Reminder) -> str:
    schedule = reminder.schedule
    if schedule.kind == ScheduleKind.CONSUMABLE:
        what = bilingual(schedule.rule.part.name, schedule.rule.part.name_en)
        return str(_("Replace the %(part)s (service reminder)") % {"part": what})
    return str(_("%(plan)s visit (service reminder)") % {"plan": schedule.plan.name})


def offered_slots(reminder: Reminder, *, now: dt.datetime | None = None) -> list:
    """The windows the brand offers for this unit's maintenance visit (what intake would accept)."""
    return intake.preview(product=reminder.schedule.product, service_type=SERVICE_TYPE, at=now).slots


@transaction.atomic
def book_from_reminder(*, reminder: Reminder, actor: Principal | None = None,
                       slot: tuple[dt.datetime, dt.datetime] | None) -> WorkOrder:
    """Open the maintenance visit the reminder offers, in ``slot``, and mark the reminder booked with it.

    ``actor`` None: the link's customer (customer_principal). A reminder already answered is a 409 and opens
    nothing; two taps at once open one order (the reminder moves from sent to booked by compare-and-set, and
    the loser's order is rolled back with its transaction)."""
    if reminder.status != ReminderStatus.SENT:
        raise ReminderClosed(order_id=reminder.work_order_id)
    product = reminder.schedule.product
    order = intake.submit_request(
        actor=actor or customer_principal(reminder), customer=reminder.customer, service_type=SERVICE_TYPE,
        channel="portal", product=product, site=product.site, description=description(reminder), slot=slot)
    claimed = Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.SENT).update(
        status=ReminderStatus.BOOKED, work_order=order, acted_at=timezone.now())
    if not claimed:
        raise ReminderClosed()
    reminder.status, reminder.work_order = ReminderStatus.BOOKED, order
    return order
