"""Fixed-window rate limits that hold across processes: one row per key and window, counted up by an
``UPDATE ... SET count = count + 1 WHERE count < limit`` (atomic on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from portal.models import RateCounter

EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    seconds: int


@dataclass(frozen=True)
class Refusal:
    limit: Limit
    retry_after: int  # seconds until the window ends

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def _window(now: dt.datetime, seconds: int) -> dt.datetime:
    elapsed = int((now - EPOCH).total_seconds())
    return EPOCH + dt.timedelta(seconds=elapsed - elapsed % seconds)


def hit(limit: Limit, subject: str, now: dt.datetime | None = None) -> Refusal | None:
    """Count one hit of ``subject`` against ``limit``; a Refusal (and no count) when it is used up."""
    now = now or timezone.now()
    start = _window(now, limit.seconds)
    key = f"{limit.name}:{subject}"[:120]
    row = RateCounter.objects.filter(key=key, window_start=start)

    def count_up() -> int:
        return row.filter(count__lt=limit.limit).update(count=F("count") + 1)

    with transaction.atomic():
        counted = count_up()
        if not counted:
            if row.exists():
                # Full, or made by another process after our update looked (PostgreSQL): count on it once more.
                counted = count_up()
            else:
                try:
                    with transaction.atomic():
                        RateCounter.objects.create(key=key, window_start=start, count=1)
                    counted = 1
                except IntegrityError:  # another process made the row first: count on it
                    counted = count_up()
        if counted:
            # Windows before this one are spent: keep the table small.
            RateCounter.objects.filter(key=key, window_start__lt=start).delete()
    if counted:
        return None
    ends = start + dt.timedelta(seconds=limit.seconds)
    return Refusal(limit=limit, retry_after=max(1, int((ends - now).total_seconds())))


def hit_all(checks: list[tuple[Limit, str]], now: dt.datetime | None = None) -> Refusal | None:
    """Count against each limit in turn; the first that refuses stops the rest."""
    for limit, subject in checks:
        refusal = hit(limit, subject, now)
        if refusal is not None:
            return refusal
    return None
