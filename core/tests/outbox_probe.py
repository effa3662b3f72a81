"""A sink for the outbox's tests that leaves traces in the database (core.Counter rows): one row per call
("probe-call:<event>:<uuid>") and one per effect ("probe-effect:<event>", idempotent by its unique key).

Run as a worker process: ``python -m core.tests.outbox_probe [deliver_outbox options]`` registers the probe
and runs ``manage.py deliver_outbox``; OUTBOX_PROBE_SLEEP (seconds) makes each call wait after its effect.
"""

from __future__ import annotations

import os
import sys
import time
import uuid

KIND = "test.probe"
NAME = "probe"


def calls(event_id: int) -> int:
    from core.models import Counter

    return Counter.objects.filter(key__startswith=f"probe-call:{event_id}:").count()


def effects(event_id: int) -> int:
    from core.models import Counter

    return Counter.objects.filter(key=f"probe-effect:{event_id}").count()


def deliver(event) -> None:
    from core.models import Counter

    Counter.objects.create(key=f"probe-call:{event.pk}:{uuid.uuid4().hex}")
    Counter.objects.bulk_create([Counter(key=f"probe-effect:{event.pk}")], ignore_conflicts=True)
    time.sleep(float(os.environ.get("OUTBOX_PROBE_SLEEP", "0")))


def sink():
    from core import outbox

    return outbox.Sink(name=NAME, kinds=frozenset({KIND}), deliver=deliver)


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    django.setup()
    from django.core.management import call_command

    from core import outbox

    outbox.sinks.register(sink())
    call_command("deliver_outbox", *sys.argv[1:])
