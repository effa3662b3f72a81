"""Sending and reading notifications (STYLE.md §1)."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from notifications.backends import Notice, backends
from notifications.models import Notification

logger = logging.getLogger("aftersales.notifications")


def send(notice: Notice) -> None:
    """Hand the notice to every configured backend; one failing backend does not stop the others."""
    if not notice.recipient_ids:
        return
    for backend in backends():
        try:
            backend.deliver(notice)
        except Exception:  # a broken SMS gateway must not lose the in-app row
            logger.exception("notification backend %s failed for %s", type(backend).__name__, notice.key)


def mark_read(*, user, notification_id: int | None = None, now: dt.datetime | None = None) -> int:
    """Mark one of the user's notifications read, or all of them; returns how many changed."""
    unread = Notification.objects.visible_to(user).filter(read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=now or timezone.now())
