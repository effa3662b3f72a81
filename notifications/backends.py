"""Where notifications go: pluggable by the NOTIFICATION_BACKENDS setting (dotted class paths).

A backend is a class with ``deliver(notice) -> None``. The defaults write an in-app row per recipient
(the console's notifications page and unread badge) and a log line. Deliveries run from a task
after the commit that caused them; a notice carries a ``key`` naming its event, so a backend can make
a second delivery of the same event a no-op, as the in-app one does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications.models import Notification

logger = logging.getLogger("aftersales.notifications")


@dataclass(frozen=True)
class Notice:
    key: str
    kind: str
    brand_id: int
    recipient_ids: tuple[int, ...]
    work_order_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


class NotificationBackend(Protocol):
    def deliver(self, notice: Notice) -> None: ...


class InAppBackend:
    """A row per recipient, once per key: what the console shows."""

    def deliver(self, notice: Notice) -> None:
        now = timezone.now()
        Notification.objects.bulk_create(
            [Notification(recipient_id=user_id, brand_id=notice.brand_id, kind=notice.kind, key=notice.key,
                          work_order_id=notice.work_order_id, data=notice.data, created_at=now)
             for user_id in notice.recipient_ids],
            ignore_conflicts=True,
        )


class LogBackend:
    """One log line per notice (logger ``aftersales.notifications``)."""

    def deliver(self, notice: Notice) -> None:
        logger.info("notify %s to users %s: %s", notice.key, ",".join(map(str, notice.recipient_ids)), notice.data)


def backends() -> list[NotificationBackend]:
    return [import_string(path)() for path in settings.NOTIFICATION_BACKENDS]
