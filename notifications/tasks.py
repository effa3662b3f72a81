"""Background work of notifications (STYLE.md §8): tasks take ids, are enqueued on commit, and are idempotent.

SLA alerts reach the dispatchers through the outbox (``sla.alert``, notifications/sinks.py); ``notify_sla_alert``
is kept so a queued task of an older release that still names it is delivered, the same way: it records the
alert in the outbox, whose in_app sink tells the dispatchers and retries what a provider failed to take.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from notifications import customer_messages, receipts
from notifications.sinks import sla_recipients
from workorders import events
from workorders.models import WorkOrder

SLA_CLOCKS = ("response", "onsite")
__all__ = ["collect_sms_receipts", "notify_sla_alert", "send_due_customer_messages", "sla_recipients"]


@task()
def notify_sla_alert(order_id: int, clock: str, state: str) -> int:
    """Hand an older release's alert to the outbox (``sla.alert``); returns how many dispatchers it names.

    It never calls a provider itself, so a mail server that fails does not fail this task (the outbox's delivery
    is retried with its backoff), and a second run tells nobody twice: the notice's key (order, clock, state)
    keeps the inbox row and the e-mail to one per person."""
    if clock not in SLA_CLOCKS:
        return 0
    order = WorkOrder.objects.filter(pk=order_id).only("pk", "brand", "outlet", "number", f"{clock}_due").first()
    if order is None:
        return 0
    due = getattr(order, f"{clock}_due")
    with transaction.atomic():
        events.publish("sla.alert", order=order, data={"clock": clock, "state": state,
                                                       "due": due.isoformat() if due else None},
                       at=timezone.now())
    return len(sla_recipients(order))


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

