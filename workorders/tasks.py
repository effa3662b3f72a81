"""Background work of work orders (STYLE.md §8): tasks take ids, are enqueued on commit, and are idempotent."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from accounts.choices import Role
from accounts.models import Membership
from notifications.backends import Notice
from notifications.services import send
from workorders.models import WorkOrder


@task()
def watch_sla(now: str | None = None) -> dict[str, int]:
    """The periodic SLA watch (settings.PERIODIC_TASKS); ``now`` (ISO) only for tests and replays."""
    from workorders.sla_watch import sweep

    return sweep(now=dt.datetime.fromisoformat(now) if now else None)


def sla_recipients(order: WorkOrder) -> tuple[int, ...]:
    """The brand's dispatchers, and the dispatchers of the order's outlet."""
    seats = Membership.objects.filter(is_active=True, user__is_active=True, organisation__is_active=True)
    wanted = seats.filter(organisation_id=order.brand_id, role=Role.DISPATCHER)
    if order.outlet_id:
        wanted = wanted | seats.filter(organisation_id=order.outlet_id, role=Role.OUTLET_DISPATCHER)
    return tuple(sorted(set(wanted.values_list("user_id", flat=True))))


@task()
def notify_sla_alert(order_id: int, clock: str, state: str) -> int:
    """Tell the dispatchers that one clock of the order moved; a second run delivers nothing new (the key)."""
    order = WorkOrder.objects.filter(pk=order_id).only("pk", "brand", "outlet", "number", f"{clock}_due").first()
    if order is None:
        return 0
    recipients = sla_recipients(order)
    due = getattr(order, f"{clock}_due")
    send(Notice(
        key=f"sla:{order_id}:{clock}:{state}", kind="sla", brand_id=order.brand_id, recipient_ids=recipients,
        work_order_id=order_id,
        data={"number": order.number, "clock": clock, "state": state, "due": due.isoformat() if due else None},
    ))
    return len(recipients)
