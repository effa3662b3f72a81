"""Background work of notifications (STYLE.md §8): tasks take ids, are enqueued on commit, and are idempotent.

SLA alerts reach the dispatchers through the outbox (``sla.alert``, notifications/sinks.py); ``notify_sla_alert``
is kept so a queued task of an older release that still names it is delivered, the same way.
"""

from __future__ import annotations

from django_tasks import task

from notifications import customer_messages, receipts
from notifications.services import send
from notifications.sinks import sla_notice, sla_recipients
from workorders.models import WorkOrder

__all__ = ["collect_sms_receipts", "notify_sla_alert", "send_due_customer_messages", "sla_recipients"]


@task()
def notify_sla_alert(order_id: int, clock: str, state: str) -> int:
    """Tell the dispatchers that one clock of the order moved; a second run delivers nothing new (the key)."""
    due = WorkOrder.objects.filter(pk=order_id).values_list(f"{clock}_due", flat=True).first()
    notice = sla_notice(order_id, clock, state, due.isoformat() if due else None)
    if notice is None:
        return 0
    send(notice)
    return len(notice.recipient_ids)


@task()
def send_due_customer_messages() -> int:
    """The periodic job (settings.PERIODIC_TASKS): customer messages past quiet hours or due a retry go out;
    two runs at once send each message once (notifications/customer_messages.py claims before it sends)."""
    return customer_messages.send_due()


@task()
def collect_sms_receipts() -> dict[str, int]:
    """The periodic job (settings.PERIODIC_TASKS): the gateway's delivery receipts of the text messages it took and
    that are neither delivered nor failed yet; two runs at once ask about each message once
    (notifications/receipts.py claims before it asks)."""
    return receipts.collect()

