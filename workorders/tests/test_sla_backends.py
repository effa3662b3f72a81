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

    # The watch ran, and so did the notification tasks it queued on its commits.
    assert outcome(order) == expected(order)
    from django_tasks_db.models import DBTaskResult

    # The other periodic jobs (e.g. integrations.tasks.forget_wechat_nonces) ran too; they are not this test's.
    assert sorted(DBTaskResult.objects.filter(task_path__startswith="workorders.").values_list(
        "task_path", "status")) == [
        ("workorders.tasks.notify_sla_alert", "SUCCESSFUL"), ("workorders.tasks.notify_sla_alert", "SUCCESSFUL"),
        ("workorders.tasks.watch_sla", "SUCCESSFUL")]

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
