"""Background work of complaints (STYLE.md §8): idempotent, safe to run twice at once."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from complaints.watch import sweep


@task()
def watch_ladder(now: str | None = None) -> dict[str, int]:
    """The escalation ladder's periodic watch (settings.PERIODIC_TASKS); ``now`` (ISO) for tests and replays."""
    return sweep(now=dt.datetime.fromisoformat(now) if now else None)
