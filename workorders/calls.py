"""Hotline calls: how each call ended, against the customer and, when there is one, on the order's timeline."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.principal import Principal
from core.errors import InvalidInput, PermissionDenied
from customers.models import Customer
from workorders import events
from workorders.models import REASON_MAX, CallOutcome, CustomerCall, WorkOrder

CALL_ROLES = frozenset({Role.BRAND_ADMIN, Role.DISPATCHER, Role.HOTLINE_AGENT})
NEEDS_ORDER = frozenset({CallOutcome.ORDER_CREATED, CallOutcome.EXISTING_ORDER})
NEEDS_NOTE = frozenset({CallOutcome.CALLBACK})


def log_call(*, actor: Principal, customer: Customer, outcome: str, note: str = "",
             order: WorkOrder | None = None) -> CustomerCall:
    """Record a call's outcome. ``customer`` and ``order`` come from ``visible_to(actor.user)``."""
    if actor.role not in CALL_ROLES:
        raise PermissionDenied(_("Your role may not log hotline calls."))
    if customer.brand_id != actor.brand_id:
        raise InvalidInput(_("Unknown customer."), field="customer")
    if outcome not in CallOutcome.values:
        raise InvalidInput(_("Choose how the call ended."), field="outcome", allowed=list(CallOutcome.values))
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise InvalidInput(_("The note is too long."), field="note", max_length=REASON_MAX)
    if outcome in NEEDS_NOTE and not note:
        raise InvalidInput(_("Write down what was promised, and when."), field="note")
    if order is not None and order.customer_id != customer.pk:
        raise InvalidInput(_("The order belongs to another customer."), field="order")
    if outcome in NEEDS_ORDER and order is None:
        raise InvalidInput(_("Choose the order the call was about."), field="order")

    now = timezone.now()
    with transaction.atomic():
        call = CustomerCall.objects.create(
            brand_id=customer.brand_id, customer=customer, work_order=order, outcome=outcome, note=note,
            agent=actor.user, agent_role=actor.role,
        )
        if order is not None:
            events.called(order_id=order.pk, actor=actor, outcome=outcome, call_id=call.pk, note=note, at=now)
    return call
