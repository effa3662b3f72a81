"""`make run` (scripts/serve.py): the web server, and beside it the periodic jobs and the task worker, logging to
files; an SLA breach after start-up reaches the dispatcher's inbox with nothing else started by hand."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from conftest import build_world
from notifications.models import Notification
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_env() -> dict[str, str]:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return {"SQLITE_PATH": str(db["NAME"]), "DATABASE_URL": ""}
    return {"DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}


def wait_for(check, seconds: float = 60.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            found = check()
        except OSError:  # not listening yet
            found = False
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError("timed out")


def test_make_run_starts_the_periodic_jobs_and_the_worker_in_the_background(tmp_path: Path):
    world = build_world()
    order = make_order(world, status=Status.ASSIGNED)
    WorkOrder.objects.filter(pk=order.pk).update(onsite_due=timezone.now() - dt.timedelta(minutes=5))
    port = free_port()
    env = {**os.environ, **database_env(), "SERVE_LOG_DIR": str(tmp_path), "TASKS_BACKEND": "database"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    server = subprocess.Popen([sys.executable, "scripts/serve.py", f"127.0.0.1:{port}"], cwd=settings.BASE_DIR,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/").status == 200)
        # The watch ran in its own process and the breach reached the dispatcher's inbox. Its delivery was also
        # queued for the worker, which works it (the periodic pass's own delivery may have won the race, and the
        # worker's log line is written after the task, so it is waited for rather than read once).
        breach = Notification.objects.filter(recipient=world.dispatcher, key=f"sla:{order.pk}:onsite:breached")
        wait_for(breach.exists)
        # The periodic pass logs a job's line when the job returns, which may be after the worker delivered its notice.
        wait_for(lambda: "workorders.tasks.watch_sla" in (tmp_path / "periodic.log").read_text())
        wait_for(lambda: "core.tasks.deliver_outbox" in (tmp_path / "worker.log").read_text())
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "Started the periodic jobs (SLA watch) in the background" in output
    assert f"its log: {tmp_path / 'periodic.log'}" in output and f"its log: {tmp_path / 'worker.log'}" in output
    assert "notify sla:" not in output  # the SLA log stays in the files
    pids = [int(line.split("(pid ")[1].split(")")[0]) for line in output.splitlines() if "(pid " in line]
    assert len(pids) == 3  # the stand-ins of the SMS gateway and WeChat too (demo/providers.py)
    for pid in pids:  # stopped with the server
        wait_for(lambda pid=pid: not Path(f"/proc/{pid}").exists() or "zombie" in Path(
            f"/proc/{pid}/status").read_text(), 15)
