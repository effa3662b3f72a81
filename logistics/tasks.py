"""Background work of mail-in repair (STYLE.md §8): each task takes ids, and running it twice changes nothing."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from logistics import booking, watch


@task()
def book_pickup(shipment_id: int) -> str:
    """Ask the courier for one parcel's pickup (enqueued on the commit that opened it)."""
    return booking.book(shipment_id).status


@task()
def book_due_pickups() -> int:
    """Periodic: every parcel still to book whose next try has come (a courier that was down, a lost task)."""
    due = booking.due_for_booking(timezone.now())
    for shipment_id in due:
        booking.book(shipment_id)
    return len(due)


@task()
def watch_hops() -> int:
    """Periodic: flag the units late in their hop (logistics/watch.py)."""
    return watch.sweep()
