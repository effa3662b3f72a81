"""Open and resolve complaints (STYLE.md §1): keyword-only, one transaction each, refusals change nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import SYSTEM, Role
from accounts.principal import Principal
from complaints.choices import ComplaintCategory, ComplaintStatus
from complaints.models import DESCRIPTION_MAX, RESOLUTION_MAX, Complaint
from core.errors import IllegalTransition, InvalidInput, PermissionDenied
from customers.models import Customer
from workorders.models import WorkOrder

COMPLAINT_DESK = frozenset({Role.BRAND_ADMIN, Role.DISPATCHER, Role.HOTLINE_AGENT})
OPENERS = COMPLAINT_DESK | {Role.CUSTOMER, SYSTEM}


def _text(value: str, *, field: str, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("This field is required."), field=field)
    if len(value) > max_length:
        raise InvalidInput(_("This text is too long."), field=field, max_length=max_length)
    return value


def open_complaint(
    *, actor: Principal, customer: Customer, category: str, description: str, order: WorkOrder | None = None,
    opened_at: dt.datetime | None = None,
) -> Complaint:
    """Record a complaint about an order (or the service in general); the order names outlet and technician.

    ``customer`` and ``order`` come from ``visible_to(actor.user)`` (or the brand's own, for the system).
    """
    if actor.role not in OPENERS:
        raise PermissionDenied(_("Your role may not record complaints."))
    if customer.brand_id != actor.brand_id or (actor.is_customer and customer.pk != actor.customer_id):
        raise PermissionDenied()
    if category not in ComplaintCategory.values:
        raise InvalidInput(_("Choose a valid option."), field="category", allowed=list(ComplaintCategory.values))
    description = _text(description, field="description", max_length=DESCRIPTION_MAX, required=True)
    if order is not None and order.customer_id != customer.pk:
        raise InvalidInput(_("The order belongs to another customer."), field="order")
    return Complaint.objects.create(
        brand_id=customer.brand_id, customer=customer, work_order=order,
        outlet_id=order.outlet_id if order else None, technician_id=order.technician_id if order else None,
        category=category, description=description, opened_at=opened_at or timezone.now(),
        opened_by=actor.user,
    )


def resolve_complaint(*, actor: Principal, complaint: Complaint, resolution: str,
                      resolved_at: dt.datetime | None = None) -> Complaint:
    """Close an open complaint with its recorded outcome; compare-and-set on the status, so only once."""
    if actor.role not in COMPLAINT_DESK | {SYSTEM}:
        raise PermissionDenied(_("Your role may not resolve complaints."))
    resolution = _text(resolution, field="resolution", max_length=RESOLUTION_MAX, required=True)
    with transaction.atomic():
        updated = Complaint.objects.filter(pk=complaint.pk, status=ComplaintStatus.OPEN).update(
            status=ComplaintStatus.RESOLVED, resolution=resolution, resolved_at=resolved_at or timezone.now(),
            resolved_by=actor.user,
        )
    if not updated:
        raise IllegalTransition(_("This complaint is already resolved."), from_status=ComplaintStatus.RESOLVED)
    complaint.refresh_from_db()
    return complaint
