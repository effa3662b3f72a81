"""Background work of the callbacks (STYLE.md §8): takes ids, runs after the commit, idempotent."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from feedback.sweep import sweep


@task()
def sweep_callbacks(now: str | None = None) -> dict[str, int]:
    """The periodic callbacks sweep (settings.PERIODIC_TASKS); ``now`` (ISO) only for tests and replays."""
    return sweep(now=dt.datetime.fromisoformat(now) if now else None)
