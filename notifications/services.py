"""Sending and reading notifications (STYLE.md §1)."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from notifications.backends import Notice, backends
from notifications.models import Notification

logger = logging.getLogger("aftersales.notifications")


def send(notice: Notice) -> None:
    """Hand the notice to every configured backend; one failing backend does not stop the others, and then
    the first failure is raised, so the outbox sink that called this is retried (the in-app row's unique key
    keeps the retry from writing it twice)."""
    if not notice.recipient_ids:
        return
    failed: Exception | None = None
    for backend in backends():
        try:
            backend.deliver(notice)
        except Exception as error:  # a broken SMS gateway must not lose the in-app row
            logger.exception("notification backend %s failed for %s", type(backend).__name__, notice.key)
            failed = failed or error
    if failed is not None:
        raise failed


def mark_read(*, user, notification_id: int | None = None, notifications=None, work_order_ids=None,
              now: dt.datetime | None = None) -> int:
    """Mark the user's unread notifications read: one, those of a queryset (a filter), those about some
    work orders, or all of them; returns how many changed. Someone else's are never touched."""
    unread = Notification.objects.visible_to(user).filter(read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    if notifications is not None:
        unread = unread.filter(pk__in=notifications.values("pk"))
    if work_order_ids is not None:
        unread = unread.filter(work_order_id__in=list(work_order_ids))
    return unread.update(read_at=now or timezone.now())
