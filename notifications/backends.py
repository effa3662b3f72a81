"""Where notifications go: pluggable by the NOTIFICATION_BACKENDS setting (dotted class paths).

A backend is a class with ``deliver(notice) -> None``. The defaults write an in-app row per recipient
(the console's notifications page and unread badge), an e-mail to each recipient who asked for one, and a log
line. Deliveries run from a task after the commit that caused them; a notice carries a ``key`` naming its
event, so a backend can make a second delivery of the same event a no-op, as the in-app and e-mail ones do.
Each person's choice (StaffPreference: in the console, by e-mail) is the backends' to honour.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications import staff_email
from notifications.models import Notification, StaffPreference

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
    """A row per recipient, once per key: what the console shows; not for those who turned the console off."""

    def deliver(self, notice: Notice) -> None:
        now = timezone.now()
        off = set(StaffPreference.objects.filter(user_id__in=notice.recipient_ids, in_app=False)
                  .values_list("user_id", flat=True))
        Notification.objects.bulk_create(
            [Notification(recipient_id=user_id, brand_id=notice.brand_id, kind=notice.kind, key=notice.key,
                          work_order_id=notice.work_order_id, data=notice.data, created_at=now)
             for user_id in notice.recipient_ids if user_id not in off],
            ignore_conflicts=True,
        )


class EmailBackend:
    """An e-mail per recipient who turned e-mail on, once per key, through settings.EMAIL_BACKEND
    (notifications/staff_email.py); raises while one is left to send, so the outbox tries again."""

    def deliver(self, notice: Notice) -> None:
        staff_email.deliver(notice)


class LogBackend:
    """One log line per notice (logger ``aftersales.notifications``)."""

    def deliver(self, notice: Notice) -> None:
        logger.info("notify %s to users %s: %s", notice.key, ",".join(map(str, notice.recipient_ids)), notice.data)


def backends() -> list[NotificationBackend]:
    return [import_string(path)() for path in settings.NOTIFICATION_BACKENDS]
