"""Background work of core (STYLE.md §8): the outbox's delivery, promptly after a commit and every minute."""

from __future__ import annotations

import time

from django_tasks import task

from core import outbox

# The periodic run stops taking new batches after this long, so runs a minute apart do not pile up.
BUDGET_SECONDS = 50.0
BATCH = 100


@task()
def deliver_outbox(event_ids: list[int] | None = None) -> int:
    """Deliver these events' due deliveries (after the commit that recorded them), or, without ids (the
    periodic job), everything due, batch after batch; returns how many reached their sinks. Safe to run
    in several processes at once (core/outbox.py: leases)."""
    if event_ids is not None:
        return outbox.deliver_due(event_ids=event_ids, limit=len(event_ids) * max(len(list(outbox.sinks)), 1))
    delivered = 0
    started = time.monotonic()
    while True:
        delivered += outbox.deliver_due(limit=BATCH)
        if time.monotonic() - started > BUDGET_SECONDS or not outbox.has_due():
            return delivered
