from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import Notification

PAGE_SIZE = 50


def unread_count(user) -> int:
    return Notification.objects.visible_to(user).filter(read_at__isnull=True).count()


def recent(user, limit: int = PAGE_SIZE) -> QuerySet[Notification]:
    return Notification.objects.visible_to(user).select_related("work_order")[:limit]
