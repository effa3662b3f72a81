"""How the integrations open work orders and write device alerts on a timeline (no signals: STYLE.md §6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.principal import Principal
from customers.models import InstalledProduct
from workorders import events
from workorders.choices import OPEN_STATUSES
from workorders.intake import submit_request
from workorders.models import WorkOrder, WorkOrderEvent


def lock_product(product: InstalledProduct) -> None:
    """Serialise the intake of one product, so two alerts or messages cannot both open an order for it.

    PostgreSQL: a row lock until commit; NO KEY UPDATE, which rows referencing the product (an alert, an
    order) do not conflict with, so two deliveries cannot deadlock. SQLite: the IMMEDIATE transaction
    already holds the database's write lock.
    """
    assert transaction.get_connection().in_atomic_block, "lock_product needs a transaction"
    InstalledProduct.objects.select_for_update(no_key=True).filter(pk=product.pk).values_list("pk", flat=True).first()


def open_order_for(product: InstalledProduct) -> WorkOrder | None:
    return (WorkOrder.objects.filter(product=product, status__in=sorted(OPEN_STATUSES))
            .order_by("-created_at", "-pk").first())


def open_channel_order(
    *, actor: Principal, product: InstalledProduct, channel: str, service_type: str, priority: str,
    description: str, symptom_code: str | None = None, slot: tuple[dt.datetime, dt.datetime] | None = None,
) -> WorkOrder:
    """The one way an integration opens an order: the intake every channel uses (estimate stored with it)."""
    return submit_request(
        actor=actor, customer=product.customer, service_type=service_type, channel=channel, product=product,
        site=product.site, symptom_code=symptom_code or "", description=description, priority=priority, slot=slot,
    )


def record_alert_event(*, order: WorkOrder, actor: Principal, data: dict[str, Any], reason: str = "") -> WorkOrderEvent:
    return events.alerted(order_id=order.pk, actor=actor, reason=reason[:500], data=data, at=timezone.now())
