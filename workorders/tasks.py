"""Background work of work orders (STYLE.md §8): tasks take ids, are enqueued on commit, and are idempotent."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from workorders.sla_watch import sweep


@task()
def watch_sla(now: str | None = None) -> dict[str, int]:
    """The periodic SLA watch (settings.PERIODIC_TASKS); ``now`` (ISO) only for tests and replays."""
    return sweep(now=dt.datetime.fromisoformat(now) if now else None)
