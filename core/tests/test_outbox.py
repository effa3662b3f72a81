"""The outbox (core/outbox.py): events recorded with the change, delivered once per sink, retried with backoff,
every attempt recorded; two worker processes deliver each event once; a killed worker's delivery is taken
again after its lease."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone
from django_tasks.signals import task_enqueued
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core import outbox
from core.models import Counter, Delivery, DeliveryAttempt, DeliveryStatus, OutboxEvent
from core.tasks import deliver_outbox
from core.tests import outbox_probe


class Recorder:
    """A sink that remembers what it got and fails while ``failures`` is above zero."""

    def __init__(self, name: str, kinds: frozenset[str] | None = None, failures: int = 0) -> None:
        self.name = name
        self.got: list[int] = []
        self.failures = failures
        self.sink = outbox.Sink(name=name, kinds=kinds, deliver=self.deliver)

    def deliver(self, event: OutboxEvent) -> None:
        self.got.append(event.pk)
        if self.failures:
            self.failures -= 1
            raise ConnectionError(f"{self.name} is down")


@pytest.fixture
def registered():
    """These sinks alone, for one test (the apps' own sinks are put back after it)."""
    before = dict(outbox.sinks._by_name)
    outbox.sinks._by_name.clear()

    def register(*recorders: Recorder) -> None:
        for recorder in recorders:
            outbox.sinks.register(recorder.sink)

    yield register
    outbox.sinks._by_name.clear()
    outbox.sinks._by_name.update(before)


def later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


# --- recording ---------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_record_writes_the_event_and_one_delivery_per_sink_of_its_kind(registered):
    registered(Recorder("sms", frozenset({"order.booked"})), Recorder("in_app"), Recorder("x", frozenset({"y"})))

    event = outbox.record("order.booked", brand_id=7, work_order_id=42, subject=("workorder", 42),
                          data={"number": "WO-1", "slot": "2026-12-07T09:00:00+08:00"})

    event.refresh_from_db()
    assert (event.kind, event.brand_id, event.work_order_id, event.subject_type, event.subject_id) == (
        "order.booked", 7, 42, "workorder", 42)
    assert event.data == {"number": "WO-1", "slot": "2026-12-07T09:00:00+08:00"}
    assert sorted(event.deliveries.values_list("sink", "status", "attempts")) == [
        ("in_app", "pending", 0), ("sms", "pending", 0)]


@pytest.mark.django_db
def test_an_event_no_sink_wants_has_no_delivery_and_asks_for_no_task(registered, django_capture_on_commit_callbacks):
    registered(Recorder("sms", frozenset({"order.booked"})))
    with django_capture_on_commit_callbacks() as callbacks:
        outbox.record("order.created", brand_id=1)
    assert Delivery.objects.count() == 0
    assert callbacks == []


@pytest.mark.django_db
def test_one_transaction_asks_for_delivery_once_with_all_its_events(registered, django_capture_on_commit_callbacks):
    sink = Recorder("in_app")
    registered(sink)
    enqueued = []

    def count(sender, task_result, **kwargs):
        enqueued.append((task_result.task.module_path, task_result.args))

    task_enqueued.connect(count)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                first = outbox.record("order.created", brand_id=1)
                second = outbox.record("order.assigned", brand_id=1)
                with transaction.atomic():
                    third = outbox.record("order.en_route", brand_id=1, data={"eta": "2026-12-06T10:00:00+00:00"})
    finally:
        task_enqueued.disconnect(count)
    assert enqueued == [("core.tasks.deliver_outbox", [[first.pk, second.pk, third.pk]])]
    assert sink.got == [first.pk, second.pk, third.pk]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


@pytest.mark.django_db
def test_a_rolled_back_savepoint_takes_its_event_and_the_kept_one_is_delivered(registered,
                                                                              django_capture_on_commit_callbacks):
    sink = Recorder("in_app")
    registered(sink)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    outbox.record("order.created", brand_id=1)
                    raise ValueError("the change failed")
            except ValueError:
                pass
            kept = outbox.record("order.booked", brand_id=1)
    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert sink.got == [kept.pk]


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction(registered):
    registered(Recorder("in_app"))
    with pytest.raises(outbox.OutsideTransaction):
        outbox.record("order.created", brand_id=1)
    assert OutboxEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_failing_sink_neither_rolls_back_the_change_nor_stops_the_other_sink(registered):
    broken, fine = Recorder("sms", failures=99), Recorder("in_app")
    registered(broken, fine)

    with transaction.atomic():  # the business change and its event; delivery runs on commit (immediate tasks)
        Counter.objects.create(key="the-change", value=1)
        event = outbox.record("order.completed", brand_id=1, data={"number": "WO-9"})

    assert Counter.objects.get(key="the-change").value == 1
    assert fine.got == [event.pk] and broken.got == [event.pk]
    sms = Delivery.objects.get(event=event, sink="sms")
    assert (sms.status, sms.attempts) == (DeliveryStatus.PENDING, 1)
    assert "ConnectionError: sms is down" in sms.last_error
    assert sms.next_attempt_at >= timezone.now() + outbox.BACKOFF_BASE - dt.timedelta(seconds=2)
    assert Delivery.objects.get(event=event, sink="in_app").status == DeliveryStatus.DELIVERED
    attempt = DeliveryAttempt.objects.get(delivery=sms)
    assert (attempt.number, attempt.ok, attempt.worker != "") == (1, False, True)
    assert "sms is down" in attempt.error and attempt.duration_ms is not None


def test_a_second_sink_of_the_same_name_is_refused_but_the_same_one_again_widens_its_kinds(registered):
    sms = Recorder("sms", frozenset({"order.booked"}))
    registered(sms)
    outbox.sinks.register(outbox.Sink(name="sms", deliver=sms.deliver, kinds=frozenset({"order.en_route"})))
    assert outbox.sinks.get("sms").kinds == {"order.booked", "order.en_route"}
    with pytest.raises(ImproperlyConfigured, match="Two sinks are named 'sms'"):
        outbox.sinks.register(Recorder("sms").sink)
    assert outbox.sinks.get("sms").deliver == sms.deliver


# --- delivering --------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_delivered_event_is_not_handed_to_its_sink_again(registered):
    sink = Recorder("in_app")
    registered(sink)
    event = outbox.record("order.created", brand_id=1)

    assert outbox.deliver_due() == 1
    assert outbox.deliver_due(now=later(3600)) == 0
    assert sink.got == [event.pk]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.lease_token, delivery.leased_until) == (
        DeliveryStatus.DELIVERED, 1, "", None)
    assert delivery.delivered_at is not None


@pytest.mark.django_db
def test_retries_wait_their_backoff_then_succeed_and_every_attempt_is_recorded(registered):
    sink = Recorder("sms", failures=2)
    registered(sink)
    event = outbox.record("order.booked", brand_id=1)

    assert outbox.deliver_due() == 0
    assert outbox.deliver_due() == 0  # not due before its backoff
    waiting = Delivery.objects.get()
    assert outbox.deliver_due(now=waiting.next_attempt_at) == 0
    waiting.refresh_from_db()
    assert outbox.deliver_due(now=waiting.next_attempt_at) == 1

    assert sink.got == [event.pk] * 3
    assert list(DeliveryAttempt.objects.values_list("number", "ok")) == [(1, False), (2, False), (3, True)]
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


@pytest.mark.django_db
def test_a_delivery_dies_after_its_last_attempt_and_retry_now_gives_it_one_more(registered):
    sink = Recorder("sms", failures=outbox.MAX_ATTEMPTS)
    registered(sink)
    outbox.record("order.booked", brand_id=1)
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver_due(now=Delivery.objects.get().next_attempt_at)
    dead = Delivery.objects.get()
    assert (dead.status, dead.attempts) == (DeliveryStatus.DEAD, outbox.MAX_ATTEMPTS)
    assert outbox.deliver_due(now=later(86400 * 30)) == 0

    assert outbox.retry_now(Delivery.objects.all()) == 1
    assert outbox.deliver_due() == 1
    revived = Delivery.objects.get()
    assert (revived.status, revived.attempts) == (DeliveryStatus.DELIVERED, outbox.MAX_ATTEMPTS)
    assert len(sink.got) == outbox.MAX_ATTEMPTS + 1


@pytest.mark.django_db
def test_a_held_lease_keeps_other_workers_off_until_it_runs_out(registered):
    sink = Recorder("in_app")
    registered(sink)
    outbox.record("order.created", brand_id=1)
    now = timezone.now()
    token, held = outbox.claim(now=now, limit=10)
    assert len(held) == 1

    assert outbox.deliver_due(now=now) == 0  # a second worker: the lease is held
    assert sink.got == []
    # The first worker died; once the lease has run out another takes the delivery.
    assert outbox.deliver_due(now=now + outbox.LEASE + dt.timedelta(seconds=1)) == 1
    assert len(sink.got) == 1


@pytest.mark.django_db
def test_a_worker_that_lost_its_lease_does_not_overwrite_the_new_holder(registered):
    sink = Recorder("in_app")
    registered(sink)
    outbox.record("order.created", brand_id=1)
    now = timezone.now()
    stale_token, [stale] = outbox.claim(now=now, limit=10)
    outbox.deliver_due(now=now + outbox.LEASE + dt.timedelta(seconds=1))  # another worker delivered it

    assert outbox._begin(stale, stale_token, lease=None) is None  # the old holder finds it gone, calls nothing
    assert len(sink.got) == 1 and Delivery.objects.get().status == DeliveryStatus.DELIVERED


@pytest.mark.django_db
def test_a_sink_nobody_registered_is_retried_not_lost(registered):
    registered(Recorder("webhook"))
    outbox.record("order.created", brand_id=1)
    outbox.sinks.unregister("webhook")
    assert outbox.deliver_due() == 0
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert "no sink named 'webhook'" in delivery.last_error


@pytest.mark.django_db
def test_the_periodic_job_delivers_what_the_prompt_task_missed(registered):
    sink = Recorder("in_app")
    registered(sink)
    events = [outbox.record("order.created", brand_id=1) for _ in range(3)]  # never committed: no prompt task

    assert deliver_outbox.call() == 3
    assert sink.got == [event.pk for event in events]
    assert "core.tasks.deliver_outbox" in settings.PERIODIC_TASKS


@hypothesis_settings(deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=0.999999), min_size=40, max_size=40))
def test_the_backoff_never_shrinks_and_never_exceeds_its_cap(draws):
    waits = [outbox.backoff(attempt, rand=lambda d=d: d) for attempt, d in enumerate(draws, start=1)]
    assert all(a <= b for a, b in zip(waits, waits[1:], strict=False))
    assert all(outbox.BACKOFF_BASE <= wait <= outbox.BACKOFF_CAP for wait in waits)
    assert waits[0] < 2 * outbox.BACKOFF_BASE


# --- worker processes --------------------------------------------------------------------------------------

def database_env() -> dict[str, str]:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return {"SQLITE_PATH": str(db["NAME"]), "DATABASE_URL": ""}
    return {"DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}


def worker(*args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "core.tests.outbox_probe", *args], cwd=settings.BASE_DIR,
                            env={**os.environ, **database_env(), **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.fixture
def probe():
    outbox.sinks.register(outbox_probe.sink())
    yield
    outbox.sinks.unregister(outbox_probe.NAME)


def probe_events(count: int) -> list[int]:
    """Events for the probe, committed, with no prompt delivery in this process (the workers deliver them)."""
    now = timezone.now()
    events = OutboxEvent.objects.bulk_create(
        [OutboxEvent(kind=outbox_probe.KIND, brand_id=1, data={"i": i}, created_at=now) for i in range(count)])
    Delivery.objects.bulk_create([Delivery(event=event, sink=outbox_probe.NAME, next_attempt_at=now)
                                  for event in events])
    return [event.pk for event in events]


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_deliver_each_event_once(probe):
    ids = probe_events(120)
    workers = [worker("--batch", "3", OUTBOX_PROBE_SLEEP="0.01") for _ in range(2)]
    outputs = [w.communicate(timeout=120)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs

    assert Counter.objects.filter(key__startswith="probe-call:").count() == len(ids)
    assert all(outbox_probe.calls(pk) == 1 for pk in ids)
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.DELIVERED, 1)}
    # Both took part (each says how many it delivered), so the once-only held under a real race.
    delivered = sorted(int(out.strip().splitlines()[-1].split()[-1]) for out in outputs)
    assert sum(delivered) == len(ids) and delivered[0] > 0, outputs


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_its_delivery_to_be_taken_again_after_the_lease(probe):
    [pk] = probe_events(1)
    doomed = worker("--lease", "8", OUTBOX_PROBE_SLEEP="60")
    end = time.monotonic() + 60
    while outbox_probe.calls(pk) == 0:  # the probe's effect is written; the worker now sleeps inside the sink
        assert time.monotonic() < end and doomed.poll() is None, doomed.stdout.read() if doomed.poll() else ""
        time.sleep(0.1)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    held = Delivery.objects.get()
    assert (held.status, held.attempts, held.lease_token != "") == (DeliveryStatus.PENDING, 1, True)

    early = worker()  # while the lease holds, nothing for it
    said = early.communicate(timeout=60)[0].strip()
    if said.endswith("delivered 1"):
        # A loaded machine may take the whole lease to start a process: then the early worker is the successor,
        # and its attempt must have started only once the lease had run out.
        retaken = DeliveryAttempt.objects.get(number=2)
        assert retaken.started_at >= held.leased_until, (retaken.started_at, held.leased_until)
    else:
        assert said.endswith("delivered 0"), said
        time.sleep(max((held.leased_until - timezone.now()).total_seconds(), 0) + 0.2)
        successor = worker()
        assert successor.communicate(timeout=60)[0].strip().endswith("delivered 1")

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)
    assert outbox_probe.calls(pk) == 2 and outbox_probe.effects(pk) == 1
    assert list(DeliveryAttempt.objects.values_list("number", "ok")) == [(1, None), (2, True)]
