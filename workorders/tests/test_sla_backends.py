"""The SLA watch through Django's Tasks API on the real queues: the database one (django-tasks-db, the
embedded choice) worked by ``db_worker``, and Redis (django-tasks-rq) worked by an RQ worker.

The Redis test runs when a Redis server answers on REDIS_URL (default 127.0.0.1:6379, database 15).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import build_world
from core.models import OutboxEvent
from notifications.models import Notification
from workorders.choices import Status
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.tasks import watch_sla
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db(transaction=True)
REDIS_URL = os.environ.get("SLA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def late_order():
    world = build_world()
    order = make_order(world, status=Status.ASSIGNED)
    past = timezone.now() - dt.timedelta(minutes=5)
    WorkOrder.objects.filter(pk=order.pk).update(onsite_due=past, response_due=past)
    return world, order


def outcome(order) -> tuple[list[str], list[str]]:
    return (sorted(WorkOrderEvent.objects.filter(work_order=order, kind="sla").values_list("action", flat=True)),
            sorted(Notification.objects.values_list("key", flat=True)))


def expected(order) -> tuple[list[str], list[str]]:
    return (["onsite_breached", "response_breached"],
            [f"sla:{order.pk}:onsite:breached", f"sla:{order.pk}:response:breached"])


def test_the_database_queue_runs_the_watch_and_its_notifications(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _, order = late_order()

    call_command("run_periodic", "--enqueue")  # the scheduler only queues
    assert outcome(order) == ([], [])
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")

    # The watch ran, and so did the outbox deliveries it queued on its commits (one per marked clock).
    assert outcome(order) == expected(order)
    from django_tasks_db.models import DBTaskResult

    # The other periodic jobs (e.g. integrations.tasks.forget_wechat_nonces) ran too; they are not this test's.
    assert DBTaskResult.objects.filter(task_path="workorders.tasks.watch_sla", status="SUCCESSFUL").count() == 1
    # Each commit that recorded events queued their delivery; the two alerts' among them, all delivered.
    delivering = DBTaskResult.objects.filter(task_path="core.tasks.deliver_outbox")
    assert {task.status for task in delivering} == {"SUCCESSFUL"}
    queued = {pk for task in delivering for arg in task.args_kwargs["args"] for pk in arg}
    alerts = set(OutboxEvent.objects.filter(kind="sla.alert").values_list("pk", flat=True))
    assert len(alerts) == 2 and alerts <= queued

    call_command("run_periodic", "--enqueue")
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    assert outcome(order) == expected(order)  # the second run changed nothing


def redis_or_skip():
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server answers on {REDIS_URL}")
    connection.flushdb()
    return connection


def test_the_redis_queue_runs_the_watch_and_its_notifications(settings):
    connection = redis_or_skip()
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    _, order = late_order()
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    try:
        result = watch_sla.enqueue()
        assert outcome(order) == ([], [])
        queue = django_rq.get_queue("default", job_class=Job)
        # `manage.py rqworker default` in production; here in this process (no fork), to see the test database.
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)

        assert outcome(order) == expected(order)
        assert result.task.get_result(result.id).status == "SUCCESSFUL"
    finally:
        connection.flushdb()
