"""Background work of maintenance (STYLE.md §8): idempotent, safe to run twice and in two processes at once."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from maintenance.visits import order_due_visits


@task()
def order_contract_visits(today: str | None = None) -> dict[str, int]:
    """The periodic job (settings.PERIODIC_TASKS): contract visits due within the next weeks become maintenance
    orders (maintenance/visits.py); ``today`` (ISO date) only for tests and replays."""
    return order_due_visits(today=dt.date.fromisoformat(today) if today else None)
