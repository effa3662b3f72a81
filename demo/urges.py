"""Demo urges (催单): ``seed_urges(brand, now=...)`` (called by the demo command; safe to run twice).

The customers of a few open orders past their promise urged them once or twice (the customer in the portal
or on WeChat, else the hotline for them), through workorders.urges like the portal's button, forty minutes
apart; so the dispatchers' notifications, the order list's counts and the urge figures have something to show.
None reaches the brand's third urge: the demo's complaints are demo/complaints.py's.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from accounts.choices import Role
from accounts.models import Membership
from accounts.principal import principal_of
from workorders import urges
from workorders.models import Urge, UrgeChannel, WorkOrder

ORDERS = 6
CHANNELS = [UrgeChannel.PORTAL, UrgeChannel.WECHAT]


def seed_urges(brand, *, now: dt.datetime) -> dict[str, int]:
    if Urge.objects.filter(work_order__brand=brand).exists():
        return {"urges": Urge.objects.filter(work_order__brand=brand).count()}
    late = (WorkOrder.objects.filter(brand=brand, status__in=sorted(urges.URGEABLE))
            .filter(Q(slot_end__lt=now - dt.timedelta(hours=2))
                    | Q(slot_end__isnull=True, onsite_due__lt=now - dt.timedelta(hours=2)))
            .select_related("customer__user").order_by("number")[:ORDERS])
    desk = Membership.objects.filter(organisation=brand, role=Role.HOTLINE_AGENT, is_active=True).first()
    hotline = principal_of(desk.user) if desk else None
    made = 0
    for i, order in enumerate(late):
        customer = principal_of(order.customer.user) if order.customer.user_id else None
        for n in range(i % 2 + 1):
            at = now - dt.timedelta(minutes=90 - 40 * n)
            actor, channel = (customer, CHANNELS[n]) if customer else (hotline, UrgeChannel.HOTLINE)
            if actor is None:
                continue
            urges.urge_order(order=order, actor=actor, channel=channel, now=at)
            made += 1
    return {"urges": made}
