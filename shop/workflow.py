"""A shop order's life as a table (STYLE.md §3). ``transition`` is the only writer of ``status``: it refuses an
edge not in ``ALLOWED`` (409), applies the step by compare-and-set on (status, version) so two callers never both
take it, and writes the event row.

awaiting payment → paid → fulfilling (shipped by courier, or booked for a visit) → delivered / installed → done;
an order not yet on its way may be cancelled (its reserved stock released, a payment refunded by staff)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from core.errors import IllegalTransition, StaleVersion
from shop.choices import OrderStatus
from shop.models import ShopOrder, ShopOrderEvent

S = OrderStatus
ALLOWED: dict[str, set[str]] = {
    S.AWAITING_PAYMENT: {S.PAID, S.CANCELLED},
    S.PAID: {S.FULFILLING, S.DONE, S.CANCELLED},  # done: a plan or a warranty only, nothing to deliver
    S.FULFILLING: {S.DELIVERED, S.INSTALLED},
    S.DELIVERED: {S.DONE},
    S.INSTALLED: {S.DONE},
    S.DONE: set(),
    S.CANCELLED: set(),
}


def transition(order: ShopOrder, to: str, *, actor: Principal, note: str = "", data: dict[str, Any] | None = None,
               version: int | None = None, **changes: Any) -> ShopOrder:
    """Move ``order`` to ``to`` with ``changes``, or refuse having changed nothing; in the caller's transaction."""
    expected = order.version if version is None else version
    if to not in ALLOWED.get(order.status, set()):
        raise IllegalTransition(_("This step is not allowed from the shop order's current status."),
                                from_status=order.status, to_status=to, allowed=sorted(ALLOWED.get(order.status, ())))
    now = timezone.now()
    with transaction.atomic():
        updated = ShopOrder.objects.filter(pk=order.pk, status=order.status, version=expected).update(
            status=to, version=F("version") + 1, updated_at=now, **changes)
        if not updated:
            current = ShopOrder.objects.filter(pk=order.pk).values("status", "version").first() or {}
            if current.get("status") != order.status:
                raise IllegalTransition(_("This step is not allowed from the shop order's current status."),
                                        from_status=current.get("status", ""), to_status=to)
            raise StaleVersion(current_version=current.get("version"))
        ShopOrderEvent.objects.create(order=order, from_status=order.status, to_status=to, note=note[:200],
                                      data=data or {}, actor=actor.user, actor_role=actor.role, created_at=now)
    order.refresh_from_db()
    return order
