"""What complaints does when the layers below it say so (core/hooks.py)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext

from accounts.principal import Principal, system_principal
from complaints.choices import ACTIVE_STATUSES, Channel, ComplaintCategory, Severity
from complaints.models import Complaint
from complaints.services import open_complaint
from core.dates import brand_tz
from customers.models import Customer
from feedback.desk import complaint_requested
from workorders.complaint_hooks import open_customer_complaint, urges_escalate
from workorders.models import Urge, WorkOrder


def reference(complaint: Complaint) -> str:
    """What a customer quotes for their complaint."""
    return complaint.number


@urges_escalate.connect
def _complain_of_lateness(*, order: WorkOrder, urge: Urge, actor: Principal) -> Complaint:
    """Urged again and again about one promise (asked once per promise, workorders/urges.py): a "late or missed
    visit" complaint opened by the system, unless one about the order is still open, which then takes it and
    goes on up its ladder."""
    found = Complaint.objects.filter(work_order=order, category=ComplaintCategory.NO_SHOW,
                                     status__in=sorted(ACTIVE_STATUSES)).first()
    if found is not None:
        return found
    promised = timezone.localtime(urge.promised, brand_tz()).strftime("%Y-%m-%d %H:%M") if urge.promised else "-"
    return open_complaint(
        actor=system_principal(order.brand_id), customer=order.customer, category=ComplaintCategory.NO_SHOW,
        order=order, opened_at=urge.created_at, channel=Channel.URGING, severity=Severity.HIGH,
        description=gettext("Urged %(seq)s times: promised by %(promised)s and still waiting.")
        % {"seq": urge.since_promise, "promised": promised},
    )


@open_customer_complaint.register
def _customer_complaint(*, customer: Customer, order: WorkOrder | None, actor: Principal, description: str,
                        channel: str) -> str:
    complaint = open_complaint(actor=actor, customer=customer, category=ComplaintCategory.OTHER,
                               description=description, order=order,
                               channel=channel if channel in Channel.values else None)
    return reference(complaint)


@complaint_requested.connect
def complaint_from_callback(*, order: WorkOrder, actor: Principal, description: str) -> Complaint:
    """The callback desk's review opens a complaint about the order (feedback.desk.decide)."""
    return open_complaint(actor=actor, customer=order.customer, category=ComplaintCategory.QUALITY,
                          description=description, order=order, channel=Channel.CALLBACK)
