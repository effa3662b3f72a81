"""What the inbox shows: one's own notifications, filtered, counted by topic, grouped by work order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, QuerySet

from notifications import messages
from notifications.models import CustomerMessage, Notification

PAGE_SIZE = 50
GROUPS_PER_PAGE = 25


def unread_count(user) -> int:
    return Notification.objects.visible_to(user).filter(read_at__isnull=True).count()


def recent(user, limit: int = PAGE_SIZE) -> QuerySet[Notification]:
    return Notification.objects.visible_to(user).select_related("work_order")[:limit]


@dataclass(frozen=True)
class InboxFilter:
    topic: str = ""  # messages.TOPICS key, "" for every topic
    unread_only: bool = True
    number: str = ""  # part of a work order number

    @classmethod
    def from_query(cls, query) -> InboxFilter:
        topic = query.get("topic", "")
        return cls(topic=topic if topic in messages.TOPICS else "",
                   unread_only=query.get("show", "unread") != "all",
                   number=query.get("q", "").strip()[:40])


def filtered(user, f: InboxFilter) -> QuerySet[Notification]:
    qs = Notification.objects.visible_to(user)
    if f.unread_only:
        qs = qs.filter(read_at__isnull=True)
    if f.topic:
        qs = qs.filter(messages.topic_q(f.topic))
    if f.number:
        qs = qs.filter(work_order__number__icontains=f.number)
    return qs


def topic_counts(user, *, unread_only: bool) -> list[tuple[str, object, int]]:
    """(topic, label, how many) for every topic the user has, in the order of messages.TOPICS."""
    qs = Notification.objects.visible_to(user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    counts = qs.aggregate(**{code: Count("pk", filter=messages.topic_q(code)) for code in messages.TOPICS})
    return [(code, label, counts[code]) for code, label in messages.TOPICS.items() if counts[code]]


@dataclass
class Group:
    work_order: object | None
    notifications: list[Notification] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(1 for n in self.notifications if n.read_at is None)


@dataclass
class InboxPage:
    groups: list[Group]
    total: int  # notifications matching
    orders: int  # work orders they are about
    page: int
    num_pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def inbox(user, f: InboxFilter, *, page: int = 1) -> InboxPage:
    """Work orders with their notifications, the most recently alerted first, a page of orders at a time."""
    qs = filtered(user, f)
    total = qs.count()
    per_order = (qs.exclude(work_order__isnull=True).values("work_order_id")
                 .annotate(latest=Max("created_at"), n=Count("pk")).order_by("-latest", "-work_order_id"))
    loose = list(qs.filter(work_order__isnull=True)[:PAGE_SIZE])  # about no order: each on its own
    orders = per_order.count()
    num_pages = max(1, -(-orders // GROUPS_PER_PAGE))
    page = min(max(1, page), num_pages)
    ids = [row["work_order_id"] for row in per_order[(page - 1) * GROUPS_PER_PAGE: page * GROUPS_PER_PAGE]]
    rows = (qs.filter(work_order_id__in=ids)
            .select_related("work_order", "work_order__customer", "work_order__outlet", "work_order__technician"))
    by_order: dict[int, Group] = {pk: Group(work_order=None) for pk in ids}
    for n in rows:
        group = by_order[n.work_order_id]
        group.work_order = n.work_order
        group.notifications.append(n)
    groups = [by_order[pk] for pk in ids]
    if page == 1:
        groups = [Group(work_order=None, notifications=[n]) for n in loose] + groups
    return InboxPage(groups=groups, total=total, orders=orders, page=page, num_pages=num_pages)



def order_messages(user, order) -> QuerySet[CustomerMessage]:
    """What was sent to the order's customer about it, on which channel, with its delivery status (oldest first)."""
    return CustomerMessage.objects.visible_to(user).filter(work_order=order).order_by("created_at", "pk")


def with_messages(events, messages) -> list:
    """An order's timeline with the customer's messages among its events, by time (a message has ``channel``)."""
    return sorted([*events, *messages], key=lambda row: (row.created_at, 1 if hasattr(row, "channel") else 0))


@dataclass(frozen=True)
class Told:
    """One thing the customer was told, with how each channel carried it (the portal shows one line per event)."""

    created_at: Any
    text: str
    channels: list[CustomerMessage]


def told(messages) -> list[Told]:
    """The customer's messages grouped by event, oldest first; the words without the SMS signature."""
    by_event: dict[int, list[CustomerMessage]] = {}
    for message in messages:
        by_event.setdefault(message.event_id, []).append(message)
    groups = []
    for rows in by_event.values():
        plain = next((m for m in rows if m.channel != "sms"), rows[0])
        text = plain.text.split("】", 1)[1] if plain.channel == "sms" and "】" in plain.text else plain.text
        groups.append(Told(created_at=rows[0].created_at, text=text, channels=rows))
    return sorted(groups, key=lambda group: group.created_at)
