"""Callbacks for the tests: put orders on the desk as the services would (feedback.desk.open_callback)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from feedback import desk
from feedback.choices import CallbackReason
from feedback.models import Callback
from feedback.selectors import policy_for


def callback_on(order, reason: str = CallbackReason.SAMPLED) -> Callback:
    with transaction.atomic():
        return desk.open_callback(order=order, reason=reason, policy=policy_for(order.brand_id, order.type),
                                  now=timezone.now())


def access_probes(foreign: dict[str, dict], *orders) -> None:
    """A callback due on each order; each persona's foreign callback is the one on its foreign order."""
    by_order = {order.pk: callback_on(order).pk for order in orders}
    for ids in foreign.values():
        ids["callback_id"] = by_order[ids["order_id"]]
