"""SMS delivery receipts: what became of each text message the gateway took.

The gateway's acceptance (``sent``) says only that it will try. The periodic job asks the gateway (Aliyun:
QuerySendDetails, core/aliyun_sms.py) about every SMS still ``sent`` within the gateway's window and writes the
answer on the message: ``delivered`` (with when the handset took it) or ``failed`` with the carrier's code (not
sent again: the number is the problem). A message still waiting is asked about again later, less often as it ages.

Safe twice and twice at once: a checker first claims a message by moving its ``receipt_due_at`` forward with a
compare-and-set, and a receipt is written only on a message that is still ``sent``.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q
from django.utils import timezone

from core import sms
from notifications.choices import MessageChannel, MessageStatus
from notifications.customer_messages import mark_delivered, mark_undelivered
from notifications.models import CustomerMessage

logger = logging.getLogger("aftersales.notifications")

FIRST_WAIT = dt.timedelta(minutes=1)
LONGEST_WAIT = dt.timedelta(hours=3)


def next_check(now: dt.datetime, sent_at: dt.datetime) -> dt.datetime:
    """Receipts mostly come within a minute, some after hours: wait as long as the message is old, 1 min to 3 h."""
    return now + min(max(now - sent_at, FIRST_WAIT), LONGEST_WAIT)


def _awaiting(now: dt.datetime, window: dt.timedelta):
    return (CustomerMessage.objects.filter(channel=MessageChannel.SMS, status=MessageStatus.SENT,
                                           sent_at__gt=now - window)
            .exclude(provider_id="")
            .filter(Q(receipt_due_at__isnull=True) | Q(receipt_due_at__lte=now)))


def check(message: CustomerMessage, *, now: dt.datetime, window: dt.timedelta) -> str | None:
    """Ask the gateway about one message if nobody else is; returns what it said ("waiting", "delivered",
    "failed", "error": the gateway could not answer) or None when another checker has it."""
    claimed = _awaiting(now, window).filter(pk=message.pk).update(receipt_due_at=next_check(now, message.sent_at))
    if not claimed:
        return None
    try:
        receipt = sms.query_receipt(message.address, provider_id=message.provider_id, sent_at=message.sent_at)
    except sms.SmsError as error:  # asked again at receipt_due_at; the message stays as it was
        logger.warning("SMS %s: no receipt from the gateway (%s: %s)", message.pk, error.code, error)
        return "error"
    if receipt is None or receipt.state == sms.Receipt.WAITING:
        return sms.Receipt.WAITING
    if receipt.state == sms.Receipt.DELIVERED:
        mark_delivered(channel=MessageChannel.SMS, provider_id=message.provider_id, brand_id=message.brand_id,
                       at=receipt.at or now)
    else:
        mark_undelivered(channel=MessageChannel.SMS, provider_id=message.provider_id, brand_id=message.brand_id,
                         code=receipt.code or "undelivered")
    return receipt.state


def collect(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """The periodic job's body: every SMS awaiting its receipt and due a check, oldest first; counts by answer."""
    window = sms.receipt_window()
    if window is None:  # the backend has no receipts (the log backend of development and the demo)
        return {}
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for message in _awaiting(now, window).only("pk", "brand_id", "address", "provider_id", "sent_at").order_by(
            "sent_at", "pk")[:limit]:
        said = check(message, now=now, window=window)
        if said is not None:
            counts[said] = counts.get(said, 0) + 1
    return counts
