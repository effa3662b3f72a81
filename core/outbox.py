"""One outbox, many sinks: domain events recorded with the change, delivered once per sink (docs/outbox.md).

A service records an event inside the transaction that makes the change::

    outbox.record("complaint.escalated", brand_id=..., work_order_id=..., subject=("complaint", pk), data={...})

which writes an ``OutboxEvent`` row and one ``Delivery`` row per sink registered for that kind, so the
event exists exactly when the change does. Apps above core register their sinks from their ``hooks.py``::

    outbox.sinks.register(outbox.Sink(name="in_app", kinds=frozenset({"sla.alert"}), deliver=fn))

The worker (``deliver_due``) hands each due delivery to its sink outside any transaction of ours, and
records the try (``DeliveryAttempt``). It holds a delivery by a lease written with compare-and-set, so two
workers never call a sink for the same delivery at once, on SQLite and PostgreSQL alike; a worker that
dies mid-call leaves the lease to expire and another worker takes the delivery again. So a sink sees an
event at least once and, when it succeeded, is not called again: ``deliver`` must be idempotent per
``event.pk`` (a unique key on its own rows) and raises to ask for a retry. A sink that raises changes
nothing of the business change (it committed before) nor of the other sinks (each has its own delivery).

Delivery starts promptly after commit (one ``core.tasks.deliver_outbox`` task per transaction, naming its
events) and the periodic job of the same name takes whatever is due: retries, and anything whose prompt
task was lost.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import random
import socket
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from django.db.models import Case, F, PositiveIntegerField, Q, Value, When
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import Delivery, DeliveryAttempt, DeliveryStatus, OutboxEvent

logger = logging.getLogger("aftersales.outbox")

# How long a worker holds a delivery it is calling a sink for; past it, another worker may take it again.
LEASE = dt.timedelta(seconds=getattr(settings, "OUTBOX_LEASE_SECONDS", 120))
# The tries a delivery gets before it is dead (the admin's "retry now" gives it one more).
MAX_ATTEMPTS = getattr(settings, "OUTBOX_MAX_ATTEMPTS", 10)
# The backoff: the n-th retry waits between BASE·2^(n-1) and BASE·2^n, never more than CAP.
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=6)
ERROR_MAX = 2000

# The task that delivers a transaction's events promptly after its commit (named, as core.tasks imports us).
DELIVERY_TASK = "core.tasks.deliver_outbox"


class OutsideTransaction(RuntimeError):
    """``record`` was called in autocommit: the event would not share the change's fate."""


@dataclass(frozen=True)
class Sink:
    """Where events go. ``kinds`` None takes every kind. ``deliver(event)`` returns when done, raises to retry."""

    name: str
    deliver: Callable[[OutboxEvent], None]
    kinds: frozenset[str] | None = None

    def wants(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


@dataclass
class Sinks:
    """The registry apps register their sinks into at start-up (their hooks.py)."""

    _by_name: dict[str, Sink] = field(default_factory=dict)

    def register(self, sink: Sink) -> Sink:
        """Register ``sink``. The same name with the same ``deliver`` again widens its kinds (a re-imported
        hooks.py is harmless); the same name with another ``deliver`` is a start-up error, not a silent swap."""
        known = self._by_name.get(sink.name)
        if known is not None:
            if known.deliver != sink.deliver:
                raise ImproperlyConfigured(
                    f"Two sinks are named {sink.name!r}: {known.deliver.__module__}.{known.deliver.__qualname__} "
                    f"and {sink.deliver.__module__}.{sink.deliver.__qualname__}")
            kinds = None if known.kinds is None or sink.kinds is None else known.kinds | sink.kinds
            sink = Sink(name=sink.name, deliver=sink.deliver, kinds=kinds)
        self._by_name[sink.name] = sink
        return sink

    def unregister(self, name: str) -> None:
        self._by_name.pop(name, None)

    def get(self, name: str) -> Sink | None:
        return self._by_name.get(name)

    def for_kind(self, kind: str) -> list[Sink]:
        return [sink for sink in self._by_name.values() if sink.wants(kind)]

    def __iter__(self):
        return iter(list(self._by_name.values()))


sinks = Sinks()


# --- recording -----------------------------------------------------------------------------------------

def _flush(alias: str) -> None:
    """After a commit: enqueue one delivery task for every event the transaction recorded. Each event
    registered this callback; the first to run takes the whole batch, the others find it empty."""
    conn = connections[alias]
    ids, conn._outbox_batch = getattr(conn, "_outbox_batch", []), []
    if ids:
        import_string(DELIVERY_TASK).enqueue(ids)


def ask_for_prompt_delivery(event_id: int, using: str | None = None) -> None:
    """Deliver the event promptly after the commit, in one task with the transaction's other events (in
    autocommit: at once). Every event registers the same small callback, so whichever savepoint survives
    still flushes the batch; an id whose savepoint rolled back is harmless (it has no deliveries)."""
    conn = transaction.get_connection(using)
    batch = getattr(conn, "_outbox_batch", None)
    if batch is None or not any(is_prompt_delivery(entry[1]) for entry in conn.run_on_commit):
        batch = conn._outbox_batch = []  # what a rolled-back transaction left behind
    batch.append(event_id)
    transaction.on_commit(functools.partial(_flush, conn.alias), using=using, robust=True)


def is_prompt_delivery(callback: Callable[..., Any]) -> bool:
    """Whether an on-commit callback is the outbox's own (a test counting what a change queued leaves it out)."""
    return isinstance(callback, functools.partial) and callback.func is _flush


def sink_names(kind: str) -> list[str]:
    return [sink.name for sink in sinks.for_kind(kind)]


@functools.cache
def event_cte(using: str, source: str, work_order_sql: str, subject_id_sql: str, data_sql: str) -> str:
    """On PostgreSQL, ``record`` as two CTEs of a data-modifying WITH (``outbox_event``, ``outbox_delivery``)
    whose values come from the CTE ``source`` (one row): for a write path that is one statement and no
    transaction (workorders' order insert). Parameters, in order: ``event_cte_params``."""
    q = connections[using].ops.quote_name
    event_columns = ", ".join(map(q, ("kind", "brand_id", "work_order_id", "subject_type", "subject_id", "data",
                                      "created_at")))
    delivery_columns = ", ".join(map(q, ("event_id", "sink", "status", "attempts", "next_attempt_at",
                                         "lease_token", "last_error")))
    return (f"outbox_event AS (INSERT INTO {q(OutboxEvent._meta.db_table)} ({event_columns}) "
            f"SELECT %s, %s, {work_order_sql}, %s, {subject_id_sql}, {data_sql}, %s FROM {source} "
            f"RETURNING id), "
            f"outbox_delivery AS (INSERT INTO {q(Delivery._meta.db_table)} ({delivery_columns}) "
            f"SELECT outbox_event.id, s.sink, %s, 0, %s, '', '' FROM outbox_event, unnest(%s::text[]) AS s(sink))")


def event_cte_params(kind: str, *, brand_id: int | None, subject_type: str, data_params: list, at: dt.datetime,
                     now: dt.datetime) -> list:
    return [kind, brand_id, subject_type, *data_params, at, DeliveryStatus.PENDING, now, sink_names(kind)]


def record(kind: str, *, brand_id: int | None, work_order_id: int | None = None,
           subject: tuple[str, int] | None = None, data: dict | None = None,
           at: dt.datetime | None = None, using: str | None = None) -> OutboxEvent:
    """Write the event and its deliveries in the caller's transaction, which it refuses to run outside of."""
    if not transaction.get_connection(using).in_atomic_block:
        raise OutsideTransaction(f"outbox.record({kind!r}) outside a transaction: wrap the change and the "
                                 "event in one transaction.atomic()")
    subject_type, subject_id = subject if subject is not None else ("", None)
    at = at or timezone.now()
    event = OutboxEvent.objects.using(using).create(
        kind=kind, brand_id=brand_id, work_order_id=work_order_id, subject_type=subject_type,
        subject_id=subject_id, data=data or {}, created_at=at)
    wanted = sinks.for_kind(kind)
    if wanted:
        now = timezone.now()
        Delivery.objects.using(using).bulk_create(
            [Delivery(event=event, sink=sink.name, next_attempt_at=now) for sink in wanted])
        ask_for_prompt_delivery(event.pk, using)
    return event


# --- delivering ----------------------------------------------------------------------------------------

def backoff(attempt: int, *, rand: Callable[[], float] = random.random) -> dt.timedelta:
    """The wait after the ``attempt``-th failed try: doubling, with jitter inside each doubling (so the
    schedule never shrinks from one try to the next), capped."""
    exponent = min(max(attempt, 1) - 1, 30)
    seconds = BACKOFF_BASE.total_seconds() * (2 ** exponent) * (1 + rand())
    return min(dt.timedelta(seconds=seconds), BACKOFF_CAP)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def _claimable(now: dt.datetime) -> Q:
    return (Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            & (Q(leased_until__isnull=True) | Q(leased_until__lt=now)))


def claim(*, now: dt.datetime, limit: int, event_ids: Iterable[int] | None = None,
          lease: dt.timedelta | None = None) -> tuple[str, list[Delivery]]:
    """Take up to ``limit`` due deliveries under a fresh lease; returns the lease token and what it holds.

    The UPDATE repeats the claimable condition, so of two workers racing for a row only the first one's
    update matches it (PostgreSQL re-reads the row after the winner commits, SQLite writes one at a time);
    on PostgreSQL the candidates are read with SKIP LOCKED so a second worker looks past rows being taken.
    """
    token = uuid.uuid4().hex
    due = Delivery.objects.filter(_claimable(now))
    if event_ids is not None:
        due = due.filter(event_id__in=list(event_ids))
    with transaction.atomic():
        candidates = due.order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return token, []
        Delivery.objects.filter(_claimable(now), pk__in=ids).update(
            lease_token=token, leased_until=now + (lease or LEASE))
    held = list(Delivery.objects.filter(lease_token=token).select_related("event").order_by("next_attempt_at", "pk"))
    return token, held


def _begin(delivery: Delivery, token: str, *, lease: dt.timedelta | None) -> DeliveryAttempt | None:
    """Just before calling the sink: renew the lease (a batch's last delivery would otherwise wait out the
    sinks before it) and count the try; None if the lease was lost meanwhile and another worker has it."""
    now = timezone.now()
    renewed = Delivery.objects.filter(pk=delivery.pk, lease_token=token, status=DeliveryStatus.PENDING).update(
        leased_until=now + (lease or LEASE), attempts=F("attempts") + 1)
    if not renewed:
        return None
    delivery.attempts += 1
    return DeliveryAttempt.objects.create(delivery=delivery, number=delivery.attempts, started_at=now,
                                          worker=worker_name())


def _finish(delivery: Delivery, token: str, attempt: DeliveryAttempt, *, error: str | None,
            started: float, now: dt.datetime) -> bool:
    """Record the try and move the delivery on, if this worker still holds it; True if delivered."""
    attempt.duration_ms = max(int((time.monotonic() - started) * 1000), 0)
    attempt.ok = error is None
    attempt.error = (error or "")[:ERROR_MAX]
    attempt.save(update_fields=["duration_ms", "ok", "error"])
    held = Delivery.objects.filter(pk=delivery.pk, lease_token=token, status=DeliveryStatus.PENDING)
    if error is None:
        moved = held.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), lease_token="",
                            leased_until=None, last_error="")
    elif delivery.attempts >= MAX_ATTEMPTS:
        moved = held.update(status=DeliveryStatus.DEAD, lease_token="", leased_until=None,
                            last_error=attempt.error)
        if moved:
            logger.error("outbox delivery %s to %s is dead after %s attempts: %s", delivery.event_id,
                         delivery.sink, delivery.attempts, attempt.error)
    else:
        moved = held.update(next_attempt_at=now + backoff(delivery.attempts), lease_token="",
                            leased_until=None, last_error=attempt.error)
    if not moved:
        # The lease ran out during the call and another worker took the delivery: its outcome stands.
        logger.warning("outbox delivery %s to %s outlived its lease", delivery.event_id, delivery.sink)
    return bool(moved) and error is None


def _call(delivery: Delivery) -> str | None:
    sink = sinks.get(delivery.sink)
    if sink is None:
        return f"no sink named {delivery.sink!r} is registered in this process"
    try:
        sink.deliver(delivery.event)
    except Exception as exc:  # any failure of a sink is a retry, never the worker's end
        logger.warning("outbox sink %s failed on event %s: %r", delivery.sink, delivery.event_id, exc)
        return "".join(traceback.format_exception_only(exc)).strip()
    return None


def bury_abandoned(*, now: dt.datetime) -> int:
    """A worker died during a delivery's last try: once its lease ran out, the delivery is dead."""
    return Delivery.objects.filter(_claimable(now), attempts__gte=MAX_ATTEMPTS).update(
        status=DeliveryStatus.DEAD, last_error="the worker stopped during the last attempt")


def has_due(*, now: dt.datetime | None = None) -> bool:
    return Delivery.objects.filter(_claimable(now or timezone.now())).exists()


def deliver_due(*, now: dt.datetime | None = None, limit: int = 100, event_ids: Iterable[int] | None = None,
                lease: dt.timedelta | None = None) -> int:
    """Deliver up to ``limit`` due deliveries (only those of ``event_ids`` when given); returns how many
    reached their sink. Safe to run in several processes at once."""
    now = now or timezone.now()
    if event_ids is None:
        bury_abandoned(now=now)
    token, held = claim(now=now, limit=limit, event_ids=event_ids, lease=lease)
    delivered = 0
    for delivery in held:
        attempt = _begin(delivery, token, lease=lease)
        if attempt is None:
            continue
        started = time.monotonic()
        error = _call(delivery)
        delivered += _finish(delivery, token, attempt, error=error, started=started, now=timezone.now())
    return delivered


def retry_now(deliveries: Iterable[Delivery] | Any, *, now: dt.datetime | None = None) -> int:
    """Make dead or waiting deliveries due at once (the admin's action); a dead one gets one more try."""
    now = now or timezone.now()
    ids = [d.pk for d in deliveries]
    with transaction.atomic():
        moved = Delivery.objects.filter(pk__in=ids).exclude(status=DeliveryStatus.DELIVERED).filter(
            Q(leased_until__isnull=True) | Q(leased_until__lt=now)).update(
            status=DeliveryStatus.PENDING, next_attempt_at=now, lease_token="", leased_until=None,
            attempts=_capped_attempts())
        event_ids = list(Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING)
                         .values_list("event_id", flat=True).distinct())
        for event_id in event_ids:
            ask_for_prompt_delivery(event_id)
    return moved


def _capped_attempts():
    """A dead delivery's count drops to one below the limit, so "retry now" gives it exactly one more try."""
    return Case(When(attempts__gte=MAX_ATTEMPTS, then=Value(MAX_ATTEMPTS - 1)), default=F("attempts"),
                output_field=PositiveIntegerField())
